package quality

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Counters are a call's media counters at one moment, cumulative since the call's media began.
// The rtc package fills them once a second.
type Counters struct {
	// At is when they were read.
	At time.Time
	// Codec is the codec received ("opus", "pcmu", "pcma"); empty before any audio.
	Codec string

	// PacketsReceived and PacketsLost count the far end's audio packets that arrived and that
	// never did (from the sequence numbers); JitterMs is RFC 3550's interarrival jitter now.
	PacketsReceived, PacketsLost int64
	JitterMs                     float64
	// DecodedFrames were played from their packet; ConcealedFrames were made up for a packet
	// missing at its turn, FECFrames of them rebuilt from forward error correction.
	DecodedFrames, ConcealedFrames, FECFrames uint64
	// JitterBufferMs is the delay the jitter buffer keeps now.
	JitterBufferMs float64

	// Reports counts the far end's RTCP report blocks on the audio we send. The latest says which
	// share of it was lost (RemoteLossPct, 0 to 100) and the far end's jitter (RemoteJitterMs).
	Reports        uint64
	RemoteLossPct  float64
	RemoteJitterMs float64
	// RTTMs is the latest round-trip time a report gave; RTTKnown says whether any did.
	RTTMs    float64
	RTTKnown bool

	// SentFrames counts the microphone frames sent; SilentFrames those of them that were silence.
	SentFrames, SilentFrames uint64
}

// Second is the quality of one interval between two Counters (a second, as the rtc package samples).
type Second struct {
	At time.Time `json:"at"`
	// Receiving says the far end's audio arrived in this interval; the receive figures are zero
	// when it did not (before the first packet, on hold).
	Receiving bool `json:"receiving"`
	// LossPct is the share of the far end's packets lost on the network; ConcealedPct the share of
	// the frames played that were made up (FEC-rebuilt ones included); JitterMs the jitter.
	LossPct      float64 `json:"loss_pct"`
	ConcealedPct float64 `json:"concealed_pct"`
	JitterMs     float64 `json:"jitter_ms"`
	// Reported says a far-end report is at hand; RemoteLossPct and RemoteJitterMs are its figures
	// on the audio we send.
	Reported       bool    `json:"reported"`
	RemoteLossPct  float64 `json:"remote_loss_pct"`
	RemoteJitterMs float64 `json:"remote_jitter_ms"`
	// RTTMs is the latest round-trip time, when RTTKnown.
	RTTKnown bool    `json:"rtt_known"`
	RTTMs    float64 `json:"rtt_ms"`
	// MOS is the E-model estimate of the worse direction that could be rated (what the agent
	// hears; what the far end hears, from its reports); 0 when neither could.
	MOS float64 `json:"mos"`
	// MicSilent says the microphone sent frames in this interval and all were silence.
	MicSilent bool `json:"mic_silent"`
}

// Rated says the second has a MOS.
func (s Second) Rated() bool { return s.MOS > 0 }

// Summary is the quality of a whole call, for the history and the command line.
type Summary struct {
	// Seconds counts the seconds rated.
	Seconds int `json:"seconds"`
	// MOS is the mean of the per-second MOS, MOSMin the lowest; 0 when no second was rated.
	MOS    float64 `json:"mos"`
	MOSMin float64 `json:"mos_min"`
	// LossPct is the share of the far end's packets lost over the call; ConcealedPct the share of
	// the frames played that were made up; RemoteLossPct the mean of the far end's reports.
	LossPct       float64 `json:"loss_pct"`
	ConcealedPct  float64 `json:"concealed_pct"`
	RemoteLossPct float64 `json:"remote_loss_pct"`
	// JitterMs is the mean jitter of the seconds with audio; RTTMs the mean round-trip time of the
	// seconds that had one (0: none known).
	JitterMs float64 `json:"jitter_ms"`
	RTTMs    float64 `json:"rtt_ms"`
	// Warnings are every warning raised during the call, in the order first raised.
	Warnings []Warning `json:"warnings"`
}

