// Package codec holds the Phonebar's voice codecs behind one interface: G.711 μ-law (PCMU) and
// A-law (PCMA) in pure Go, and Opus through cgo against the system libopus (see opus.go; built
// without cgo, or with the tag phonebar_noopus, New(Opus) returns ErrOpusUnavailable).
//
// A Codec is one direction-independent codec instance holding the state of one stream: give each
// call its own, and do not share one between goroutines.
package codec

import (
	"fmt"
	"strings"
	"time"
)

// Codec encodes and decodes mono 16-bit PCM at SampleRate.
type Codec interface {
	// ID tells which codec this is.
	ID() ID
	// Name is the codec's SDP encoding name: "PCMU", "PCMA" or "opus".
	Name() string
	// ClockRate is the RTP timestamp rate in Hz (8000 for G.711, 48000 for Opus).
	ClockRate() int
	// SampleRate is the rate of the PCM that Encode takes and Decode returns.
	SampleRate() int
	// Encode compresses one frame of pcm into out and returns the number of bytes written.
	Encode(pcm []int16, out []byte) (int, error)
	// Decode expands one payload into pcm and returns the number of samples written.
	Decode(payload []byte, pcm []int16) (int, error)
	// Close frees the codec's resources; the codec is unusable afterwards. Closing twice is harmless.
	Close() error
}

// Concealer is implemented by codecs with their own packet-loss concealment (Opus). Conceal writes
// one frame's worth of made-up audio (len(pcm) samples, a valid frame size) for a packet that never
// came.
type Concealer interface {
	Conceal(pcm []int16) (int, error)
}

// FECDecoder is implemented by codecs that carry a copy of the previous frame inside the next
// packet (Opus in-band FEC). DecodeFEC recovers the frame before payload into pcm, whose length
// must be that frame's size; HasFEC reports whether payload carries such a copy at all (without
// one, DecodeFEC only conceals).
type FECDecoder interface {
	DecodeFEC(payload []byte, pcm []int16) (int, error)
	HasFEC(payload []byte) bool
}

// LossTuner is implemented by encoders that protect their stream against loss (Opus in-band FEC):
// SetExpectedLoss tells them how much loss to plan for, in percent, as the far end reports it.
type LossTuner interface {
	SetExpectedLoss(percent int) error
}

// ID names a codec.
type ID int

// The codecs.
const (
	// Unknown is the zero ID: no codec.
	Unknown ID = iota
	// PCMU is G.711 μ-law, 8 kHz, 64 kbit/s (RTP static payload type 0).
	PCMU
	// PCMA is G.711 A-law, 8 kHz, 64 kbit/s (RTP static payload type 8).
	PCMA
	// Opus is Opus at 48 kHz, mono (RFC 7587).
	Opus
)

// String returns the SDP encoding name.
func (id ID) String() string {
	switch id {
	case PCMU:
		return "PCMU"
	case PCMA:
		return "PCMA"
	case Opus:
		return "opus"
	default:
		return "unknown"
	}
}

// ClockRate is the RTP clock rate of the codec, 0 for Unknown.
func (id ID) ClockRate() int {
	switch id {
	case PCMU, PCMA:
		return 8000
	case Opus:
		return 48000
	default:
		return 0
	}
}

// FrameSamples is the number of PCM samples in one frame of duration d at this codec's sample rate.
func (id ID) FrameSamples(d time.Duration) int {
	return int(int64(id.ClockRate()) * int64(d) / int64(time.Second))
}

// Parse finds a codec by its SDP encoding name, ignoring case.
func Parse(name string) (ID, error) {
	for _, id := range []ID{PCMU, PCMA, Opus} {
		if strings.EqualFold(name, id.String()) {
			return id, nil
		}
	}
	return Unknown, fmt.Errorf("%w: %q (known: PCMU, PCMA, opus)", ErrUnknownCodec, name)
}

// FrameDuration is the packet time the Phonebar uses for every codec.
const FrameDuration = 20 * time.Millisecond

// Options tune New. The zero value is the Phonebar's default for each codec.
type Options struct {
	// Bitrate for Opus in bit/s; 0 means 32000, comfortable wideband voice.
	Bitrate int
	// Complexity for the Opus encoder, 0-10; 0 means 5, which halves the CPU of 10 for little loss
	// in voice quality. Use -1 for the lowest complexity (0).
	Complexity int
	// FEC turns on Opus in-band forward error correction, expecting ExpectedLossPercent loss.
	FEC                 bool
	ExpectedLossPercent int
}

// New returns a fresh codec instance for one stream.
func New(id ID, opts Options) (Codec, error) {
	switch id {
	case PCMU:
		return NewPCMU(), nil
	case PCMA:
		return NewPCMA(), nil
	case Opus:
		return newOpus(opts)
	default:
		return nil, fmt.Errorf("%w: %v", ErrUnknownCodec, id)
	}
}

// Available reports whether New can build the codec in this binary (Opus needs cgo and libopus).
func Available(id ID) bool {
	switch id {
	case PCMU, PCMA:
		return true
	case Opus:
		return opusAvailable
	default:
		return false
	}
}
