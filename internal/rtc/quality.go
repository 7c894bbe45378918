package rtc

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/phonebar/phonebar/internal/quality"
)

// callQuality is the quality side of a session: what the far end's RTCP reports say of the audio
// we send, how much of what the microphone gave was silence, and the Monitor that rates the call
// once a second (sampleLoop).
type callQuality struct {
	mon *quality.Monitor

	mu             sync.Mutex
	reports        uint64
	remoteLossPct  float64
	remoteJitterMs float64
	rttMs          float64
	rttKnown       bool
	// expectedLoss is what the Opus encoder plans its FEC for: initialLossPercent until the first
	// report, then the far end's loss, rising at once and easing down.
	expectedLoss float64

	// RFC 3550 interarrival jitter of the audio received, in seconds, kept here rather than taken
	// from pion's statistics, which difference the transit twice and so overstate it under jitter.
	jitterSSRC    uint32
	jitterBase    time.Time
	jitterLast    float64 // the previous packet's transit, in RTP units
	jitterHave    bool
	jitterSeconds float64

	// What arrived of each stream received (every RTP packet, telephone events too, as they share
	// its sequence numbers): RFC 3550 section 6.4.1's cumulative count of packets received and
	// lost, kept here for the same reason as the jitter and so that pion's statistics
	// interceptor, which copies every packet's header, need not run.
	inbound map[uint32]*seqCount

	fecLoss      atomic.Int32 // expectedLoss rounded, read by the send loop each frame
	sentFrames   atomic.Uint64
	silentFrames atomic.Uint64
}

// initialLossPercent is the loss the Opus encoder plans for before the far end has reported any:
// moderate, as most calls start without knowing.
const initialLossPercent = 10

// silentPeak is the largest sample of a frame that still counts as silence: a muted or dead
// microphone gives digital zeros, a live one in a quiet room stays well above it.
const silentPeak = 4

func newCallQuality() *callQuality {
	q := &callQuality{mon: quality.NewMonitor(), expectedLoss: initialLossPercent}
	q.fecLoss.Store(initialLossPercent)
	return q
}

// sent counts one frame of the microphone sent.
func (q *callQuality) sent(pcm []int16) {
	q.sentFrames.Add(1)
	for _, v := range pcm {
		if v > silentPeak || v < -silentPeak {
			return
		}
	}
	q.silentFrames.Add(1)
}

// seqCount is one received stream's sequence accounting.
type seqCount struct {
	first, highest, last uint64 // extended sequence numbers
	received             uint64
}

// maxInbound is how many streams a call keeps counts for: a re-INVITE or a transfer brings a new
// SSRC now and then, never many.
const maxInbound = 16

// counted takes one RTP packet received, of any payload type.
func (q *callQuality) counted(ssrc uint32, seq uint16) {
	q.mu.Lock()
	defer q.mu.Unlock()
	c, ok := q.inbound[ssrc]
	if !ok {
		if q.inbound == nil {
			q.inbound = map[uint32]*seqCount{}
		}
		if len(q.inbound) >= maxInbound {
			return
		}
		ext := uint64(seq) + 1<<32 // room below for packets reordered before the first
		c = &seqCount{first: ext, highest: ext, last: ext}
		q.inbound[ssrc] = c
	} else {
		// The extended number nearest the last one: forward up to half the sequence space,
		// backward (reordered) otherwise.
		step := seq - uint16(c.last)
		ext := c.last + uint64(step)
		if step >= 1<<15 {
			ext -= 1 << 16
		}
		c.last = ext
		c.highest = max(c.highest, ext)
		c.first = min(c.first, ext)
	}
	c.received++
}

// receivedLost is RFC 3550's cumulative packets received and lost (expected less received, which
// duplicates can make negative), summed over the streams received.
func (q *callQuality) receivedLost() (received, lost int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, c := range q.inbound {
		received += int64(c.received)
		lost += int64(c.highest-c.first+1) - int64(c.received)
	}
	return received, lost
}

// arrived takes the arrival of one audio packet of ssrc with RTP timestamp ts at clockRate: RFC
// 3550 section 6.4.1's jitter, J += (|D| − J)/16, with D the change of transit time.
func (q *callQuality) arrived(ssrc, ts uint32, clockRate int, at time.Time) {
	if clockRate <= 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if ssrc != q.jitterSSRC || q.jitterBase.IsZero() {
		q.jitterSSRC, q.jitterBase, q.jitterHave = ssrc, at, false
	}
	arrival := at.Sub(q.jitterBase).Seconds() * float64(clockRate)
	transit := arrival - float64(ts)
	if q.jitterHave {
		d := math.Abs(transit - q.jitterLast)
		// A timestamp wrap or a jump of the far end's clock is no jitter.
		if d < float64(clockRate) {
			q.jitterSeconds += (d/float64(clockRate) - q.jitterSeconds) / 16
		}
	}
	q.jitterLast, q.jitterHave = transit, true
}

