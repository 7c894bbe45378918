package processing

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// On a busy machine the speaker starves now and then and plays a gap, the microphone loses a few
// milliseconds, and the echo comes back that much later or earlier than before against the
// reference, by a few milliseconds at a time and not to the sample (the sound server's own clock
// decides how long a gap lasts). A filter adapted to the echo is wrong after any such move, even by
// a fraction of a millisecond, and the canceller takes a second or more to adapt again. The
// follower measures the move to the sample at the input rate, a few hundred milliseconds after it,
// so that the reference can be moved by as much and the filter kept: it then fits again at once.
const (
	// followWindow is the microphone's span correlated with the reference: 128 ms.
	followWindowMs = 128
	// followSpanMs is how far from the current delay a move is looked for, either way: 40 ms.
	followSpanMs = 40
	// followMinZ is how far the correlation's peak must stand above the rest, in standard
	// deviations over the lags searched (the largest of about 4000 lags of uncorrelated signals
	// is about 4), for a move to be taken when the next look agrees; followSureZ for a move to be
	// taken at once (the echo of 128 ms of talk, alone in the microphone, stands at 25 to 30).
	followMinZ  = 10
	followSureZ = 20
)

// echoFollower measures the echo delay near a known one, to the sample, on the audio as Process is
// given it. It keeps the microphone's last followWindowMs; the reference's past is the Processor's.
// It is not safe for concurrent use.
type echoFollower struct {
	window, span int
	mic          []int16 // the microphone's last window samples, at the input rate
	fft          *fourier.FFT
	r, m         []float64
	rf, mf       []complex128
	corr         []float64
	lo, hi       int // the frequency bins used: 200 Hz to 7 kHz (what the canceller works on)
}

func newEchoFollower(rate int) *echoFollower {
	f := &echoFollower{window: rate * followWindowMs / 1000, span: rate * followSpanMs / 1000}
	n := fftSize(f.window + 2*f.span)
	f.fft = fourier.NewFFT(n)
	f.mic = make([]int16, 0, 2*f.window)
	f.r, f.m = make([]float64, n), make([]float64, n)
	f.rf, f.mf = make([]complex128, n/2+1), make([]complex128, n/2+1)
	f.corr = make([]float64, n)
	f.lo, f.hi = 200*n/rate, min(7000*n/rate, n/2)
	return f
}

// push keeps the microphone's latest samples (before any processing).
func (f *echoFollower) push(mic []int16) {
	if len(f.mic)+len(mic) > cap(f.mic) {
		keep := max(0, f.window-len(mic))
		f.mic = f.mic[:copy(f.mic, f.mic[len(f.mic)-min(keep, len(f.mic)):])]
	}
	if len(mic) > f.window {
		mic = mic[len(mic)-f.window:]
	}
	f.mic = append(f.mic, mic...)
}

// estimate looks for the echo of ref in the microphone's last window, at delays within span of
// near (in samples); ref's last sample is at the time of the microphone's last one. It returns the
// delay at the correlation's peak and how clear the peak stands (in standard deviations over the
// lags searched), and false when the reference is silent, the history too short, or the peak less
// clear than followMinZ.
func (f *echoFollower) estimate(ref []int16, near int) (delay int, z float64, ok bool) {
	if len(f.mic) < f.window {
		return 0, 0, false
	}
	lo := max(near-f.span, 0)
	hi := near + f.span
	if len(ref) < f.window+hi {
		return 0, 0, false
	}
	// seg[j] is ref at the microphone's window sample j shifted by hi; corr[k] = sum_j seg[j+k] mic[j]
	// is the delay hi-k.
	seg := ref[len(ref)-f.window-hi : len(ref)-lo]
	var e float64
	clear(f.r)
	for i, v := range seg {
		x := float64(v) / 32768
		f.r[i] = x
		e += x * x
	}
	if math.Sqrt(e/float64(len(seg))) < estMinLevel {
		return 0, 0, false
	}
	clear(f.m)
	for i, v := range f.mic[len(f.mic)-f.window:] {
		f.m[i] = float64(v) / 32768
	}
	f.fft.Coefficients(f.rf, f.r)
	f.fft.Coefficients(f.mf, f.m)
	phat(f.rf, f.mf, f.lo, f.hi)
	f.fft.Sequence(f.corr, f.rf)
	best, z := peak(f.corr[:hi-lo+1])
	if z == 0 {
		return 0, 0, false
	}
	return hi - best, z, z >= followMinZ
}

// fftSize is the smallest length at least n with no prime factor above 5, which the FFT does fast.
func fftSize(n int) int {
	for m := n; ; m++ {
		k := m
		for _, p := range []int{2, 3, 5} {
			for k%p == 0 {
				k /= p
			}
		}
		if k == 1 {
			return m
		}
	}
}