// Report is the quality of a call now: the latest second, the level for the indicator, the
// warnings in force, and the summary so far.
type Report struct {
	Last     Second
	Level    Level
	Warnings []Warning
	Summary  Summary
}

// Window is how many of the latest seconds a warning looks at: it is in force while its threshold
// was crossed in most of them (WindowMajority), so that one bad second does not flash a warning.
const (
	Window           = 5
	WindowMajority   = Window/2 + 1
	SilentMicSeconds = 5
)

// Monitor rates a call second by second. Feed it Counters with Add; read it with Report. It is
// safe for concurrent use.
type Monitor struct {
	mu     sync.Mutex
	prev   Counters
	recent []Second // the latest Window seconds, oldest first
	silent int      // consecutive seconds of a silent microphone
	active []Warning
	raised []Warning

	rated                  int
	mosSum, mosMin         float64
	jitterSum              float64
	jitterN                int
	rttSum                 float64
	rttN                   int
	remoteLossSum          float64
	remoteLossN            int
	last                   Counters
	decodedAll, concealAll uint64
	receivedAll, lostAll   int64
}

// NewMonitor returns a Monitor for a call whose counters start at zero.
func NewMonitor() *Monitor { return &Monitor{} }

// Add takes the counters now and returns the quality of the interval since the previous ones.
func (m *Monitor) Add(c Counters) Second {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := rate(m.prev, c)
	m.prev, m.last = c, c
	m.recent = append(m.recent, s)
	if len(m.recent) > Window {
		m.recent = m.recent[len(m.recent)-Window:]
	}
	if s.MicSilent {
		m.silent++
	} else if c.SentFrames != 0 {
		m.silent = 0
	}
	if s.Rated() {
		if m.rated == 0 || s.MOS < m.mosMin {
			m.mosMin = s.MOS
		}
		m.rated++
		m.mosSum += s.MOS
	}
	if s.Receiving {
		m.jitterSum += s.JitterMs
		m.jitterN++
	}
	if s.RTTKnown {
		m.rttSum += s.RTTMs
		m.rttN++
	}
	if s.Reported {
		m.remoteLossSum += s.RemoteLossPct
		m.remoteLossN++
	}
	m.active = m.warningsLocked()
	for _, w := range m.active {
		if !slices.Contains(m.raised, w) {
			m.raised = append(m.raised, w)
		}
	}
	return s
}

// warningsLocked are the warnings in force after the latest second.
func (m *Monitor) warningsLocked() []Warning {
	var out []Warning
	count := func(crossed func(Second) bool) int {
		n := 0
		for _, s := range m.recent {
			if crossed(s) {
				n++
			}
		}
		return n
	}
	checks := []struct {
		w       Warning
		crossed func(Second) bool
	}{
		{WarningLowMOS, func(s Second) bool { return s.Rated() && s.MOS < MOSThreshold }},
		{WarningHighLoss, func(s Second) bool {
			return (s.Receiving && s.LossPct > LossThresholdPct) || (s.Reported && s.RemoteLossPct > LossThresholdPct)
		}},
		{WarningHighJitter, func(s Second) bool {
			return (s.Receiving && s.JitterMs > JitterThresholdMs) || (s.Reported && s.RemoteJitterMs > JitterThresholdMs)
		}},
		{WarningHighRTT, func(s Second) bool { return s.RTTKnown && s.RTTMs > RTTThresholdMs }},
	}
	for _, c := range checks {
		if count(c.crossed) >= WindowMajority {
			out = append(out, c.w)
		}
	}
	if m.silent >= SilentMicSeconds {
		out = append(out, WarningSilentMic)
	}
	return out
}

// Report returns the quality now.
func (m *Monitor) Report() Report {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := Report{Warnings: slices.Clone(m.active), Summary: m.summaryLocked()}
	if n := len(m.recent); n > 0 {
		r.Last = m.recent[n-1]
	}
	var sum float64
	var n int
	for _, s := range m.recent {
		if s.Rated() {
			sum += s.MOS
			n++
		}
	}
	if n > 0 {
		r.Level = LevelOf(sum / float64(n))
	}
	return r
}

