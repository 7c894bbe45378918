//go:build cgo

package processing

/*
#cgo pkg-config: speexdsp
#include <stdlib.h>
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

static int pb_pp_int(SpeexPreprocessState *st, int req, int v) { return speex_preprocess_ctl(st, req, &v); }
static int pb_pp_float(SpeexPreprocessState *st, int req, float v) { return speex_preprocess_ctl(st, req, &v); }
static int pb_pp_echo(SpeexPreprocessState *st, SpeexEchoState *e) { return speex_preprocess_ctl(st, SPEEX_PREPROCESS_SET_ECHO_STATE, e); }
static int pb_echo_rate(SpeexEchoState *e, int rate) { return speex_echo_ctl(e, SPEEX_ECHO_SET_SAMPLING_RATE, &rate); }
*/
import "C"

import (
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/phonebar/phonebar/internal/audio/dsp"
)

// Available reports whether this build can process audio.
func Available() bool { return true }

// Processor processes one microphone stream with its echo reference. It is not safe for concurrent
// use: one goroutine (the one reading the microphone) calls Process.
type Processor struct {
	opts Options
	rate int

	mu   sync.Mutex // guards the C state against Close racing Process
	echo *C.SpeexEchoState
	pre  *C.SpeexPreprocessState
	cin  *C.spx_int16_t // procFrame samples each: capture, reference, output
	cref *C.spx_int16_t
	cout *C.spx_int16_t

	down, refDown, up *dsp.Resampler
	in, ref, out      []int16 // at procRate, waiting for a whole block / to be handed out

	// With echo cancellation: the reference's recent past at procRate (hist), how far back in it
	// the canceller's reference is taken (align, in samples: the estimated echo delay less
	// alignMargin), and the estimator that measures that delay.
	est     *delayEstimator
	hist    []int16
	align   int
	aligned bool // an alignment was made
}

// Gain control targets, for speexdsp's float build: it levels speech at about -20 dBFS RMS and
// may raise a quiet talker by up to 30 dB.
const (
	agcLevel     = 0.4 * 32768 // speexdsp weighs loudness by the ear: this lands a voice near -21 dBFS RMS
	agcMaxGain   = 30          // dB
	nsSuppress   = -30         // dB of noise attenuation at most
	agcIncrement = 12          // dB a second the gain may rise
)

