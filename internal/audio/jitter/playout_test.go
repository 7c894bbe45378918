package jitter

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/audio/dsp"
)

// A tone sent through a codec, a lossy reordering network and the playout comes out as one
// continuous stream of full frames at the tone's frequency, with losses concealed rather than
// dropped to silence.
func TestPlayoutThroughCodecs(t *testing.T) {
	tests := []struct {
		name string
		id   codec.ID
		fec  bool
	}{
		{"PCMU", codec.PCMU, false},
		{"PCMA", codec.PCMA, false},
		{"Opus with FEC", codec.Opus, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !codec.Available(tt.id) {
				t.Skip("this build has no Opus")
			}
			enc, err := codec.New(tt.id, codec.Options{FEC: tt.fec, ExpectedLossPercent: 10})
			require.NoError(t, err)
			defer enc.Close()
			dec, err := codec.New(tt.id, codec.Options{})
			require.NoError(t, err)
			defer dec.Close()
			rate := enc.SampleRate()
			n := tt.id.FrameSamples(codec.FrameDuration)
			tone := dsp.NewTone(800, rate, 0.3)
			start := time.Unix(1_700_000_000, 0)
			buf := New(Options{ClockRate: tt.id.ClockRate()})

			// Send 3 s; every 10th packet lost, every 7th delayed by one frame (reordered).
			type pending struct {
				at time.Time
				p  Packet
			}
			var queue []pending
			pcm := make([]int16, n)
			for i := range 150 {
				tone.Fill(pcm)
				pkt := make([]byte, 1500)
				m, err := enc.Encode(pcm, pkt)
				require.NoError(t, err)
				if i%10 == 5 {
					continue
				}
				at := start.Add(time.Duration(i) * frame)
				if i%7 == 3 {
					at = at.Add(frame + frame/2)
				}
				queue = append(queue, pending{at, Packet{Seq: uint16(i), Timestamp: uint32(i * n), Payload: pkt[:m]}})
			}
			now := start
			p := NewPlayout(buf, dec, func() time.Time { return now })
			var out []int16
			frameOut := make([]int16, n)
			for k := range 170 {
				now = start.Add(time.Duration(k) * frame)
				for j := range queue {
					if !queue[j].at.After(now) && queue[j].p.Payload != nil {
						pk := queue[j].p
						pk.Arrival = queue[j].at
						buf.Push(pk)
						queue[j].p.Payload = nil
					}
				}
				for i := range frameOut {
					frameOut[i] = 12345 // must be overwritten
				}
				p.NextFrame(frameOut)
				assert.NotContains(t, frameOut, int16(12345), "frame %d fully written", k)
				out = append(out, frameOut...)
			}
			st := p.Stats()
			t.Logf("playout %+v, buffer %+v", st, buf.Stats())
			assert.GreaterOrEqual(t, st.Concealed, 14, "the 15 lost packets are concealed")
			assert.Positive(t, st.Decoded)
			// The steady part is the tone at its level, even with a packet in ten missing.
			steady := out[rate/2 : rate*5/2]
			assert.InDelta(t, 800, dsp.DominantFrequency(steady, rate), 5)
			assert.InDelta(t, -13.5, dsp.Measure(steady).RMSDBFS, 2.5)
			if tt.fec {
				assert.Positive(t, st.FECRecovered)
			}
		})
	}
}

func TestPlayoutSilenceBeforeStart(t *testing.T) {
	dec := codec.NewPCMU()
	p := NewPlayout(New(Options{}), dec, nil)
	pcm := []int16{1, 2, 3}
	p.NextFrame(pcm)
	assert.Equal(t, []int16{0, 0, 0}, pcm)
	assert.Equal(t, 1, p.Stats().Silent)
}

// voiced is a signal an encoder takes for voice: three harmonics whose pitch moves every frame (an
// encoder sends no FEC for frames it takes for silence, as a steady tone soon is).
type voiced struct {
	phase float64
	k     int
}

func (v *voiced) fill(pcm []int16, rate int) {
	hz := 200 + 40*float64(v.k%7)
	v.k++
	for i := range pcm {
		pcm[i] = int16(9000 * (math.Sin(v.phase) + 0.5*math.Sin(2*v.phase) + 0.3*math.Sin(3*v.phase)))
		v.phase = math.Mod(v.phase+2*math.Pi*hz/float64(rate), 2*math.Pi)
	}
}

