package processing

import (
	"math"
	"math/cmplx"
	"time"

	"gonum.org/v1/gonum/dsp/fourier"
)

// The delay estimator works at estRate (the processor's audio averaged by estDecimate: up to 2 kHz,
// where most of speech's energy is, and a quarter of the cost) on the last estWindow samples of the
// microphone, against the reference over the same span and up to estMaxLag earlier.
const (
	estDecimate = 4
	estRate     = procRate / estDecimate
	estWindow   = 4096 // 1.024 s
	estMaxLag   = 4096 // the longest echo delay found: 1.024 s
	estFFT      = estWindow + estMaxLag
	// estEvery is how often an estimate is made, in processor blocks, until a delay is taken:
	// every 500 ms; estEveryTaken afterwards, every second (an estimate costs about 0.7 ms).
	estEvery      = 25
	estEveryTaken = 50
	// estMinZ is how far the correlation's peak must stand above the rest (in standard deviations
	// of the correlation over all lags) to count: the largest of 4096 lags of uncorrelated signals
	// is about 4.
	estMinZ = 9
	// estAgree is how close two estimates in a row must be for the delay to be taken: 1 ms.
	estAgree = estRate / 1000
	// estMinLevel is the reference's RMS (full scale 1) below which no estimate is made: the far
	// end is silent, -60 dBFS.
	estMinLevel = 1e-3
)

// delayEstimator finds how long after the speaker played a sound its echo reaches the microphone:
// the sound system's buffers on both sides plus the room's direct path. It cross-correlates the
// reference with the microphone with the phase transform (GCC-PHAT: every frequency weighs the
// same, so the peak is sharp for speech, whose spectrum is far from flat) and keeps an estimate
// only when its peak stands well clear of the rest and the one before agrees. It is fed the
// processor's blocks and is not safe for concurrent use.
type delayEstimator struct {
	fft        *fourier.FFT
	ref, mic   []float64 // the reference and the microphone at estRate: the last estFFT and estWindow samples are used
	blocks     int       // blocks since the last estimate
	last       int       // the previous estimate, in samples at estRate; -1: none
	delay      int       // the delay taken; -1: none yet
	r, m       []float64 // FFT input
	rf, mf     []complex128
	corr       []float64
	lo, hi     int // the frequency bins used: 200 Hz to 1.8 kHz
	estimates  int // estimates made (the far end was talking)
	confidentN int // of which confident
}

func newDelayEstimator() *delayEstimator {
	d := &delayEstimator{
		fft:   fourier.NewFFT(estFFT),
		ref:   make([]float64, estFFT, 2*estFFT),
		mic:   make([]float64, estWindow, 2*estWindow),
		last:  -1,
		delay: -1,
		r:     make([]float64, estFFT),
		m:     make([]float64, estFFT),
		rf:    make([]complex128, estFFT/2+1),
		mf:    make([]complex128, estFFT/2+1),
		corr:  make([]float64, estFFT),
	}
	d.lo, d.hi = 200*estFFT/estRate, 1800*estFFT/estRate
	return d
}

// push adds one block of microphone and reference audio at procRate and, every estEvery blocks,
// makes an estimate. It reports whether a delay was taken: an estimate that the one before agrees
// with.
func (d *delayEstimator) push(mic, ref []int16) bool {
	shift := func(hist []float64, size int, x []int16) []float64 {
		if len(hist)+len(x)/estDecimate > cap(hist) {
			hist = hist[:copy(hist, hist[len(hist)-size:])] // keep the last size samples
		}
		for i := 0; i+estDecimate <= len(x); i += estDecimate {
			var v float64
			for _, s := range x[i : i+estDecimate] {
				v += float64(s)
			}
			hist = append(hist, v/(estDecimate*32768))
		}
		return hist
	}
	d.mic = shift(d.mic, estWindow, mic)
	d.ref = shift(d.ref, estFFT, ref)
	d.blocks++
	if d.blocks < estEvery || (d.delay >= 0 && d.blocks < estEveryTaken) {
		return false
	}
	d.blocks = 0
	lag, ok := d.estimate()
	if !ok {
		d.last = -1
		return false
	}
	agreed := d.last >= 0 && abs(lag-d.last) <= estAgree
	d.last = lag
	if agreed {
		d.delay = lag
	}
	return agreed
}

// estimate correlates the windows; ok is false when the far end is silent or the peak is unclear.
func (d *delayEstimator) estimate() (lag int, ok bool) {
	var e float64
	ref, mic := d.ref[len(d.ref)-estFFT:], d.mic[len(d.mic)-estWindow:]
	for _, v := range ref[estMaxLag:] {
		e += v * v
	}
	if math.Sqrt(e/estWindow) < estMinLevel {
		return 0, false
	}
	d.estimates++
	copy(d.r, ref)
	copy(d.m, mic)
	clear(d.m[estWindow:])
	d.fft.Coefficients(d.rf, d.r)
	d.fft.Coefficients(d.mf, d.m)
	// corr[k] = sum_j r[j+k] m[j], circular; for k <= estMaxLag nothing wraps. The microphone's
	// sample j is at the time of the reference's sample j+estMaxLag, so lag k is a delay of
	// estMaxLag-k.
	phat(d.rf, d.mf, d.lo, d.hi)
	d.fft.Sequence(d.corr, d.rf)
	best, z := peak(d.corr[:estMaxLag+1])
	if z < estMinZ {
		return 0, false
	}
	d.confidentN++
	return estMaxLag - best, true
}

// Delay returns the delay taken, and false while there is none.
func (d *delayEstimator) Delay() (time.Duration, bool) {
	if d.delay < 0 {
		return 0, false
	}
	return time.Duration(d.delay) * time.Second / estRate, true
}

// phat turns rf, the spectrum of the reference, into its cross-spectrum with mf, the microphone's,
// keeping only the phase within bins lo to hi (GCC-PHAT): transformed back, the correlation has a
// sharp peak at the echo's lag whatever the spectrum of the voice.
func phat(rf, mf []complex128, lo, hi int) {
	for i := range rf {
		g := rf[i] * cmplx.Conj(mf[i])
		if a := cmplx.Abs(g); i >= lo && i <= hi && a > 0 {
			rf[i] = g / complex(a, 0)
		} else {
			rf[i] = 0
		}
	}
}

// peak returns the index of c's highest value and how many standard deviations it stands above
// c's mean (0 for a flat c).
func peak(c []float64) (best int, z float64) {
	var sum, sum2 float64
	for k, v := range c {
		sum += v
		sum2 += v * v
		if v > c[best] {
			best = k
		}
	}
	n := float64(len(c))
	mean := sum / n
	if sd := math.Sqrt(max(sum2/n-mean*mean, 0)); sd > 0 {
		z = (c[best] - mean) / sd
	}
	return best, z
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
