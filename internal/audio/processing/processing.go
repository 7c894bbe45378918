// Package processing cleans up a call's microphone signal before it is sent: echo cancellation
// (the far end's voice coming back from the speaker), noise suppression and automatic gain
// control. It runs speexdsp (libspeexdsp, C, through cgo): its echo canceller is a multi-delay
// block frequency-domain adaptive filter, its preprocessor suppresses noise and residual echo and
// levels the talker. A build without cgo has no processing: New returns ErrUnavailable, and says so.
//
// The processor works at 16 kHz in 20 ms blocks (voice up to 8 kHz, and an echo tail of 600 ms at
// a low cost); audio at any other rate is resampled on the way in and out, so a device at any
// rate can be processed.
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
	// Tail is the longest echo path cancelled (speaker to microphone, the sound system's buffers
	// included); 0 means DefaultTail.
	Tail time.Duration
}

// DefaultTail covers a sound system's buffers on both sides plus a room's echo. 300 ms was not
// enough on PulseAudio: with a 120 ms room echo, TestEchoCancelPulseAudio's ERLE fell to 7-19 dB in
// four runs of five on an idle machine (the buffers' share varies from run to run); with 600 ms it
// reached 30-38 dB in five runs of six.
const DefaultTail = 600 * time.Millisecond

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
