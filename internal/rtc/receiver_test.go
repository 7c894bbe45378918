package rtc

import (
	"bytes"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/codec"
)

// clocked drives a receiver by hand: packets arrive at given times and the playout clock ticks
// once per packet time, on a clock of the test's own.
type clocked struct {
	t   *testing.T
	r   *receiver
	now time.Time
}

func newClocked(t *testing.T) *clocked {
	c := &clocked{t: t, now: time.Unix(1_700_000_000, 0)}
	c.r = newReceiver(func() time.Time { return c.now })
	t.Cleanup(c.r.close)
	return c
}

// pcmu pushes a PCMU packet whose samples all decode to the level of code, arriving now.
func (c *clocked) pcmu(ssrc uint32, seq uint16, ts uint32, code byte, samples int) {
	c.r.push(&rtp.Packet{Header: rtp.Header{SSRC: ssrc, SequenceNumber: seq, Timestamp: ts, PayloadType: 0},
		Payload: bytes.Repeat([]byte{code}, samples)}, codec.PCMU, c.now)
}

// tick advances the clock by d and plays one frame: the level of its first sample, or ok false.
func (c *clocked) tick(d time.Duration) (level int16, n int, ok bool) {
	c.now = c.now.Add(d)
	pcm, rate, _, _, ok := c.r.next()
	if !ok {
		return 0, 0, false
	}
	require.Equal(c.t, 8000, rate)
	return pcm[0], len(pcm), true
}

func TestReceiverStreams(t *testing.T) {
	c := newClocked(t)
	const frame = 20 * time.Millisecond
	_, _, _, _, ok := c.r.next()
	assert.False(t, ok, "nothing plays before the first packet")
	select {
	case <-c.r.started:
		t.Fatal("the clock starts at the first packet, not before")
	default:
	}

	// Stream A: 0x10 marks its frames. Each packet arrives, then a frame is played.
	a := codec.DecodeULaw(0x10)
	var played []int16
	for i := range 20 {
		c.pcmu(1, uint16(100+i), uint32(8000+160*i), 0x10, 160)
		if lvl, n, ok := c.tick(frame); ok {
			assert.Equal(t, 160, n)
			played = append(played, lvl)
		}
	}
	<-c.r.started
	require.NotEmpty(t, played)
	assert.Equal(t, a, played[len(played)-1])

	// The far end switches to stream B (a re-INVITE): new SSRC, sequence and timestamps. A packet
	// of A still on its way is a straggler and must not reset the buffer back to A.
	b := codec.DecodeULaw(0x30)
	played = played[:0]
	for i := range 20 {
		c.pcmu(2, uint16(40000+i), uint32(900000+160*i), 0x30, 160)
		if i == 3 {
			c.pcmu(1, 120, 8000+160*20, 0x10, 160)
		}
		if lvl, _, ok := c.tick(frame); ok {
			played = append(played, lvl)
		}
	}
	assert.Equal(t, b, played[len(played)-1], "B plays")
	for i, lvl := range played[len(played)-10:] {
		assert.Equal(t, b, lvl, "B's frame %d, not A's straggler", i)
	}
	var st Stats
	c.r.fill(&st)
	assert.Equal(t, uint64(2), st.Streams)
	assert.Equal(t, uint64(1), st.DroppedPackets, "the straggler: %+v", st)

	// B goes quiet (comfort silence, or it stopped): a few frames are concealed, then nothing is
	// handed to the Sink until audio comes again.
	quiet := 0
	for range 20 {
		if _, _, ok := c.tick(frame); !ok {
			quiet++
		}
	}
	assert.GreaterOrEqual(t, quiet, 5, "the Sink is left alone while the far end is quiet")
	// Then A comes back on its old SSRC, long after B's last packet: played, not taken for a
	// straggler; its timestamps jumped by the silence.
	played = played[:0]
	for i := range 10 {
		c.pcmu(1, uint16(121+i), uint32(8000+160*(20+60+i)), 0x10, 160)
		if lvl, _, ok := c.tick(frame); ok {
			played = append(played, lvl)
		}
	}
	require.NotEmpty(t, played, "audio resumes after the silence")
	assert.Equal(t, a, played[len(played)-1])
	c.r.fill(&st)
	assert.Equal(t, uint64(3), st.Streams)
	assert.Positive(t, st.DecodedFrames)
	assert.Positive(t, st.ConcealedFrames, "B's end was concealed for a few frames")
	assert.Equal(t, "PCMU", st.ReceivedCodec)
}

func TestReceiverPacketTime(t *testing.T) {
	// A PBX sending 30 ms packets: the clock follows the packet time, frames are 240 samples.
	c := newClocked(t)
	const frame = 30 * time.Millisecond
	var played int
	for i := range 30 {
		c.pcmu(7, uint16(i), uint32(240*i), 0x20, 240)
		if _, n, ok := c.tick(frame); ok {
			assert.Equal(t, 240, n)
			played++
		}
	}
	assert.Equal(t, frame, c.r.period())
	var st Stats
	c.r.fill(&st)
	assert.GreaterOrEqual(t, played, 25)
	assert.Equal(t, uint64(played), st.DecodedFrames)
	assert.Zero(t, st.ConcealedFrames)
	assert.Equal(t, uint64(1), st.Streams)
}

