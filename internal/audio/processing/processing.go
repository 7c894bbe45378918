// Package processing cleans up a call's microphone signal before it is sent: echo cancellation
// (the far end's voice coming back from the speaker), noise suppression and automatic gain
// control. It runs speexdsp (libspeexdsp, C, through cgo): its echo canceller is a multi-delay
// block frequency-domain adaptive filter, its preprocessor suppresses noise and residual echo and
// levels the talker. A build without cgo has no processing: New returns ErrUnavailable, and says so.
//
// The processor works at 16 kHz in 20 ms blocks (voice up to 8 kHz at a low cost); audio at any
// other rate is resampled on the way in and out, so a device at any rate can be processed.
//
// The echo comes back after the sound system's buffers on both sides and the room's own delay,
// which together vary from one call (and one machine) to the next, from tens of milliseconds to
// half a second on PulseAudio. Rather than a filter long enough for the worst case, the processor
// measures that delay (delay.go: the reference cross-correlated with the microphone, up to a
// second) and hands the canceller the reference that much earlier, less a margin: its filter then
// covers the room's echo, whatever the buffers hold. On a busy machine the buffers' share moves
// during the call (the speaker plays a gap, the microphone loses a few milliseconds); the processor
// notices the canceller failing, measures the move to the sample (follow.go) and moves the
// reference by as much, keeping the canceller's filter, which fits again at once.
package processing

import (
	"errors"
	"strings"
	"time"
)

// ErrUnavailable is returned by New in a build without cgo: no processing is available.
var ErrUnavailable = errors.New("processing: echo cancellation, noise suppression and gain control are unavailable in this build (it was built without cgo)")

// Feature is one kind of processing.
type Feature int

// Features.
const (
	// FeatureUnknown is the zero Feature.
	FeatureUnknown Feature = iota
	// EchoCancel removes the far end's voice that the microphone picks up from the speaker.
	EchoCancel
	// NoiseSuppress lowers steady background noise.
	NoiseSuppress
	// GainControl brings the talker to a steady level.
	GainControl
)

// String is the short name calls report ("aec", "ns", "agc").
func (f Feature) String() string {
	switch f {
	case EchoCancel:
		return "aec"
	case NoiseSuppress:
		return "ns"
	case GainControl:
		return "agc"
	default:
		return "unknown"
	}
}

// Options choose the processing. The zero value processes nothing.
type Options struct {
	// Rate is the sample rate of the audio given to Process; 0 means 48000.
	Rate int
	// EchoCancel, NoiseSuppress and GainControl turn each feature on.
	EchoCancel, NoiseSuppress, GainControl bool
	// Tail is the length of the echo cancelled, counted from a little before the echo delay
	// measured (the sound system's buffers and the room's direct path); 0 means DefaultTail.
	Tail time.Duration
}

// DefaultTail is the canceller's filter once lined up with the measured delay: 40 ms of margin
// before the echo's direct path and 160 ms of the room's reverberation after it. Before the
// delay was measured the filter had to cover the buffers too: 600 ms, and TestEchoCancelPulseAudio
// still failed about one run in six when they held more than that.
const DefaultTail = 200 * time.Millisecond

// Features lists the features the options turn on, in a fixed order.
func (o Options) Features() []Feature {
	var out []Feature
	if o.EchoCancel {
		out = append(out, EchoCancel)
	}
	if o.NoiseSuppress {
		out = append(out, NoiseSuppress)
	}
	if o.GainControl {
		out = append(out, GainControl)
	}
	return out
}

// Any reports whether any feature is on.
func (o Options) Any() bool { return o.EchoCancel || o.NoiseSuppress || o.GainControl }

// Names returns the short names of features, as calls report them.
func Names(fs []Feature) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.String())
	}
	return out
}

// String lists the features on ("aec,ns,agc"), "none" for none.
func (o Options) String() string {
	if !o.Any() {
		return "none"
	}
	return strings.Join(Names(o.Features()), ",")
}

// procRate and procFrame are the processor's own rate and block.
const (
	procRate  = 16000
	procFrame = procRate / 50 // 20 ms
)
