// Package jitter turns a stream of RTP audio payloads that arrive late, early, twice, out of order
// or not at all into a steady stream of 20 ms frames for playout: an adaptive jitter buffer
// (Buffer) and a playout stage that decodes and conceals losses (Playout).
//
// Buffer adapts its delay to the network: it measures how late packets arrive relative to their
// RTP timestamps (the 95th percentile over the last two seconds) and keeps that much audio
// buffered, growing at once when the network gets worse (an underrun plays one concealed frame
// and keeps the packet it was waiting for) and shrinking slowly when it gets better (one frame is
// skipped after half a second with more buffered than needed). The same two moves absorb clock drift
// between the far end and the local sound card.
//
// A missing packet is concealed once: when the buffer ran dry at its turn and the packet after it
// comes first, the frame concealed at that turn was the lost packet's, and play goes on with the
// next one at its own turn. When the far end sends in-band FEC (SetFEC) and packets are being lost,
// the buffer keeps one frame more, so that the packet after a lost one is at hand at the lost one's
// turn and the frame is rebuilt from its redundancy instead of made up.
package jitter

import (
	"slices"
	"sync"
	"time"
)

// Packet is one received RTP audio payload.
type Packet struct {
	Seq       uint16
	Timestamp uint32
	Payload   []byte
	// Arrival is when the packet was received; zero means "now" on Push.
	Arrival time.Time
}

// Status says what Pop produced.
type Status int

// Statuses.
const (
	// StatusUnknown is the zero Status.
	StatusUnknown Status = iota
	// StatusOK: Frame.Packet is the next packet, to decode.
	StatusOK
	// StatusLost: the next packet is missing; conceal it (Frame.Next, if set, is the packet after
	// it, for codecs with in-band FEC).
	StatusLost
	// StatusBuffering: nothing to play yet (start of the stream, or after a long gap); play silence.
	StatusBuffering
)

// String implements fmt.Stringer.
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusLost:
		return "lost"
	case StatusBuffering:
		return "buffering"
	default:
		return "unknown"
	}
}

// Frame is one frame's worth of playout decision.
type Frame struct {
	Status Status
	Packet Packet  // with StatusOK
	Next   *Packet // with StatusLost: the following packet when it is already here
	// Delay is how long Packet waited in the buffer (StatusOK only).
	Delay time.Duration
	// Spare is how much earlier Packet could have been played and still been on time had it been
	// as late as the latest packet of the last two seconds, with spareMargin to spare (StatusOK
	// only; zero while the buffer deliberately holds more, for FEC). Whole frames of it are taken
	// back by skipping; a playout that can drop part of a frame where it is quiet (Playout.Trim)
	// takes back the rest, so that the delay follows the jitter to the millisecond rather than
	// to the frame.
	Spare time.Duration
}

// Options configure a Buffer. The zero value suits 20 ms frames of an 8 kHz (G.711) stream.
type Options struct {
	// ClockRate is the RTP timestamp rate; 0 means 8000.
	ClockRate int
	// FrameDuration is the playout frame (and packet) duration; 0 means 20 ms.
	FrameDuration time.Duration
	// MinDelay and MaxDelay bound the adaptive delay; 0 means 20 ms and 500 ms.
	MinDelay, MaxDelay time.Duration
}

// Stats count what a Buffer has seen.
type Stats struct {
	Received   int // packets pushed
	Played     int // frames played from packets
	Lost       int // frames concealed because the packet was missing
	Late       int // packets that came after their playout time, discarded
	Duplicates int // packets received twice, discarded
	Skipped    int // packets dropped to shrink the delay
	Underruns  int // times the buffer ran dry while playing
	Resets     int // restarts after a long gap or a sequence jump
	// TargetDelay is the delay the buffer aims for now; BufferedDelay what it holds.
	TargetDelay, BufferedDelay time.Duration
	// MeanWait is how long the packets played waited in the buffer, on average.
	MeanWait time.Duration
}

