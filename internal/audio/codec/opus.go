//go:build cgo && !phonebar_noopus

package codec

/*
#cgo pkg-config: opus
#include <opus.h>

// opus_encoder_ctl and opus_decoder_ctl are variadic macros-backed calls that cgo cannot make
// directly, so each setting the Phonebar uses gets a small fixed-signature wrapper.
static int pb_opus_set_bitrate(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_BITRATE(v)); }
static int pb_opus_set_complexity(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(v)); }
static int pb_opus_set_fec(OpusEncoder *e, opus_int32 on, opus_int32 loss) {
	int r = opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(on));
	if (r != OPUS_OK) return r;
	return opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(loss));
}
static int pb_opus_set_loss(OpusEncoder *e, opus_int32 loss) { return opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(loss)); }
static int pb_opus_set_signal_voice(OpusEncoder *e) { return opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)); }
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

const opusAvailable = true

// opusRate is the only rate the Phonebar runs Opus at: RFC 7587 fixes the RTP clock at 48 kHz, and
// capturing at 48 kHz spares a resampling step on most devices.
const opusRate = 48000

// opusMaxFrame is 120 ms at 48 kHz, the longest frame an Opus packet can hold.
const opusMaxFrame = 5760

// OpusCodec is an Opus encoder and decoder pair for one mono 48 kHz stream, backed by libopus.
type OpusCodec struct {
	mu      sync.Mutex // guards the C state against Close racing a call
	enc     *C.OpusEncoder
	dec     *C.OpusDecoder
	cleanup runtime.Cleanup
}

func newOpus(opts Options) (Codec, error) {
	var errc C.int
	enc := C.opus_encoder_create(opusRate, 1, C.OPUS_APPLICATION_VOIP, &errc)
	if errc != C.OPUS_OK || enc == nil {
		return nil, fmt.Errorf("codec: creating the Opus encoder: %s", opusError(errc))
	}
	dec := C.opus_decoder_create(opusRate, 1, &errc)
	if errc != C.OPUS_OK || dec == nil {
		C.opus_encoder_destroy(enc)
		return nil, fmt.Errorf("codec: creating the Opus decoder: %s", opusError(errc))
	}
	o := &OpusCodec{enc: enc, dec: dec}
	// A forgotten Close must not leak the C state for the life of the process.
	o.cleanup = runtime.AddCleanup(o, func(p [2]unsafe.Pointer) {
		C.opus_encoder_destroy((*C.OpusEncoder)(p[0]))
		C.opus_decoder_destroy((*C.OpusDecoder)(p[1]))
	}, [2]unsafe.Pointer{unsafe.Pointer(enc), unsafe.Pointer(dec)})

	bitrate := opts.Bitrate
	if bitrate == 0 {
		bitrate = 32000
	}
	complexity := opts.Complexity
	switch {
	case complexity == 0:
		complexity = 5
	case complexity < 0:
		complexity = 0
	case complexity > 10:
		complexity = 10
	}
	fec, loss := C.opus_int32(0), C.opus_int32(0)
	if opts.FEC {
		fec, loss = 1, C.opus_int32(max(0, min(100, opts.ExpectedLossPercent)))
	}
	for _, set := range []struct {
		what string
		r    C.int
	}{
		{"bitrate", C.pb_opus_set_bitrate(enc, C.opus_int32(bitrate))},
		{"complexity", C.pb_opus_set_complexity(enc, C.opus_int32(complexity))},
		{"FEC", C.pb_opus_set_fec(enc, fec, loss)},
		{"signal type", C.pb_opus_set_signal_voice(enc)},
	} {
		if set.r != C.OPUS_OK {
			o.Close()
			return nil, fmt.Errorf("codec: setting the Opus %s: %s", set.what, opusError(set.r))
		}
	}
	return o, nil
}

// ID implements Codec.
func (o *OpusCodec) ID() ID { return Opus }

// Name implements Codec.
func (o *OpusCodec) Name() string { return "opus" }

// ClockRate implements Codec.
func (o *OpusCodec) ClockRate() int { return opusRate }

// SampleRate implements Codec.
func (o *OpusCodec) SampleRate() int { return opusRate }

// Encode implements Codec. pcm must be 2.5, 5, 10, 20, 40 or 60 ms at 48 kHz.
func (o *OpusCodec) Encode(pcm []int16, out []byte) (int, error) {
	switch len(pcm) {
	case 120, 240, 480, 960, 1920, 2880:
	default:
		return 0, fmt.Errorf("%w: %d samples at 48 kHz", ErrFrameSize, len(pcm))
	}
	if len(out) == 0 {
		return 0, fmt.Errorf("%w: empty output", ErrBufferTooSmall)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.enc == nil {
		return 0, ErrClosed
	}
	n := C.opus_encode(o.enc, (*C.opus_int16)(unsafe.Pointer(&pcm[0])), C.int(len(pcm)),
		(*C.uchar)(unsafe.Pointer(&out[0])), C.opus_int32(len(out)))
	if n < 0 {
		if n == C.OPUS_BUFFER_TOO_SMALL {
			return 0, fmt.Errorf("%w: %d bytes", ErrBufferTooSmall, len(out))
		}
		return 0, fmt.Errorf("codec: Opus encode: %s", opusError(C.int(n)))
	}
	return int(n), nil
}

// Decode implements Codec. pcm must hold the packet's frame (960 samples for 20 ms).
func (o *OpusCodec) Decode(payload []byte, pcm []int16) (int, error) {
	if len(payload) == 0 {
		return 0, fmt.Errorf("%w: empty packet", ErrCorrupt)
	}
	return o.decode(payload, pcm, 0)
}

// Conceal implements Concealer with libopus's own loss concealment.
func (o *OpusCodec) Conceal(pcm []int16) (int, error) { return o.decode(nil, pcm, 0) }

// DecodeFEC implements FECDecoder: it recovers the frame lost before payload, if payload carries
// FEC data, or conceals it otherwise.
func (o *OpusCodec) DecodeFEC(payload []byte, pcm []int16) (int, error) {
	return o.decode(payload, pcm, 1)
}

// HasFEC implements FECDecoder (OpusHasFEC).
func (o *OpusCodec) HasFEC(payload []byte) bool { return OpusHasFEC(payload) }

func (o *OpusCodec) decode(payload []byte, pcm []int16, fec C.int) (int, error) {
	if len(pcm) == 0 {
		return 0, fmt.Errorf("%w: empty output", ErrBufferTooSmall)
	}
	frame := min(len(pcm), opusMaxFrame)
	if payload == nil || fec == 1 {
		// Concealment and FEC produce exactly the requested size, which must be a multiple of 2.5 ms.
		if frame%120 != 0 {
			return 0, fmt.Errorf("%w: %d samples at 48 kHz", ErrFrameSize, frame)
		}
	}
	var data *C.uchar
	if len(payload) > 0 {
		data = (*C.uchar)(unsafe.Pointer(&payload[0]))
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dec == nil {
		return 0, ErrClosed
	}
	n := C.opus_decode(o.dec, data, C.opus_int32(len(payload)),
		(*C.opus_int16)(unsafe.Pointer(&pcm[0])), C.int(frame), fec)
	if n < 0 {
		switch n {
		case C.OPUS_BUFFER_TOO_SMALL:
			return 0, fmt.Errorf("%w: %d samples", ErrBufferTooSmall, len(pcm))
		case C.OPUS_INVALID_PACKET:
			return 0, fmt.Errorf("%w: %s", ErrCorrupt, opusError(n))
		}
		return 0, fmt.Errorf("codec: Opus decode: %s", opusError(n))
	}
	return int(n), nil
}

// SetExpectedLoss implements LossTuner: the encoder spends its in-band FEC on percent loss (0 to
// 100) from the next frame on.
func (o *OpusCodec) SetExpectedLoss(percent int) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.enc == nil {
		return ErrClosed
	}
	if r := C.pb_opus_set_loss(o.enc, C.opus_int32(max(0, min(100, percent)))); r != C.OPUS_OK {
		return fmt.Errorf("codec: setting the Opus expected loss: %s", opusError(r))
	}
	return nil
}

// Close implements Codec.
func (o *OpusCodec) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.enc == nil {
		return nil
	}
	o.cleanup.Stop()
	C.opus_encoder_destroy(o.enc)
	C.opus_decoder_destroy(o.dec)
	o.enc, o.dec = nil, nil
	return nil
}

func opusError(code C.int) string {
	return C.GoString(C.opus_strerror(code))
}
