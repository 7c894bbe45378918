//go:build webrtcapm && cgo

package processing

/*
#cgo pkg-config: webrtc-audio-processing
#cgo CXXFLAGS: -std=c++11
#cgo LDFLAGS: -lstdc++
#include "webrtcapm.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// webrtcProcessor runs the WebRTC audio processing module (Debian's webrtc-audio-processing 0.3)
// for the comparison with speexdsp in compare_webrtc_test.go; it is built with the webrtcapm tag
// only and is not used by the Phonebar.
type webrtcProcessor struct {
	p    *C.pb_apm
	rate int
	// DelayMs is the delay reported to the module each frame (set_stream_delay_ms).
	DelayMs int
	err     error // the first error the module returned
}

type webrtcOptions struct {
	Options
	AGCTargetDBFS  int // the gain control's target, dB below full scale (peak)
	DelayAgnostic  bool
	ExtendedFilter bool
}

func newWebRTC(o webrtcOptions) (*webrtcProcessor, error) {
	if o.Rate == 0 {
		o.Rate = 48000
	}
	b := func(v bool) C.int {
		if v {
			return 1
		}
		return 0
	}
	p := C.pb_apm_new(C.int(o.Rate), b(o.EchoCancel), b(o.NoiseSuppress), b(o.GainControl), C.int(o.AGCTargetDBFS), b(o.DelayAgnostic), b(o.ExtendedFilter))
	if p == nil {
		return nil, fmt.Errorf("processing: webrtc-audio-processing could not be made")
	}
	return &webrtcProcessor{p: p, rate: o.Rate}, nil
}

// Process processes pcm in place in 10 ms blocks (len(pcm) a multiple of them), ref beside it.
func (w *webrtcProcessor) Process(pcm, ref []int16) {
	n := w.rate / 100
	if len(ref) < len(pcm) {
		ref = append(ref[:len(ref):len(ref)], make([]int16, len(pcm)-len(ref))...)
	}
	for at := 0; at+n <= len(pcm); at += n {
		r := C.pb_apm_process(w.p, (*C.int16_t)(unsafe.Pointer(&ref[at])), (*C.int16_t)(unsafe.Pointer(&pcm[at])), C.int(w.DelayMs))
		if r != 0 && w.err == nil {
			w.err = fmt.Errorf("processing: webrtc-audio-processing refused a frame: error %d", int(r))
		}
	}
}

// EchoDelay is the module's own estimate of the echo delay (median), in ms; -1: none.
func (w *webrtcProcessor) EchoDelay() int { return int(C.pb_apm_delay(w.p)) }

// Err is the first error the module returned, nil if none.
func (w *webrtcProcessor) Err() error { return w.err }

func (w *webrtcProcessor) Close() {
	if w.p != nil {
		C.pb_apm_free(w.p)
		w.p = nil
	}
}
