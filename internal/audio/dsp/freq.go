package dsp

import (
	"math"
)

// maxFFT is the analysis window of DominantFrequency (about 0.34 s at 48 kHz, 2.9 Hz per bin).
const maxFFT = 1 << 14

// maxSegments bounds the work on long recordings (about 11 s at 48 kHz are analysed).
const maxSegments = 32

// DominantFrequency returns the frequency in Hz with the most energy in samples recorded at rate,
// or 0 when there are fewer than 64 samples or nothing but silence. It averages the power spectra
// of consecutive windows (Hann, up to 16384 samples each) over the whole block, so a sound that
// is present in only part of it (a ring cadence) is still found, and refines the peak between FFT
// bins by parabolic interpolation, so a steady tone is found to within a few Hz. The DC bin is
// ignored.
func DominantFrequency(samples []int16, rate int) float64 {
	n := 1
	for n*2 <= len(samples) && n*2 <= maxFFT {
		n *= 2
	}
	if n < 64 || rate <= 0 {
		return 0
	}
	segments := min(len(samples)/n, maxSegments)
	// Spread the segments evenly when there are more than maxSegments.
	stride := n
	if len(samples)/n > maxSegments {
		stride = (len(samples) - n) / (segments - 1)
	}
	window := make([]float64, n)
	for i := range n {
		window[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
	}
	buf := make([]complex128, n)
	power := make([]float64, n/2)
	for seg := range segments {
		start := seg * stride
		for i := range n {
			buf[i] = complex(float64(samples[start+i])*window[i], 0)
		}
		fft(buf)
		for k := 1; k < n/2; k++ {
			re, im := real(buf[k]), imag(buf[k])
			power[k] += re*re + im*im
		}
	}
	best, bestPow := 0, 0.0
	for k := 1; k < n/2; k++ {
		if power[k] > bestPow {
			best, bestPow = k, power[k]
		}
	}
	if best == 0 || bestPow < 1e-6 {
		return 0
	}
	offset := 0.0
	if best > 1 && best < n/2-1 {
		// Interpolate on log power: for a Hann window this is accurate to a few hundredths of a bin.
		a, b, c := math.Log(power[best-1]+1e-12), math.Log(power[best]), math.Log(power[best+1]+1e-12)
		if d := a - 2*b + c; d != 0 {
			offset = 0.5 * (a - c) / d
		}
	}
	return (float64(best) + offset) * float64(rate) / float64(n)
}

// fft is an in-place iterative radix-2 Cooley-Tukey transform; len(x) must be a power of two.
func fft(x []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		ang := -2 * math.Pi / float64(size)
		step := complex(math.Cos(ang), math.Sin(ang))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range size / 2 {
				u, v := x[start+k], x[start+k+size/2]*w
				x[start+k], x[start+k+size/2] = u+v, u-v
				w *= step
			}
		}
	}
}

// Goertzel returns the power of one frequency in samples recorded at rate, normalised so that a
// full-scale sine at exactly hz gives about 0.25 and silence gives 0. It is the cheap way to ask
// "is this tone there?" without a whole spectrum.
func Goertzel(samples []int16, rate int, hz float64) float64 {
	if len(samples) == 0 || rate <= 0 {
		return 0
	}
	coeff := 2 * math.Cos(2*math.Pi*hz/float64(rate))
	var s1, s2 float64
	for _, v := range samples {
		s0 := float64(v)/FullScale + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	n := float64(len(samples))
	return power / (n * n)
}
