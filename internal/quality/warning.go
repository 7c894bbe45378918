package quality

import "encoding/json"

// Warning is one way a call is going wrong that the agent can be told about. Its value is its
// stable name, as the JSON output, the history file and the window have it; the zero value is no
// warning.
type Warning string

// The warnings, in the order they are shown.
const (
	// WarningLowMOS: the estimated MOS is below MOSThreshold.
	WarningLowMOS Warning = "low_mos"
	// WarningHighLoss: more than LossThresholdPct of the audio is lost, either way.
	WarningHighLoss Warning = "high_loss"
	// WarningHighJitter: the jitter is above JitterThresholdMs, either way.
	WarningHighJitter Warning = "high_jitter"
	// WarningHighRTT: the round-trip time is above RTTThresholdMs.
	WarningHighRTT Warning = "high_rtt"
	// WarningSilentMic: the agent's microphone has sent only silence for SilentMicSeconds.
	WarningSilentMic Warning = "silent_mic"
)

// Warnings lists every warning, in the order they are shown.
var Warnings = []Warning{WarningLowMOS, WarningHighLoss, WarningHighJitter, WarningHighRTT, WarningSilentMic}

// The published thresholds the warnings use: ITU-T G.107's "many users dissatisfied" boundary
// (R 70, MOS about 3.6) rounded to 3.5, G.114's 400 ms one-way planning limit applied to the round
// trip, and the usual VoIP service targets for jitter (30 ms) and loss (1 %).
const (
	MOSThreshold      = 3.5
	RTTThresholdMs    = 400
	JitterThresholdMs = 30
	LossThresholdPct  = 1
)

// Text is what the agent reads on the call card; empty for a name this version does not know
// (a history written by a later one).
func (w Warning) Text() string {
	switch w {
	case WarningLowMOS:
		return "Poor call quality: you or the caller may be hard to understand."
	case WarningHighLoss:
		return "Audio is being lost on the network: words may drop out."
	case WarningHighJitter:
		return "The network is unsteady: the audio may sound choppy."
	case WarningHighRTT:
		return "Long delay on the line: you and the caller may talk over each other."
	case WarningSilentMic:
		return "Your microphone is sending only silence: check that it is not muted and is the right one."
	}
	return ""
}

// Level is the call quality at a glance: the indicator on the call card.
type Level int

// The levels.
const (
	// LevelUnknown: nothing measured yet (the call is not connected, or no audio flows either way).
	LevelUnknown Level = iota
	// LevelGood: MOS 4 or above over the last seconds.
	LevelGood
	// LevelFair: MOS from MOSThreshold to 4.
	LevelFair
	// LevelPoor: MOS below MOSThreshold.
	LevelPoor
)

var levelNames = [...]string{"unknown", "good", "fair", "poor"}

// String is the level's name.
func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return "unknown"
	}
	return levelNames[l]
}

// MarshalJSON writes the level's name.
func (l Level) MarshalJSON() ([]byte, error) { return json.Marshal(l.String()) }

// LevelOf is the level of a MOS (0: unknown).
func LevelOf(mos float64) Level {
	switch {
	case mos <= 0:
		return LevelUnknown
	case mos >= 4:
		return LevelGood
	case mos >= MOSThreshold:
		return LevelFair
	}
	return LevelPoor
}

// Card is a call's quality as its call card shows it: the level, the latest second's MOS estimate,
// the worse direction's loss and jitter, the round trip (each 0 while not known), and the warnings
// in force in plain words.
type Card struct {
	Level    string   `json:"level"`
	MOS      float64  `json:"mos"`
	LossPct  float64  `json:"lossPct"`
	JitterMs float64  `json:"jitterMs"`
	RTTMs    float64  `json:"rttMs"`
	Warnings []string `json:"warnings"`
	// Codes are the warnings' stable names (Warning), in the order of Warnings: the window says a
	// problem it already shows elsewhere only once (the silent microphone).
	Codes []string `json:"codes"`
}

// Card returns the report as a call card shows it.
func (r Report) Card() Card {
	l := r.Last
	c := Card{Level: r.Level.String(), MOS: l.MOS, LossPct: max(l.LossPct, l.RemoteLossPct),
		JitterMs: max(l.JitterMs, l.RemoteJitterMs), RTTMs: l.RTTMs, Warnings: []string{}, Codes: []string{}}
	for _, w := range r.Warnings {
		c.Warnings = append(c.Warnings, w.Text())
		c.Codes = append(c.Codes, string(w))
	}
	return c
}
