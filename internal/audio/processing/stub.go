//go:build !cgo

package processing

import "time"

// Available reports whether this build can process audio: not without cgo.
func Available() bool { return false }

// Processor is unavailable without cgo.
type Processor struct{}

// New returns ErrUnavailable: this build has no processing.
func New(Options) (*Processor, error) { return nil, ErrUnavailable }

// Features returns nothing: no processing is in effect.
func (*Processor) Features() []Feature { return nil }

// Process leaves the audio as it is.
func (*Processor) Process(pcm, reference []int16) {}

// EchoDelay reports no delay: nothing is measured.
func (*Processor) EchoDelay() (time.Duration, bool) { return 0, false }

// Close does nothing.
func (*Processor) Close() {}