const (
	// transitWindow is how many recent packets the delay estimate looks at (2 s of 20 ms packets).
	transitWindow = 100
	// shrinkAfter is how many consecutive frames with more buffered than needed trigger a skip (half a second).
	shrinkAfter = 25
	// shrinkFastAfter replaces it when far more is buffered than needed (100 ms).
	shrinkFastAfter = 5
	// resetAfter is how many consecutive underruns end playing and return to buffering (200 ms):
	// the far end stopped sending (hold, silence suppression, the end of the call).
	resetAfter = 10
	// maxJump is the largest sequence step taken as the same stream; more is a new stream.
	maxJump = 1000
	// fecHoldFrames is how long after the latest loss the buffer keeps its extra frame for FEC
	// (5 s): random loss of a few percent loses a packet every second or so, and the frame is not
	// given back and taken again between two losses.
	fecHoldFrames = 250
)

// Buffer is an adaptive jitter buffer. Push and Pop may be called from different goroutines.
type Buffer struct {
	clock    int
	frame    time.Duration
	frameTS  uint32
	minF     int
	maxF     int
	capacity int

	mu       sync.Mutex
	pkts     map[uint64]Packet // by extended sequence number
	started  bool
	next     uint64 // extended seq to play next (valid when started)
	highest  uint64
	haveHigh bool
	transits []float64 // seconds, ring of the last transitWindow
	residual []float64 // updateTargetLocked's scratch (transits about their trend): a packet allocates nothing
	sends    []float64 // the matching send times (RTP timestamp in seconds, unwrapped)
	tpos     int
	target   int     // frames
	late     float64 // the largest transit in the window
	lastExt  uint64  // extended seq of the last packet played
	lastTS   uint32  // its RTP timestamp
	havePlay bool
	over     int // consecutive pops with more than needed
	dry      int // consecutive underruns
	// owed is how many frames concealed since the last one played stood in for packets from next
	// on while the buffer was dry: when a later packet comes first, those missing are lost and
	// already concealed.
	owed int
	// fec says the far end's packets carry in-band FEC (SetFEC); pops counts the frames played
	// since the start, lossAt is the pop of the latest loss (lossSeen: there was one).
	fec      bool
	pops     uint64
	lossAt   uint64
	lossSeen bool
	stats    Stats
	waited   time.Duration // summed over the packets played
}

// New returns an empty Buffer.
func New(opts Options) *Buffer {
	if opts.ClockRate <= 0 {
		opts.ClockRate = 8000
	}
	if opts.FrameDuration <= 0 {
		opts.FrameDuration = 20 * time.Millisecond
	}
	if opts.MinDelay <= 0 {
		opts.MinDelay = opts.FrameDuration
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = 500 * time.Millisecond
	}
	b := &Buffer{
		clock:   opts.ClockRate,
		frame:   opts.FrameDuration,
		frameTS: uint32(int64(opts.ClockRate) * int64(opts.FrameDuration) / int64(time.Second)),
		minF:    max(1, int(opts.MinDelay/opts.FrameDuration)),
		maxF:    max(1, int(opts.MaxDelay/opts.FrameDuration)),
		pkts:    make(map[uint64]Packet),
	}
	b.capacity = 2 * b.maxF
	b.target = b.minF
	return b
}

// extend maps a 16-bit sequence number onto the 64-bit line, nearest to the highest seen.
func (b *Buffer) extend(seq uint16) uint64 {
	if !b.haveHigh {
		return uint64(seq) + 1<<32 // start high so that earlier packets stay positive
	}
	delta := int64(int16(seq - uint16(b.highest)))
	return uint64(int64(b.highest) + delta)
}