func (m *Monitor) summaryLocked() Summary {
	c := m.last
	s := Summary{Seconds: m.rated, MOSMin: round(m.mosMin, 2), Warnings: slices.Clone(m.raised)}
	if s.Warnings == nil {
		s.Warnings = []Warning{}
	}
	if m.rated > 0 {
		s.MOS = round(m.mosSum/float64(m.rated), 2)
	}
	if exp := c.PacketsReceived + c.PacketsLost; exp > 0 && c.PacketsLost > 0 {
		s.LossPct = round(100*float64(c.PacketsLost)/float64(exp), 2)
	}
	if played := c.DecodedFrames + c.ConcealedFrames; played > 0 {
		s.ConcealedPct = round(100*float64(c.ConcealedFrames)/float64(played), 2)
	}
	if m.jitterN > 0 {
		s.JitterMs = round(m.jitterSum/float64(m.jitterN), 1)
	}
	if m.rttN > 0 {
		s.RTTMs = round(m.rttSum/float64(m.rttN), 1)
	}
	if m.remoteLossN > 0 {
		s.RemoteLossPct = round(m.remoteLossSum/float64(m.remoteLossN), 2)
	}
	return s
}

// packetMs is the packet time the delay estimate assumes (this phone and browsers send 20 ms).
const packetMs = 20

// rate works out one interval from the counters at its start (a) and end (b).
func rate(a, b Counters) Second {
	s := Second{At: b.At, RTTKnown: b.RTTKnown, RTTMs: b.RTTMs}
	received := b.PacketsReceived - a.PacketsReceived
	lost := max(0, b.PacketsLost-a.PacketsLost)
	decoded := sub(b.DecodedFrames, a.DecodedFrames)
	concealed := sub(b.ConcealedFrames, a.ConcealedFrames)
	fec := sub(b.FECFrames, a.FECFrames)
	played := decoded + concealed
	s.Receiving = received > 0
	half := 0.0
	if b.RTTKnown {
		half = b.RTTMs / 2
	}
	var mos []float64
	if s.Receiving {
		s.LossPct = pct(float64(lost), float64(received+lost))
		s.JitterMs = b.JitterMs
		heardLoss := s.LossPct
		if played > 0 {
			s.ConcealedPct = pct(float64(concealed), float64(played))
			// What the agent missed: frames made up by concealment, not those FEC rebuilt.
			heardLoss = pct(float64(sub(concealed, fec)), float64(played))
		}
		mos = append(mos, Estimate(Impairments{Codec: b.Codec, LossPct: heardLoss,
			DelayMs: half + b.JitterBufferMs + packetMs + codecDelayMs(b.Codec)}))
	}
	if b.Reports > 0 {
		s.Reported = true
		s.RemoteLossPct, s.RemoteJitterMs = b.RemoteLossPct, b.RemoteJitterMs
		if s.Receiving || sub(b.SentFrames, a.SentFrames) > 0 {
			// The far end's buffer is unknown: take twice its jitter, at least a packet.
			buffer := math.Max(packetMs, 2*b.RemoteJitterMs)
			mos = append(mos, Estimate(Impairments{Codec: b.Codec, LossPct: b.RemoteLossPct,
				DelayMs: half + buffer + packetMs + codecDelayMs(b.Codec)}))
		}
	}
	if len(mos) > 0 {
		s.MOS = round(slices.Min(mos), 2)
	}
	s.LossPct, s.ConcealedPct, s.JitterMs = round(s.LossPct, 2), round(s.ConcealedPct, 2), round(s.JitterMs, 1)
	sent := sub(b.SentFrames, a.SentFrames)
	s.MicSilent = sent > 0 && sub(b.SilentFrames, a.SilentFrames) >= sent
	return s
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

func pct(part, whole float64) float64 {
	if whole <= 0 {
		return 0
	}
	return 100 * part / whole
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
