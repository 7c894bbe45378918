package codec

import "errors"

var (
	// ErrUnknownCodec is returned for a codec name or ID the Phonebar does not have.
	ErrUnknownCodec = errors.New("codec: unknown codec")
	// ErrBufferTooSmall is returned when the output buffer cannot hold the result.
	ErrBufferTooSmall = errors.New("codec: output buffer too small")
	// ErrFrameSize is returned when a frame is not a size the codec accepts (Opus: 2.5, 5, 10, 20,
	// 40 or 60 ms).
	ErrFrameSize = errors.New("codec: invalid frame size")
	// ErrCorrupt is returned when a payload cannot be decoded.
	ErrCorrupt = errors.New("codec: corrupt payload")
	// ErrClosed is returned by a codec used after Close.
	ErrClosed = errors.New("codec: used after Close")
	// ErrOpusUnavailable is returned by New(Opus) in a build without cgo or without libopus (tag
	// phonebar_noopus): offer only PCMU and PCMA then.
	ErrOpusUnavailable = errors.New("codec: this build has no Opus support (it needs cgo and libopus); use PCMU or PCMA")
)