// rtcp takes the RTCP packets the far end sent: the report blocks about ssrc (the stream we send,
// at clockRate) give its loss, jitter and, with the time of our last sender report, the round trip.
func (q *callQuality) rtcp(pkts []rtcp.Packet, ssrc, clockRate uint32, now time.Time) {
	for _, p := range pkts {
		var blocks []rtcp.ReceptionReport
		switch p := p.(type) {
		case *rtcp.ReceiverReport:
			blocks = p.Reports
		case *rtcp.SenderReport:
			blocks = p.Reports
		}
		for _, b := range blocks {
			if b.SSRC == ssrc && ssrc != 0 {
				q.report(b, clockRate, now)
			}
		}
	}
}

func (q *callQuality) report(b rtcp.ReceptionReport, clockRate uint32, now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.reports++
	q.remoteLossPct = 100 * float64(b.FractionLost) / 256
	if clockRate > 0 {
		q.remoteJitterMs = 1000 * float64(b.Jitter) / float64(clockRate)
	}
	if rtt, ok := roundTrip(b, now); ok {
		q.rttMs, q.rttKnown = float64(rtt)/float64(time.Millisecond), true
	}
	// FEC costs bits: plan for the loss the far end sees, at once when it rises, and ease down
	// when it falls, so that one clean report in a lossy stretch does not drop the protection.
	if q.remoteLossPct >= q.expectedLoss {
		q.expectedLoss = q.remoteLossPct
	} else {
		q.expectedLoss = 0.7*q.expectedLoss + 0.3*q.remoteLossPct
	}
	q.fecLoss.Store(int32(math.Ceil(q.expectedLoss)))
}

// roundTrip is RFC 3550's round-trip time from a report block: the middle 32 bits of the NTP time
// now, less the time of our sender report it answers (LSR) and the far end's delay since (DLSR),
// in 1/65536 s. A block that answers no sender report gives none.
func roundTrip(b rtcp.ReceptionReport, now time.Time) (time.Duration, bool) {
	if b.LastSenderReport == 0 {
		return 0, false
	}
	d := ntpMiddle(now) - b.LastSenderReport - b.Delay
	if d > 1<<30 { // "negative": clocks or a report out of order
		return 0, false
	}
	return time.Duration(uint64(d) * uint64(time.Second) >> 16), true
}

// ntpMiddle is the middle 32 bits of t as an NTP timestamp (16 bits of seconds, 16 of fraction).
func ntpMiddle(t time.Time) uint32 {
	const ntpEpochOffset = 2208988800 // seconds from 1900 to 1970
	secs := uint64(t.Unix()) + ntpEpochOffset
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return uint32(secs<<16 | frac>>16)
}

// counters reads the session's media counters for the Monitor.
func (s *Session) counters(now time.Time) quality.Counters {
	var st Stats
	s.rx.fill(&st)
	c := quality.Counters{At: now, Codec: codecName(st.ReceivedCodec),
		DecodedFrames: st.DecodedFrames, ConcealedFrames: st.ConcealedFrames, FECFrames: st.FECFrames,
		JitterBufferMs: float64(st.JitterDelay) / float64(time.Millisecond),
		SentFrames:     s.q.sentFrames.Load(), SilentFrames: s.q.silentFrames.Load()}
	c.PacketsReceived, c.PacketsLost = s.q.receivedLost()
	q := s.q
	q.mu.Lock()
	c.JitterMs = 1000 * q.jitterSeconds
	c.Reports, c.RemoteLossPct, c.RemoteJitterMs, c.RTTMs, c.RTTKnown = q.reports, q.remoteLossPct, q.remoteJitterMs, q.rttMs, q.rttKnown
	q.mu.Unlock()
	return c
}

// codecName is a codec's name as the quality package takes it.
func codecName(s string) string {
	switch s {
	case "PCMU":
		return "pcmu"
	case "PCMA":
		return "pcma"
	case "opus", "OPUS", "Opus":
		return "opus"
	}
	return s
}

// sampleInterval is how often the call's quality is rated.
const sampleInterval = time.Second

// sampleLoop rates the call once a second until the session closes.
func (s *Session) sampleLoop() {
	tick := time.NewTicker(sampleInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-tick.C:
			s.q.mon.Add(s.counters(now))
		}
	}
}

// readRTCP reads the RTCP of one sender or receiver until it closes: reading is what lets pion's
// interceptors (reports, statistics) see it, and the report blocks about our stream feed the
// call's quality.
func (s *Session) readRTCP(read func() ([]rtcp.Packet, error)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			pkts, err := read()
			if err != nil {
				return
			}
			_, ssrc, send, _ := s.track.binding()
			s.q.rtcp(pkts, ssrc, send.ClockRate, time.Now())
		}
	}()
}

// senderRTCP starts reading the RTCP of a sender.
func (s *Session) senderRTCP(snd *webrtc.RTPSender) {
	if snd == nil {
		return
	}
	s.readRTCP(func() ([]rtcp.Packet, error) { p, _, err := snd.ReadRTCP(); return p, err })
}

// receiverRTCP starts reading the RTCP of a receiver.
func (s *Session) receiverRTCP(rcv *webrtc.RTPReceiver) {
	s.readRTCP(func() ([]rtcp.Packet, error) { p, _, err := rcv.ReadRTCP(); return p, err })
}

// Quality is the call's quality now: the latest second, the level, the warnings in force and the
// summary so far. It stays readable after Close.
func (s *Session) Quality() quality.Report { return s.q.mon.Report() }