// Push adds a received packet. The payload is copied. Late and duplicate packets are counted and
// dropped.
func (b *Buffer) Push(p Packet) {
	if p.Arrival.IsZero() {
		p.Arrival = time.Now()
	}
	p.Payload = slices.Clone(p.Payload)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stats.Received++
	ext := b.extend(p.Seq)
	if b.haveHigh && (ext > b.highest+maxJump || ext+maxJump < b.highest) {
		b.resetLocked() // the far end restarted its sequence (a new stream or a re-INVITE)
		ext = b.extend(p.Seq)
	}
	if !b.haveHigh || ext > b.highest {
		b.highest, b.haveHigh = ext, true
	}
	b.observeTransit(p)
	if b.started && ext < b.next {
		b.stats.Late++
		return
	}
	if _, dup := b.pkts[ext]; dup {
		b.stats.Duplicates++
		return
	}
	b.pkts[ext] = p
	// Never hold more than capacity: drop from the front (a far end sending far too fast).
	for len(b.pkts) > b.capacity {
		low := b.lowestLocked()
		delete(b.pkts, low)
		b.stats.Skipped++
		if b.started && b.next <= low {
			b.next = low + 1
		}
	}
}

// observeTransit records the packet's relative transit time: arrival minus send time as given by
// the RTP timestamp. Only differences matter, so the unknown clock offset cancels.
func (b *Buffer) observeTransit(p Packet) {
	send := float64(p.Timestamp) / float64(b.clock)
	arr := float64(p.Arrival.UnixNano()) / 1e9
	t := arr - send
	if len(b.transits) > 0 {
		// Keep the values near each other across 32-bit timestamp wrap.
		period := float64(uint64(1)<<32) / float64(b.clock)
		ref := b.transits[(b.tpos+len(b.transits)-1)%len(b.transits)]
		for t-ref > period/2 {
			t -= period
		}
		for ref-t > period/2 {
			t += period
		}
	}
	if len(b.transits) < transitWindow {
		b.transits = append(b.transits, t)
		b.sends = append(b.sends, arr-t)
	} else {
		b.transits[b.tpos] = t
		b.sends[b.tpos] = arr - t
	}
	b.tpos = (b.tpos + 1) % transitWindow
	b.updateTargetLocked()
}

// updateTargetLocked sets the target delay from the spread of recent transit times.
func (b *Buffer) updateTargetLocked() {
	if len(b.transits) < 2 {
		return
	}
	b.late = slices.Max(b.transits)
	// The spread that needs buffering is the jitter around the trend: a far-end clock running fast
	// or slow tilts the transit times steadily, which skipping and concealment absorb instead.
	res := detrend(b.residual[:0], b.sends, b.transits)
	b.residual = res
	low := slices.Min(res)
	spread := nth(res, len(res)*95/100) - low
	// The delay follows the measured jitter: enough frames to cover the spread plus a quarter frame
	// of margin, so a clean stream plays one frame behind its arrival rather than two. A packet
	// later than that still plays (the underrun keeps it and grows the delay by a frame).
	frames := int((spread+b.frame.Seconds()/4)/b.frame.Seconds() + 0.999)
	b.target = min(max(frames, b.minF), b.maxF)
}

