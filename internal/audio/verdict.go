package audio

import "fmt"

// Verdict is the outcome of a microphone check in one word.
type Verdict int

// Verdicts.
const (
	// VerdictUnknown is the zero Verdict: no check has run.
	VerdictUnknown Verdict = iota
	// VerdictWorking: the microphone delivers sound above the silence threshold.
	VerdictWorking
	// VerdictSilent: the microphone delivers audio, but nothing above the silence threshold. It is
	// muted, turned down, or the wrong device.
	VerdictSilent
	// VerdictNoMicrophone: there is no microphone, it could not be opened, it never delivered
	// audio, or it disappeared during the check; no sound system running is also this.
	VerdictNoMicrophone
	// VerdictAccessDenied: the operating system refuses the Phonebar access to the microphone.
	VerdictAccessDenied
)

// String is the verdict in plain words, also its JSON form.
func (v Verdict) String() string {
	switch v {
	case VerdictWorking:
		return "working"
	case VerdictSilent:
		return "silent"
	case VerdictNoMicrophone:
		return "no microphone"
	case VerdictAccessDenied:
		return "access denied"
	default:
		return "unknown"
	}
}

// MarshalText implements encoding.TextMarshaler (JSON: "working", "silent", ...).
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *Verdict) UnmarshalText(b []byte) error {
	for _, c := range []Verdict{VerdictUnknown, VerdictWorking, VerdictSilent, VerdictNoMicrophone, VerdictAccessDenied} {
		if c.String() == string(b) {
			*v = c
			return nil
		}
	}
	return fmt.Errorf("audio: unknown verdict %q", b)
}
