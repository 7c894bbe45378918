package quality

import "encoding/json"

// Warning is one way a call is going wrong that the agent can be told about.
type Warning int

// The warnings, in the order they are shown.
const (
	// WarningUnknown is the zero value: no warning.
	WarningUnknown Warning = iota
	// WarningLowMOS: the estimated MOS is below MOSThreshold.
	WarningLowMOS
	// WarningHighLoss: more than LossThresholdPct of the audio is lost, either way.
	WarningHighLoss
	// WarningHighJitter: the jitter is above JitterThresholdMs, either way.
	WarningHighJitter
	// WarningHighRTT: the round-trip time is above RTTThresholdMs.
	WarningHighRTT
	// WarningSilentMic: the agent's microphone has sent only silence for SilentMicSeconds.
	WarningSilentMic
)

// The published thresholds the warnings use: ITU-T G.107's "many users dissatisfied" boundary
// (R 70, MOS about 3.6) rounded to 3.5, G.114's 400 ms one-way planning limit applied to the round
// trip, and the usual VoIP service targets for jitter (30 ms) and loss (1 %).
const (
	MOSThreshold      = 3.5
	RTTThresholdMs    = 400
	JitterThresholdMs = 30
	LossThresholdPct  = 1
)

var warningNames = [...]string{"", "low_mos", "high_loss", "high_jitter", "high_rtt", "silent_mic"}

// String is the warning's stable name ("low_mos", "high_loss", ...), as the JSON output has it.
func (w Warning) String() string {
	if w <= WarningUnknown || int(w) >= len(warningNames) {
		return "unknown"
	}
	return warningNames[w]
}

// Text is what the agent reads on the call card.
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

// MarshalText writes the warning's name.
func (w Warning) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText reads a name written by MarshalText; an unknown name is WarningUnknown, so that a
// history written by a later version still loads.
func (w *Warning) UnmarshalText(b []byte) error {
	*w = WarningUnknown
	for i, n := range warningNames {
		if i > 0 && n == string(b) {
			*w = Warning(i)
		}
	}
	return nil
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