func TestReceiverClosed(t *testing.T) {
	c := newClocked(t)
	c.r.close()
	c.pcmu(1, 1, 160, 0x10, 160)
	_, _, _, _, ok := c.r.next()
	assert.False(t, ok, "a closed receiver takes nothing")
}

func TestPacketDuration(t *testing.T) {
	tests := []struct {
		name    string
		id      codec.ID
		payload []byte
		want    time.Duration
	}{
		{"PCMU 20 ms", codec.PCMU, make([]byte, 160), 20 * time.Millisecond},
		{"PCMA 30 ms", codec.PCMA, make([]byte, 240), 30 * time.Millisecond},
		{"G.711 empty", codec.PCMU, nil, 0},
		{"Opus CELT FB 20 ms", codec.Opus, []byte{31<<3 | 0, 0xff}, 20 * time.Millisecond},
		{"Opus SILK WB 20 ms", codec.Opus, []byte{9 << 3}, 20 * time.Millisecond},
		{"Opus SILK NB 60 ms", codec.Opus, []byte{3 << 3}, 60 * time.Millisecond},
		{"Opus hybrid SWB 10 ms", codec.Opus, []byte{12 << 3}, 10 * time.Millisecond},
		{"Opus two 20 ms frames", codec.Opus, []byte{31<<3 | 1}, 40 * time.Millisecond},
		{"Opus code 3, three 20 ms frames", codec.Opus, []byte{31<<3 | 3, 3}, 60 * time.Millisecond},
		{"Opus code 3 without count", codec.Opus, []byte{31<<3 | 3}, 0},
		{"Opus code 3, more than 120 ms", codec.Opus, []byte{31<<3 | 3, 7}, 0},
		{"Opus empty", codec.Opus, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, packetDuration(tt.id, tt.payload))
		})
	}
}

// A speaker pulling G.711 at 48 kHz in 10 ms callbacks holds no more than the rest of the frame
// being played: each 20 ms frame is taken from the jitter buffer when the one before has run out,
// not a callback earlier because the resampler's first output came up short.
func TestPullQueuesOnlyTheFrameBeingPlayed(t *testing.T) {
	tests := []struct {
		name     string
		rate     int // the speaker's
		callback int // samples it asks for at a time
	}{
		{"48 kHz, 10 ms callbacks", 48000, 480},
		{"48 kHz, 5 ms callbacks", 48000, 240},
		{"8 kHz, 10 ms callbacks", 8000, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClocked(t)
			s := &Session{rx: c.r, receiving: true}
			const frame = 20 * time.Millisecond
			period := time.Duration(tt.callback) * time.Second / time.Duration(tt.rate)
			pcm := make([]int16, tt.callback)
			var most time.Duration
			heard := 0
			for i := range 50 {
				c.pcmu(1, uint16(i), uint32(160*i), 0x10, 160)
				for range frame / period {
					c.now = c.now.Add(period)
					if s.Pull(pcm, tt.rate) {
						heard++
					}
					if i >= 5 {
						most = max(most, s.PlayoutQueued())
					}
				}
			}
			assert.Greater(t, heard, 40, "the far end's audio was pulled")
			assert.LessOrEqual(t, most, frame-period, "at most the rest of one frame waits")
		})
	}
}

// The speaker takes back the delay the jitter buffer does not need where the far end is quiet, in
// whole callbacks: on a clean stream played 17 ms after it arrives (12 ms more than the jitter
// buffer's margin of 5 ms), quiet frames are shortened by one 10 ms callback, and the packets then
// wait 7 ms; at 13 ms there is less than a callback to take back. Frames with sound are played whole
// and keep their delay. The frames still line up with the callbacks: no more than the rest of one
// frame waits after the jitter buffer.
func TestPullTakesBackSpareDelayWhereQuiet(t *testing.T) {
	tests := []struct {
		name      string
		code      byte // µ-law byte of every sample: 0xFF is silence, 0x10 loud
		phase     time.Duration
		wantSpare time.Duration
	}{
		{"quiet", 0xFF, 17 * time.Millisecond, 2 * time.Millisecond},
		{"quiet, less than a callback to spare", 0xFF, 13 * time.Millisecond, 8 * time.Millisecond},
		{"loud", 0x10, 17 * time.Millisecond, 12 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClocked(t)
			s := &Session{rx: c.r, receiving: true}
			const frame, callback = 20 * time.Millisecond, 10 * time.Millisecond
			pcm := make([]int16, 480)
			start := c.now
			arrive := func(i int) time.Time { return start.Add(time.Duration(i) * frame) }
			at := start.Add(tt.phase) // the speaker's first callback
			sent := 0
			var most time.Duration
			for i := range 300 {
				for ; !arrive(sent).After(at); sent++ {
					c.now = arrive(sent)
					c.pcmu(1, uint16(sent), uint32(160*sent), tt.code, 160)
				}
				c.now = at
				s.Pull(pcm, 48000)
				if i > 10 {
					most = max(most, s.PlayoutQueued())
				}
				at = at.Add(callback)
			}
			var st Stats
			c.r.fill(&st)
			t.Logf("mean wait %v, spare left %v", st.JitterWait, c.r.cur.play.Spare())
			assert.Zero(t, st.ConcealedFrames, "taking back delay never starves the speaker")
			assert.InDelta(t, tt.wantSpare, c.r.cur.play.Spare(), float64(time.Millisecond), "spare delay left")
			assert.LessOrEqual(t, most, frame-callback, "at most the rest of one frame waits")
		})
	}
}