// New makes a Processor for opts.
func New(opts Options) (*Processor, error) {
	if opts.Rate <= 0 {
		opts.Rate = 48000
	}
	if opts.Tail <= 0 {
		opts.Tail = DefaultTail
	}
	p := &Processor{opts: opts, rate: opts.Rate}
	p.down = dsp.NewResampler(opts.Rate, procRate)
	p.refDown = dsp.NewResampler(opts.Rate, procRate)
	p.up = dsp.NewResampler(procRate, opts.Rate)
	size := C.size_t(procFrame * 2)
	p.cin = (*C.spx_int16_t)(C.calloc(procFrame, 2))
	p.cref = (*C.spx_int16_t)(C.calloc(procFrame, 2))
	p.cout = (*C.spx_int16_t)(C.calloc(procFrame, 2))
	_ = size
	p.pre = C.speex_preprocess_state_init(procFrame, procRate)
	if p.pre == nil {
		p.Close()
		return nil, fmt.Errorf("processing: speexdsp could not make a preprocessor")
	}
	if opts.EchoCancel {
		tail := C.int(int64(procRate) * int64(opts.Tail) / 1e9)
		p.echo = C.speex_echo_state_init(procFrame, tail)
		if p.echo == nil {
			p.Close()
			return nil, fmt.Errorf("processing: speexdsp could not make an echo canceller")
		}
		C.pb_echo_rate(p.echo, procRate)
		C.pb_pp_echo(p.pre, p.echo)
		p.est = newDelayEstimator()
		p.hist = make([]int16, estMaxLag*estDecimate+procFrame)
	}
	checks := []struct {
		what string
		r    C.int
	}{
		{"noise suppression", C.pb_pp_int(p.pre, C.SPEEX_PREPROCESS_SET_DENOISE, boolInt(opts.NoiseSuppress))},
		{"noise level", C.pb_pp_int(p.pre, C.SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, nsSuppress)},
		{"gain control", C.pb_pp_int(p.pre, C.SPEEX_PREPROCESS_SET_AGC, boolInt(opts.GainControl))},
	}
	if opts.GainControl {
		checks = append(checks,
			struct {
				what string
				r    C.int
			}{"gain level", C.pb_pp_float(p.pre, C.SPEEX_PREPROCESS_SET_AGC_LEVEL, agcLevel)},
			struct {
				what string
				r    C.int
			}{"gain limit", C.pb_pp_int(p.pre, C.SPEEX_PREPROCESS_SET_AGC_MAX_GAIN, agcMaxGain)},
			struct {
				what string
				r    C.int
			}{"gain speed", C.pb_pp_int(p.pre, C.SPEEX_PREPROCESS_SET_AGC_INCREMENT, agcIncrement)})
	}
	for _, c := range checks {
		if c.r != 0 {
			p.Close()
			return nil, fmt.Errorf("processing: this speexdsp refuses %s (a fixed-point build has no gain control): install the float build of libspeexdsp", c.what)
		}
	}
	return p, nil
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// Features returns the processing in effect.
func (p *Processor) Features() []Feature {
	if p == nil {
		return nil
	}
	return p.opts.Features()
}

// Process processes one block of microphone audio in place, at the Processor's rate; reference is
// what the speaker played over the same span of time, as many samples (nil or short: silence).
// The output is delayed by the resampling only (about 2 ms at 48 kHz).
func (p *Processor) Process(pcm, reference []int16) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pre == nil {
		return
	}
	n := len(pcm)
	p.in = p.down.Process(p.in, pcm)
	if len(reference) < n {
		reference = append(reference[:len(reference):len(reference)], make([]int16, n-len(reference))...)
	}
	p.ref = p.refDown.Process(p.ref, reference[:n])
	in := unsafe.Slice((*int16)(unsafe.Pointer(p.cin)), procFrame)
	ref := unsafe.Slice((*int16)(unsafe.Pointer(p.cref)), procFrame)
	out := unsafe.Slice((*int16)(unsafe.Pointer(p.cout)), procFrame)
	var done []int16
	for len(p.in) >= procFrame {
		copy(in, p.in)
		p.in = p.in[:copy(p.in, p.in[procFrame:])]
		if len(p.ref) >= procFrame {
			copy(ref, p.ref)
			p.ref = p.ref[:copy(p.ref, p.ref[procFrame:])]
		} else {
			clear(ref)
			copy(ref[procFrame-len(p.ref):], p.ref)
			p.ref = p.ref[:0]
		}
		if p.echo != nil {
			p.alignReference(in, ref)
			C.speex_echo_cancellation(p.echo, p.cin, p.cref, p.cout)
		} else {
			copy(out, in)
		}
		C.speex_preprocess_run(p.pre, p.cout)
		done = append(done, out...)
	}
	p.out = p.up.Process(p.out, done)
	// Hand out n samples; until the first block is through, the start is silence.
	if len(p.out) >= n {
		copy(pcm, p.out[:n])
		p.out = p.out[:copy(p.out, p.out[n:])]
		return
	}
	pad := n - len(p.out)
	clear(pcm[:pad])
	copy(pcm[pad:], p.out)
	p.out = p.out[:0]
}

// alignMargin is how much earlier than the measured echo delay the canceller's reference starts:
// room for the estimate's error and for a delay that shrinks a little before it is measured again.
// A delay that moves by less than half of it is left to the filter to follow.
const alignMargin = 40 * time.Millisecond

// alignReference keeps the block ref (what the speaker took while the microphone captured the block
// mic) in the reference's history and replaces it with the block played the measured echo delay
// earlier (less alignMargin), so that the canceller's filter spends its length on the room's echo
// rather than on the sound system's buffers, whatever they hold this time. A new alignment starts
// the canceller afresh: its filter was adapted to the old one.
func (p *Processor) alignReference(mic, ref []int16) {
	if p.est.push(mic, ref) {
		d, _ := p.est.Delay()
		align := int(max(0, d-alignMargin) * procRate / time.Second)
		if !p.aligned || abs(align-p.align) > int(alignMargin/2*procRate/time.Second) {
			p.align, p.aligned = align, true
			C.speex_echo_state_reset(p.echo)
		}
	}
	p.hist = p.hist[:copy(p.hist, p.hist[procFrame:])]
	p.hist = append(p.hist, ref...)
	end := len(p.hist) - p.align
	copy(ref, p.hist[end-procFrame:end])
}

// EchoDelay returns the echo delay measured (from the speaker taking a sample to its echo in the
// microphone, as Process is given them), and false while none has been measured (no echo
// cancellation, the far end silent so far, or no clear echo).
func (p *Processor) EchoDelay() (time.Duration, bool) {
	if p == nil {
		return 0, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.est == nil {
		return 0, false
	}
	return p.est.Delay()
}

// Close frees the processor; Process afterwards passes audio through unchanged. Idempotent.
func (p *Processor) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.echo != nil {
		C.speex_echo_state_destroy(p.echo)
		p.echo = nil
	}
	if p.pre != nil {
		C.speex_preprocess_state_destroy(p.pre)
		p.pre = nil
	}
	for _, b := range []**C.spx_int16_t{&p.cin, &p.cref, &p.cout} {
		if *b != nil {
			C.free(unsafe.Pointer(*b))
			*b = nil
		}
	}
}
