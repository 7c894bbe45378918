//go:build !cgo || phonebar_noopus

package codec

const opusAvailable = false

func newOpus(Options) (Codec, error) { return nil, ErrOpusUnavailable }