// nth is the value that would be at index k if vals were sorted, found in linear time on
// average (Hoare's selection; vals is reordered). It runs on every packet, where sorting the
// window cost three times as much.
func nth(vals []float64, k int) float64 {
	lo, hi := 0, len(vals)-1
	for lo < hi {
		// The median of three as the pivot keeps an already ordered window (a clean line) linear.
		mid := lo + (hi-lo)/2
		if vals[mid] < vals[lo] {
			vals[mid], vals[lo] = vals[lo], vals[mid]
		}
		if vals[hi] < vals[lo] {
			vals[hi], vals[lo] = vals[lo], vals[hi]
		}
		if vals[hi] < vals[mid] {
			vals[hi], vals[mid] = vals[mid], vals[hi]
		}
		pivot := vals[mid]
		i, j := lo, hi
		for i <= j {
			for vals[i] < pivot {
				i++
			}
			for vals[j] > pivot {
				j--
			}
			if i <= j {
				vals[i], vals[j] = vals[j], vals[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return vals[k]
		}
	}
	return vals[k]
}

// detrend appends to out y minus its least-squares line over x.
func detrend(out, x, y []float64) []float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	slope := 0.0
	if sxx > 0 {
		slope = sxy / sxx
	}
	for i := range y {
		out = append(out, y[i]-my-slope*(x[i]-mx))
	}
	return out
}

func (b *Buffer) lowestLocked() uint64 {
	first := true
	var low uint64
	for k := range b.pkts {
		if first || k < low {
			low, first = k, false
		}
	}
	return low
}

// bufferedFramesLocked is how many frames from next up to the highest packet are waiting.
func (b *Buffer) bufferedFramesLocked() int {
	if len(b.pkts) == 0 {
		return 0
	}
	if !b.started {
		return len(b.pkts)
	}
	if b.highest < b.next {
		return 0
	}
	return int(b.highest - b.next + 1)
}

func (b *Buffer) resetLocked() {
	clear(b.pkts)
	b.started, b.haveHigh = false, false
	b.transits, b.sends = b.transits[:0], b.sends[:0]
	b.tpos, b.over, b.dry, b.owed = 0, 0, 0, 0
	b.lossSeen = false
	b.target = b.minF
	b.stats.Resets++
}

// Pop decides the next frame of playout. Call it once per frame duration, from the playout clock;
// now is that clock's time (for the delay figures).
func (b *Buffer) Pop(now time.Time) Frame {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.started {
		if len(b.pkts) == 0 || b.bufferedFramesLocked() < b.goalLocked() {
			return Frame{Status: StatusBuffering}
		}
		b.started, b.next, b.over, b.dry, b.owed = true, b.lowestLocked(), 0, 0, 0
	}
	// The buffer ran dry and concealed frames in place of the packets from next on. If a later
	// packet has come while the one awaited has not, that one was lost rather than late, and its
	// frame has been concealed already: move past it instead of concealing it a second time. (The
	// frame played in its place was this packet's turn; waiting for it again would add a frame of
	// delay for nothing.)
	b.pops++
	for b.owed > 0 && len(b.pkts) > 0 {
		if _, ok := b.pkts[b.next]; ok {
			break
		}
		b.lossAt, b.lossSeen = b.pops, true
		if nxt, ok := b.pkts[b.next+1]; ok && b.holdingLocked() && int(b.highest-b.next) < b.goalLocked() {
			// Losses with FEC at hand and less buffered than that needs: rebuild the lost frame
			// from the next packet now, a frame late, which grows the buffer by the frame FEC needs.
			b.next++
			b.owed = 0
			b.stats.Lost++
			return Frame{Status: StatusLost, Next: &nxt}
		}
		b.next++
		b.owed--
	}

	level, goal := b.bufferedFramesLocked(), b.goalLocked()
	if level > goal+1 || (!b.holdingLocked() && b.spareLocked(now)) {
		b.over++
	} else {
		b.over = 0
	}
	threshold := shrinkAfter
	if level > goal+3 {
		// Far more than needed (the far end's clock is fast, or the local speaker took less than
		// real time on a starved machine): catch up at up to one frame in five.
		threshold = shrinkFastAfter
	}
	if b.over >= threshold {
		// More buffered than the network needs for half a second: skip one frame to cut the delay.
		if _, ok := b.pkts[b.next]; ok {
			delete(b.pkts, b.next)
			b.stats.Skipped++
		}
		b.next++
		b.over = 0
	}

	if p, ok := b.pkts[b.next]; ok {
		delete(b.pkts, b.next)
		b.lastExt, b.lastTS, b.havePlay = b.next, p.Timestamp, true
		b.next++
		b.dry, b.owed = 0, 0
		b.stats.Played++
		d := now.Sub(p.Arrival)
		b.waited += d
		return Frame{Status: StatusOK, Packet: p, Delay: d, Spare: b.spareOfLocked(p, now)}
	}
	if len(b.pkts) > 0 {
		// Packets after the missing one are here: it is lost (or too late to wait for).
		b.next++
		b.dry = 0
		b.stats.Lost++
		b.lossAt, b.lossSeen = b.pops, true
		f := Frame{Status: StatusLost}
		if p, ok := b.pkts[b.next]; ok {
			f.Next = &p
		}
		return f
	}
	// Nothing at all. If the packet is already later than any recent packet was, it is lost: conceal
	// it and move on. Otherwise it is merely late: conceal and keep waiting for it, which adds a
	// frame of delay (the buffer grows when the network gets worse).
	b.dry++
	if b.dry >= resetAfter {
		b.started, b.owed = false, 0
		b.stats.Resets++
		return Frame{Status: StatusBuffering}
	}
	if b.overdueLocked(now) {
		b.next++
		b.stats.Lost++
		b.lossAt, b.lossSeen = b.pops, true
		return Frame{Status: StatusLost}
	}
	b.stats.Underruns++
	b.stats.Lost++
	b.owed++
	return Frame{Status: StatusLost}
}

// holdingLocked reports whether the buffer keeps a frame more for FEC: the far end sends it and a
// packet was lost in the last fecHoldFrames.
func (b *Buffer) holdingLocked() bool {
	return b.fec && b.lossSeen && b.pops-b.lossAt < fecHoldFrames
}

// goalLocked is the delay aimed for, in frames: the target the jitter asks for, and the frame FEC
// needs while holding.
func (b *Buffer) goalLocked() int {
	if b.holdingLocked() {
		return min(b.target+1, b.maxF)
	}
	return b.target
}

// SetFEC says whether the far end's packets carry in-band FEC (the Playout tells from the packets
// it decodes). While they do and packets are being lost, the buffer keeps one frame more.
func (b *Buffer) SetFEC(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fec = on
}

// spareLocked reports whether the frame being played now could be skipped without the next one
// being late: that packet is already here, and it would have been on time by at least spareMargin
// even with the latest transit of the last two seconds. On a clean stream this takes back the frame
// an underrun added, which the count of frames alone cannot (one frame more than the target is
// within its slack), so that the delay follows the jitter measured rather than the worst moment
// of the call.
func (b *Buffer) spareLocked(now time.Time) bool {
	p, ok := b.pkts[b.next+1]
	if !ok || len(b.transits) < transitWindow/4 {
		return false
	}
	return b.behindLatestLocked(p.Timestamp, now) >= spareMargin.Seconds()
}

// spareOfLocked is Frame.Spare for p played at now.
func (b *Buffer) spareOfLocked(p Packet, now time.Time) time.Duration {
	if len(b.transits) < transitWindow/4 || b.holdingLocked() {
		return 0
	}
	spare := time.Duration(b.behindLatestLocked(p.Timestamp, now) * 1e9)
	return max(0, spare-spareMargin)
}

// spareMargin is how early the worst packet of the window must still have been for a frame to be
// skipped: the same quarter frame the target keeps above the spread.
const spareMargin = 5 * time.Millisecond

// overdueLocked reports whether packet next should have arrived by now.
func (b *Buffer) overdueLocked(now time.Time) bool {
	if !b.havePlay || len(b.transits) < 10 || b.next <= b.lastExt {
		return false
	}
	ts := b.lastTS + uint32(b.next-b.lastExt)*b.frameTS
	return b.behindLatestLocked(ts, now) > b.frame.Seconds()/2
}

// behindLatestLocked is, in seconds, how much later than the window's latest packet (late) a packet
// with RTP timestamp ts would arrive at now: its transit then, less late, with the timestamp's wrap
// undone around the window.
func (b *Buffer) behindLatestLocked(ts uint32, now time.Time) float64 {
	t := float64(now.UnixNano())/1e9 - float64(ts)/float64(b.clock)
	period := float64(uint64(1)<<32) / float64(b.clock)
	for t-b.late > period/2 {
		t -= period
	}
	for b.late-t > period/2 {
		t += period
	}
	return t - b.late
}

// Stats returns the counters so far.
func (b *Buffer) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stats
	s.TargetDelay = time.Duration(b.goalLocked()) * b.frame
	s.BufferedDelay = time.Duration(b.bufferedFramesLocked()) * b.frame
	if s.Played > 0 {
		s.MeanWait = b.waited / time.Duration(s.Played)
	}
	return s
}

// Reset empties the buffer, as when the far end starts a new stream.
func (b *Buffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.resetLocked()
}
