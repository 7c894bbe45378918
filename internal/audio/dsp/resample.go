package dsp

import "math"

// Resampler converts a stream of mono samples from one rate to another (for example a 44.1 kHz
// microphone to Opus's 48 kHz, or 48 kHz to G.711's 8 kHz) with a windowed-sinc low-pass filter,
// so that downsampling does not fold high frequencies back into the voice band. The position is
// kept as an exact fraction, so a long call never drifts. A Resampler is not safe for concurrent
// use; give each stream its own.
type Resampler struct {
	in, out int // rates divided by their greatest common divisor
	half    int // filter taps on each side of the output position
	phases  int
	table   []float32 // phases rows of 2*half taps
	hist    []int16   // input not yet fully consumed; hist[lead] was the first real input
	lead    int       // zeros before the first input: half-1, or 2*half-1 once primed
	pos     int64     // output position in input samples, times out, relative to hist[0]
}

// resamplerPhases is the number of fractional positions the filter is tabulated at: nearest-phase
// lookup then costs at most 1/1024 sample of timing error, well below 16-bit noise for voice.
const resamplerPhases = 512

// resamplerHalfTaps is the filter half-width in input samples when upsampling; downsampling widens
// it by the rate ratio to keep the same transition band at the lower rate.
const resamplerHalfTaps = 12

// NewResampler returns a resampler from inRate to outRate (both in Hz and positive). With equal
// rates it copies samples unchanged.
func NewResampler(inRate, outRate int) *Resampler {
	if inRate <= 0 || outRate <= 0 {
		inRate, outRate = 1, 1
	}
	g := gcd(inRate, outRate)
	r := &Resampler{in: inRate / g, out: outRate / g}
	if r.in == r.out {
		return r
	}
	cutoff := 1.0 // fraction of the input Nyquist frequency kept
	if r.out < r.in {
		cutoff = float64(r.out) / float64(r.in)
	}
	cutoff *= 0.92
	r.half = int(math.Ceil(resamplerHalfTaps / cutoff))
	r.phases = resamplerPhases
	taps := 2 * r.half
	r.table = make([]float32, r.phases*taps)
	for p := range r.phases {
		frac := float64(p) / float64(r.phases)
		row := r.table[p*taps : (p+1)*taps]
		var sum float64
		vals := make([]float64, taps)
		for j := range taps {
			x := float64(j-r.half+1) - frac
			v := cutoff * sinc(cutoff*x) * blackman(x/float64(r.half))
			vals[j] = v
			sum += v
		}
		for j := range taps {
			row[j] = float32(vals[j] / sum)
		}
	}
	r.lead = r.half - 1
	r.hist = make([]int16, r.lead, 4096)
	r.pos = int64(r.half-1) * int64(r.out)
	return r
}

// Primed makes r give the filter's lag as silence at the start of its output instead of holding
// that much input back: every block of input then gives its full share of output from the first
// block on (n samples in, n*out/in out, give or take one). The delay is the same either way; what
// changes is where it waits. A consumer that takes whole frames and asks for the next one only
// when it runs out (a speaker pulling the call's playout) would otherwise carry the shortfall of
// the first block as an extra queue for the rest of the stream. Call it before the first Process;
// it returns r.
func (r *Resampler) Primed() *Resampler {
	if r.in == r.out {
		return r
	}
	r.lead = 2*r.half - 1
	r.Reset()
	return r
}

// Delay is the resampler's latency in input samples.
func (r *Resampler) Delay() int { return r.half }

// Process resamples in, appends the output to dst and returns it. Output lags input by Delay input
// samples; the lag is carried over to the next call, never dropped.
func (r *Resampler) Process(dst, in []int16) []int16 {
	if r.in == r.out {
		return append(dst, in...)
	}
	r.hist = append(r.hist, in...)
	taps := 2 * r.half
	out := int64(r.out)
	for {
		idx := r.pos / out
		if int(idx)+r.half >= len(r.hist) {
			break
		}
		p := int((r.pos%out*int64(r.phases) + out/2) / out)
		if p == r.phases {
			p = 0
			idx++
			if int(idx)+r.half >= len(r.hist) {
				break
			}
		}
		row := r.table[p*taps : (p+1)*taps]
		src := r.hist[int(idx)-r.half+1 : int(idx)+r.half+1]
		var acc float32
		for j, s := range src {
			acc += row[j] * float32(s)
		}
		dst = append(dst, clamp16(float64(acc)))
		r.pos += int64(r.in)
	}
	if drop := int(r.pos/out) - r.half + 1; drop > 0 {
		n := copy(r.hist, r.hist[drop:])
		r.hist = r.hist[:n]
		r.pos -= int64(drop) * out
	}
	return dst
}

// OutputLen is how many samples Process will return for n more input samples, give or take one.
func (r *Resampler) OutputLen(n int) int {
	return int(int64(n) * int64(r.out) / int64(r.in))
}

// Reset forgets buffered input, as after a device change.
func (r *Resampler) Reset() {
	if r.in == r.out {
		return
	}
	r.hist = append(r.hist[:0], make([]int16, r.lead)...)
	r.pos = int64(r.half-1) * int64(r.out)
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// blackman is the Blackman window on [-1, 1], zero outside.
func blackman(x float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	t := (x + 1) / 2
	return 0.42 - 0.5*math.Cos(2*math.Pi*t) + 0.08*math.Cos(4*math.Pi*t)
}

func clamp16(v float64) int16 {
	v = math.Round(v)
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return int16(v)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