// TestPlayoutConcealsEachLossOnce encodes 200 frames, loses ten of their packets (two of them in
// a row) and plays the rest, each popped 1 ms after it came: the phase the buffer's shrinking
// settles into on a clean line, where the packet after a lost one is not there yet at the lost
// one's turn. Every lost frame is concealed once, not once while the buffer is dry and again when
// the next packet shows the loss. With Opus whose packets carry in-band FEC, the first loss grows
// the buffer by the frame FEC needs, and from then on lost frames are rebuilt from the next
// packet's redundancy (counted as FEC only when the packet carries it) instead of made up.
func TestPlayoutConcealsEachLossOnce(t *testing.T) {
	lost := []int{10, 30, 60, 70, 100, 101, 130, 150, 170, 180}
	tests := []struct {
		name string
		id   codec.ID
		fec  bool
		// concealed frames, FEC-rebuilt ones among them
		concealed, rebuilt int
	}{
		{"PCMU", codec.PCMU, false, 10, 0},
		{"Opus without FEC", codec.Opus, false, 10, 0},
		// 10: made up while dry, then rebuilt a frame late (the buffer grows); 100: made up while
		// dry, 101 rebuilt; the seven others rebuilt.
		{"Opus with FEC", codec.Opus, true, 11, 9},
	}
	const packets = 200
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !codec.Available(tt.id) {
				t.Skip("this build has no Opus")
			}
			enc, err := codec.New(tt.id, codec.Options{FEC: tt.fec, ExpectedLossPercent: 10})
			require.NoError(t, err)
			defer enc.Close()
			dec, err := codec.New(tt.id, codec.Options{})
			require.NoError(t, err)
			defer dec.Close()
			n := tt.id.FrameSamples(codec.FrameDuration)
			start := time.Unix(1_700_000_000, 0)
			var arrivals []arrival
			v := &voiced{}
			pcm := make([]int16, n)
			for i := range packets {
				v.fill(pcm, enc.SampleRate())
				out := make([]byte, 1500)
				m, err := enc.Encode(pcm, out)
				require.NoError(t, err)
				if tt.fec && slices.Contains(lost, i-1) && i-1 != 100 {
					// The encoder leaves FEC out after a frame it takes for silence or too unlike
					// the one before; none of these lost frames is one.
					require.True(t, codec.OpusHasFEC(out[:m]), "packet %d carries the FEC of the lost one", i)
				}
				if !slices.Contains(lost, i) {
					arrivals = append(arrivals, arrival{at: start.Add(time.Duration(i)*frame + 5*time.Millisecond),
						p: Packet{Seq: uint16(i), Timestamp: uint32(i * n), Payload: out[:m]}})
				}
			}
			buf := New(Options{ClockRate: tt.id.ClockRate()})
			var now time.Time
			p := NewPlayout(buf, dec, func() time.Time { return now })
			next := 0
			for k := 0; buf.Stats().Played < len(arrivals) && k < packets+10; k++ {
				now = start.Add(time.Duration(k)*frame + 6*time.Millisecond)
				for next < len(arrivals) && !arrivals[next].at.After(now) {
					a := arrivals[next].p
					a.Arrival = arrivals[next].at
					buf.Push(a)
					next++
				}
				p.NextFrame(pcm)
			}
			st, bs := p.Stats(), buf.Stats()
			t.Logf("playout %+v, buffer %+v", st, bs)
			assert.Equal(t, packets-len(lost), st.Decoded, "every packet played")
			assert.Equal(t, tt.concealed, st.Concealed, "frames concealed")
			assert.Equal(t, tt.rebuilt, st.FECRecovered, "frames rebuilt from FEC")
			assert.Zero(t, bs.Late+bs.Skipped, "no packet dropped")
		})
	}
}

func TestTrim(t *testing.T) {
	quiet := make([]int16, 160)
	quiet[7] = -300 // a whisper of comfort noise
	loud := make([]int16, 160)
	loud[80] = 1000
	tests := []struct {
		name  string
		pcm   []int16
		spare time.Duration
		want  int // samples left
	}{
		{"quiet, 3 ms spare", quiet, 3 * time.Millisecond, 160 - 24},
		{"quiet, no spare", quiet, 0, 160},
		{"quiet, more spare than the frame", quiet, 50 * time.Millisecond, 0},
		{"sound in the frame", loud, 3 * time.Millisecond, 160},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Trim(tt.pcm, 8000, tt.spare)
			assert.Len(t, got, tt.want)
			assert.Equal(t, tt.pcm[len(tt.pcm)-len(got):], got, "the end of the frame is kept")
		})
	}
}
