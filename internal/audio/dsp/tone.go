package dsp

import (
	"math"
	"time"
)

// Tone generates a sine of a fixed frequency, continuous across calls to Fill. Its zero value is
// silent; build one with NewTone.
type Tone struct {
	amp   float64
	phase float64
	step  float64
}

// NewTone returns a sine of hz at rate, with amplitude a fraction of full scale (0.5 = -6 dBFS peak).
func NewTone(hz float64, rate int, amplitude float64) *Tone {
	return &Tone{amp: amplitude * (FullScale - 1), step: 2 * math.Pi * hz / float64(rate)}
}

// Fill writes the next len(out) samples of the tone.
func (t *Tone) Fill(out []int16) {
	for i := range out {
		out[i] = int16(math.Round(t.amp * math.Sin(t.phase)))
		t.phase += t.step
		if t.phase >= 2*math.Pi {
			t.phase -= 2 * math.Pi
		}
	}
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
