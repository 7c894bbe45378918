package dsp

import (
	"math"
	"time"
)

// Tone generates a sine of a fixed frequency, continuous across calls to Fill. Its zero value is
// silent; build one with NewTone.
type Tone struct {
	amp    float64
	re, im float64 // the phasor: cos and sin of the phase
	cr, ci float64 // its turn per sample
}

// NewTone returns a sine of hz at rate, with amplitude a fraction of full scale (0.5 = -6 dBFS peak).
func NewTone(hz float64, rate int, amplitude float64) *Tone {
	step := 2 * math.Pi * hz / float64(rate)
	return &Tone{amp: amplitude * (FullScale - 1), re: 1, cr: math.Cos(step), ci: math.Sin(step)}
}

// Fill writes the next len(out) samples of the tone. A turning phasor gives them, four
// multiplications a sample rather than a sine each (a ring tone plays at 48 kHz for as long as a
// call rings); it is set back to unit length after each fill, so rounding never drifts the level.
func (t *Tone) Fill(out []int16) {
	re, im := t.re, t.im
	if re == 0 && im == 0 {
		clear(out)
		return
	}
	for i := range out {
		out[i] = int16(math.Round(t.amp * im))
		re, im = re*t.cr-im*t.ci, re*t.ci+im*t.cr
	}
	m := 1 / math.Hypot(re, im)
	t.re, t.im = re*m, im*m
}

// Ringtone is the Phonebar's ring: a dual tone of 440 Hz and 480 Hz (the North American ringback
// pair), on for OnTime and off for OffTime, repeating. Fill continues the cadence across calls.
type Ringtone struct {
	a, b    *Tone
	on, off int // in samples
	pos     int
}

// Default ring cadence.
const (
	RingOnTime  = 1 * time.Second
	RingOffTime = 2 * time.Second
)

// NewRingtone returns the ring at rate with peak amplitude a fraction of full scale.
func NewRingtone(rate int, amplitude float64) *Ringtone {
	return &Ringtone{
		a:   NewTone(440, rate, amplitude/2),
		b:   NewTone(480, rate, amplitude/2),
		on:  int(RingOnTime.Seconds() * float64(rate)),
		off: int(RingOffTime.Seconds() * float64(rate)),
	}
}

// Fill writes the next len(out) samples of the ring.
func (r *Ringtone) Fill(out []int16) {
	var one, two [1]int16
	for i := range out {
		if r.pos < r.on {
			r.a.Fill(one[:])
			r.b.Fill(two[:])
			out[i] = one[0] + two[0]
		} else {
			out[i] = 0
		}
		r.pos++
		if r.pos >= r.on+r.off {
			r.pos = 0
		}
	}
}
