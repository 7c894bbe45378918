package rtc

import (
	"sync"
	"time"

	"github.com/pion/rtp"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/audio/jitter"
)

// receiver is the receiving half of a call's audio: packets go into a jitter buffer as they
// arrive (push, on the receiving goroutine), and the session's playout clock takes one frame per
// packet time out of it (next), decoded, or concealed when its packet is missing, so that the Sink
// gets the far end's audio in order and at a steady pace whatever the network did to it.
//
// One stream is played at a time: the far end's SSRC with one codec and one packet time. A new SSRC
// (a re-INVITE, a transfer with Replaces, a PBX bridging another leg), another codec or another
// packet time starts a fresh buffer and decoder; packets still arriving from the SSRC before, while
// the new one flows, are dropped rather than let them thrash the buffer.
type receiver struct {
	now func() time.Time

	mu      sync.Mutex
	cur     *inStream
	oldSSRC uint32 // the SSRC played before cur, whose stragglers are dropped
	haveOld bool
	closed  bool
	started chan struct{} // closed at the first audio packet: the playout clock starts then
	out     []int16       // the frame handed to the Sink, owned by the clock's goroutine

	// Totals of the streams played before cur.
	done      jitter.PlayoutStats
	doneBuf   jitter.Stats
	stale     uint64        // packets from a previous SSRC, dropped
	streams   uint64        // streams started
	lastDelay time.Duration // the target delay of the last stream retired
	lastCodec codec.ID
}

// inStream is one stream being played: its buffer, decoder and playout.
type inStream struct {
	ssrc  uint32
	id    codec.ID
	frame time.Duration // the packet time, also the playout clock's period
	buf   *jitter.Buffer
	dec   codec.Codec
	play  *jitter.Playout
	pcm   []int16
	stats jitter.PlayoutStats // play's counters after the last frame
	last  time.Time           // arrival of its latest packet
}

// staleWindow is how long after the current stream's latest packet one from the SSRC played before
// still counts as a straggler. Past it the far end has gone back to that SSRC (a PBX ending music
// on hold, say), and it is played again.
const staleWindow = 200 * time.Millisecond

func newReceiver(now func() time.Time) *receiver {
	if now == nil {
		now = time.Now
	}
	return &receiver{now: now, started: make(chan struct{})}
}

// push adds an audio packet of codec id that arrived at arrival. Its payload is copied: the
// caller may read the next packet into the same memory.
func (r *receiver) push(pkt *rtp.Packet, id codec.ID, arrival time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	if c := r.cur; c != nil && pkt.SSRC != c.ssrc && r.haveOld && pkt.SSRC == r.oldSSRC && arrival.Sub(c.last) < staleWindow {
		r.stale++
		return
	}
	frame := packetDuration(id, pkt.Payload)
	if frame == 0 {
		if r.cur == nil || r.cur.id != id {
			return // no packet time to play it at
		}
		frame = r.cur.frame
	}
	if r.cur == nil || r.cur.ssrc != pkt.SSRC || r.cur.id != id || r.cur.frame != frame {
		if err := r.startLocked(pkt.SSRC, id, frame); err != nil {
			return
		}
	}
	r.cur.last = arrival
	r.cur.buf.Push(jitter.Packet{Seq: pkt.SequenceNumber, Timestamp: pkt.Timestamp, Payload: pkt.Payload, Arrival: arrival})
}

// startLocked retires the stream being played and starts a new one.
func (r *receiver) startLocked(ssrc uint32, id codec.ID, frame time.Duration) error {
	dec, err := codec.New(id, codec.Options{})
	if err != nil {
		return err
	}
	if old := r.cur; old != nil {
		r.retireLocked()
		if old.ssrc != ssrc {
			r.oldSSRC, r.haveOld = old.ssrc, true
		}
	}
	buf := jitter.New(jitter.Options{ClockRate: id.ClockRate(), FrameDuration: frame})
	r.cur = &inStream{
		ssrc: ssrc, id: id, frame: frame, buf: buf, dec: dec,
		play: jitter.NewPlayout(buf, dec, r.now),
		pcm:  make([]int16, int(int64(dec.SampleRate())*int64(frame)/int64(time.Second))),
	}
	r.streams++
	r.lastCodec = id
	if r.streams == 1 {
		close(r.started)
	}
	return nil
}

