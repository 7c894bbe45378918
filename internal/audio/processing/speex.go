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
	"math"
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

	// With echo cancellation: the reference's recent past at the input rate (hist), how far back
	// in it the canceller's reference is taken (align, in samples: the echo delay less
	// alignMargin), the echo delay the alignment was made for (delay, in samples), the estimator
	// that finds the delay, and the follower that measures its later moves to the sample.
	est     *delayEstimator
	follow  *echoFollower
	rawDown *dsp.Resampler // the reference as played, for the estimator
	raw     []int16
	hist    []int16
	histLen int // samples of hist that are kept
	align   int
	delay   int
	aligned bool // an alignment was made
	// How well the canceller does, over the last followBin blocks: the microphone's and the
	// output's energy while the far end talks. A drop after it converged means the echo moved.
	binIn, binOut, binRef float64
	binBlocks             int
	armed                 bool // the canceller converged since the last alignment: watch for moves
	misses                int  // follower estimates in a row that found nothing clear
	pending               int  // a move the follower found once, to be confirmed; 0: none
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
		p.follow = newEchoFollower(opts.Rate)
		p.rawDown = dsp.NewResampler(opts.Rate, procRate)
		p.histLen = opts.Rate * histMs / 1000
		p.hist = make([]int16, 0, 2*p.histLen) // moved to the front once every histMs, not every block
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
	if len(reference) < n {
		reference = append(reference[:len(reference):len(reference)], make([]int16, n-len(reference))...)
	}
	reference = reference[:n]
	p.in = p.down.Process(p.in, pcm)
	if p.echo != nil {
		p.follow.push(pcm)
		p.ref = p.refDown.Process(p.ref, p.alignedRef(reference))
		p.raw = p.rawDown.Process(p.raw, reference)
	} else {
		p.ref = p.refDown.Process(p.ref, reference)
	}
	in := unsafe.Slice((*int16)(unsafe.Pointer(p.cin)), procFrame)
	ref := unsafe.Slice((*int16)(unsafe.Pointer(p.cref)), procFrame)
	out := unsafe.Slice((*int16)(unsafe.Pointer(p.cout)), procFrame)
	var done []int16
	for len(p.in) >= procFrame {
		copy(in, p.in)
		p.in = p.in[:copy(p.in, p.in[procFrame:])]
		p.ref = takeBlock(ref, p.ref)
		if p.echo != nil {
			var raw [procFrame]int16
			p.raw = takeBlock(raw[:], p.raw)
			if p.est.push(in, raw[:]) {
				p.delayTaken()
			}
			C.speex_echo_cancellation(p.echo, p.cin, p.cref, p.cout)
			p.watch(in, ref, out)
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

// takeBlock fills block from the front of q (silence in front when q is short) and returns the rest.
func takeBlock(block, q []int16) []int16 {
	if len(q) >= len(block) {
		copy(block, q)
		return q[:copy(q, q[len(block):])]
	}
	clear(block)
	copy(block[len(block)-len(q):], q)
	return q[:0]
}

// alignMargin is how much earlier than the measured echo delay the canceller's reference starts:
// room for the estimate's error and for a delay that shrinks a little before it is measured again.
const alignMargin = 40 * time.Millisecond

// histMs is the reference's past kept: the longest delay found, the margin and the follower's
// window and span.
const histMs = 1250

// coarseMove is how far the estimator's delay must be from the one aligned for, before the
// canceller has converged, for the reference to be moved: the follower's estimates of a delay that
// did not move differ by a few samples from one look to the next (the sound system's resampling
// spreads the echo's peak), and a filter whose reference moves by as much every second never
// converges; within the filter's margin it adapts to any delay that holds still.
const coarseMove = 2 * time.Millisecond

// followStill is how far, in samples at the rate given, a delay the follower finds may be from the
// current one and still count as the same (the estimates' own spread): 0.125 ms.
func followStill(rate int) int { return rate / 8000 }

// followBin is how many blocks the canceller's success is measured over (60 ms), and how often the
// follower looks while the echo is not cancelled; followMisses how many of its looks may find no
// move before it waits for the canceller to converge again (about 1.2 s).
const (
	followBin    = 3
	followMisses = 20
)

// alignedRef keeps reference (what the speaker played over the time of the microphone's frame) in
// the history and returns the part of the history the canceller is to get instead: what was
// played the echo delay earlier less alignMargin, so that the canceller's filter spends its length
// on the room's echo rather than on the sound system's buffers, whatever they hold this time.
func (p *Processor) alignedRef(reference []int16) []int16 {
	n := len(reference)
	if len(p.hist)+n > cap(p.hist) {
		drop := max(0, len(p.hist)+n-p.histLen)
		p.hist = p.hist[:copy(p.hist, p.hist[drop:])]
	}
	p.hist = append(p.hist, reference...)
	end := len(p.hist) - p.align
	if end-n < 0 { // not that much played yet
		return make([]int16, n)
	}
	return p.hist[end-n : end]
}

// delayTaken acts on a delay the estimator took. The first lines the reference up and starts the
// canceller afresh (its filter was adapted to nothing useful). Until the canceller has converged,
// a later one lines the reference up again, to the sample where the follower finds the echo near
// it, and keeps the filter: the room did not change, only the buffers before it. Once it has
// converged the follower is in charge (the estimator's second of audio may still hold the echo
// from before the last move), until it finds nothing for a while.
func (p *Processor) delayTaken() {
	d, _ := p.est.Delay()
	ds := int(int64(d) * int64(p.rate) / int64(time.Second))
	if p.aligned && p.armed {
		return
	}
	if fd, _, ok := p.follow.estimate(p.hist, ds); ok {
		ds = fd
	}
	if !p.aligned {
		p.delay = ds
		p.align = p.delay - int(int64(alignMargin)*int64(p.rate)/int64(time.Second))
		p.align = min(max(p.align, 0), p.histLen-p.rate/10)
		p.aligned, p.armed, p.pending = true, false, 0
		C.speex_echo_state_reset(p.echo)
		return
	}
	if abs(ds-p.delay) > int(int64(coarseMove)*int64(p.rate)/int64(time.Second)) {
		p.move(ds - p.delay)
	}
}

// move moves the canceller's reference by by samples (a longer echo delay: later), keeping the
// canceller's filter.
func (p *Processor) move(by int) {
	p.delay += by
	p.align = min(max(p.align+by, 0), p.histLen-p.rate/10)
	p.pending = 0
}

// watch measures how much of the echo the canceller takes out, block by block (mic the
// microphone, ref the reference it was given, out what it left), and once it has converged,
// notices when it no longer does while the far end talks: the echo moved (or the agent talks over
// it). The follower then looks for the echo near its old delay; a move it finds with a clear peak,
// or twice in a row, moves the reference by as much.
func (p *Processor) watch(mic, ref, out []int16) {
	if !p.aligned {
		return
	}
	energy := func(x []int16) float64 {
		var e float64
		for _, v := range x {
			e += float64(v) * float64(v)
		}
		return e
	}
	p.binIn += energy(mic)
	p.binOut += energy(out)
	p.binRef += energy(ref)
	p.binBlocks++
	if p.binBlocks < followBin {
		return
	}
	samples := float64(followBin * procFrame)
	talking := p.binRef/samples > math.Pow(estMinLevel*32768, 2) && p.binIn/samples > math.Pow(estMinLevel*32768, 2)
	erle := 10 * math.Log10((p.binIn+1)/(p.binOut+1))
	p.binIn, p.binOut, p.binRef, p.binBlocks = 0, 0, 0, 0
	switch {
	case !talking:
		return
	case erle >= 18:
		p.armed, p.misses, p.pending = true, 0, 0
		return
	case !p.armed:
		return
	}
	d, z, ok := p.follow.estimate(p.hist, p.delay)
	if !ok || abs(d-p.delay) <= followStill(p.rate) {
		// Nothing clear, or the echo where it was (the agent talks over it): after followMisses
		// looks, wait for the canceller to converge again rather than spend more on looking.
		if p.misses++; p.misses >= followMisses {
			p.armed = false
		}
		p.pending = 0
		return
	}
	if z >= followSureZ || (p.pending != 0 && abs(d-(p.delay+p.pending)) <= followStill(p.rate)) {
		p.move(d - p.delay)
		return
	}
	p.pending = d - p.delay // never 0: it is more than followStill away
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
	if p.est == nil || !p.aligned {
		return 0, false
	}
	return time.Duration(int64(p.delay) * int64(time.Second) / int64(p.rate)), true
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