// retireLocked adds the stream's counters to the totals and frees its decoder.
func (r *receiver) retireLocked() {
	c := r.cur
	if c == nil {
		return
	}
	r.done = addPlayout(r.done, c.stats)
	b := c.buf.Stats()
	r.doneBuf.Late += b.Late
	r.doneBuf.Duplicates += b.Duplicates
	r.doneBuf.Skipped += b.Skipped
	r.lastDelay = b.TargetDelay
	c.dec.Close()
	r.cur = nil
}

// next plays one frame: it returns the PCM for the Sink (valid until the next call) at rate, and
// the period until the frame after it. ok is false while nothing is playing (before the first
// packet, and while the buffer fills again after the far end went quiet): the Sink is then left
// alone, as it was before audio arrived. spare is how much earlier the frame could have been
// played (jitter.Frame.Spare).
func (r *receiver) next() (pcm []int16, rate int, period, spare time.Duration, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.cur
	if c == nil {
		return nil, 0, codec.FrameDuration, 0, false
	}
	silent := c.stats.Silent
	c.play.NextFrame(c.pcm)
	c.stats = c.play.Stats()
	if c.stats.Silent != silent {
		return nil, 0, c.frame, 0, false
	}
	r.out = append(r.out[:0], c.pcm...)
	return r.out, c.dec.SampleRate(), c.frame, c.play.Spare(), true
}

// period is the packet time of the stream being played (20 ms before there is one).
func (r *receiver) period() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return codec.FrameDuration
	}
	return r.cur.frame
}

// close frees the decoder; packets pushed afterwards are ignored.
func (r *receiver) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retireLocked()
	r.closed = true
}

// fill puts the playout counters into st.
func (r *receiver) fill(st *Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, b := r.done, r.doneBuf
	st.JitterDelay = r.lastDelay
	if c := r.cur; c != nil {
		p = addPlayout(p, c.stats)
		cb := c.buf.Stats()
		b.Late += cb.Late
		b.Duplicates += cb.Duplicates
		b.Skipped += cb.Skipped
		st.JitterDelay = cb.TargetDelay
		st.JitterWait = cb.MeanWait
	}
	if r.lastCodec != codec.Unknown {
		st.ReceivedCodec = r.lastCodec.String()
	}
	st.DecodedFrames = uint64(p.Decoded)
	st.ConcealedFrames = uint64(p.Concealed)
	st.FECFrames = uint64(p.FECRecovered)
	st.LatePackets = uint64(b.Late)
	st.DroppedPackets = uint64(b.Duplicates+b.Skipped) + r.stale
	st.Streams = r.streams
}

func addPlayout(a, b jitter.PlayoutStats) jitter.PlayoutStats {
	return jitter.PlayoutStats{
		Decoded:      a.Decoded + b.Decoded,
		Concealed:    a.Concealed + b.Concealed,
		FECRecovered: a.FECRecovered + b.FECRecovered,
		Silent:       a.Silent + b.Silent,
		DecodeErrors: a.DecodeErrors + b.DecodeErrors,
	}
}

// packetDuration is how much audio payload holds, 0 when it cannot tell: one byte a sample for
// G.711, the table of contents for Opus (RFC 6716 section 3.1).
func packetDuration(id codec.ID, payload []byte) time.Duration {
	var samples, rate int
	switch id {
	case codec.PCMU, codec.PCMA:
		samples, rate = len(payload), 8000
	case codec.Opus:
		samples, rate = opusSamples(payload), 48000
	}
	if samples <= 0 || rate == 0 {
		return 0
	}
	return time.Duration(int64(samples) * int64(time.Second) / int64(rate))
}

// opusSamples is the number of 48 kHz samples an Opus packet decodes to, 0 for a malformed one.
func opusSamples(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	config := int(p[0] >> 3)
	var per int
	switch {
	case config < 12: // SILK: 10, 20, 40, 60 ms
		per = []int{480, 960, 1920, 2880}[config%4]
	case config < 16: // hybrid: 10, 20 ms
		per = []int{480, 960}[config%2]
	default: // CELT: 2.5, 5, 10, 20 ms
		per = []int{120, 240, 480, 960}[config%4]
	}
	count := 1
	switch p[0] & 3 {
	case 1, 2:
		count = 2
	case 3:
		if len(p) < 2 {
			return 0
		}
		count = int(p[1] & 0x3f)
	}
	if n := per * count; n > 0 && n <= 5760 {
		return n
	}
	return 0
}
