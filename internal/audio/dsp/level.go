package dsp

import "math"

// FullScale is the magnitude of a full-scale int16 sample: 0 dBFS.
const FullScale = 32768.0

// MinDBFS is the floor reported for digital silence (log of zero), and for anything quieter.
const MinDBFS = -120.0

// DBFS converts a linear amplitude relative to full scale (1.0 = 0 dBFS) into decibels, floored at
// MinDBFS.
func DBFS(amplitude float64) float64 {
	if amplitude <= 0 {
		return MinDBFS
	}
	db := 20 * math.Log10(amplitude)
	if db < MinDBFS {
		return MinDBFS
	}
	return db
}

// Level is the loudness of a block of samples. A full-scale sine has a peak of 0 dBFS and an RMS of
// about -3 dBFS.
type Level struct {
	PeakDBFS float64 `json:"peak_dbfs"`
	RMSDBFS  float64 `json:"rms_dbfs"`
}

// Meter accumulates peak and RMS over any number of blocks. Its zero value is empty and ready.
type Meter struct {
	peak  int
	sumSq float64
	n     int
}

// Add folds samples into the meter.
func (m *Meter) Add(samples []int16) {
	for _, s := range samples {
		v := int(s)
		if v < 0 {
			v = -v
		}
		if v > m.peak {
			m.peak = v
		}
		f := float64(s)
		m.sumSq += f * f
	}
	m.n += len(samples)
}

// Samples is how many samples the meter has seen.
func (m *Meter) Samples() int { return m.n }

// Level reports what the meter has seen so far; an empty meter reports MinDBFS for both.
func (m *Meter) Level() Level {
	if m.n == 0 {
		return Level{PeakDBFS: MinDBFS, RMSDBFS: MinDBFS}
	}
	return Level{
		PeakDBFS: DBFS(float64(m.peak) / FullScale),
		RMSDBFS:  DBFS(math.Sqrt(m.sumSq/float64(m.n)) / FullScale),
	}
}

// Reset empties the meter.
func (m *Meter) Reset() { *m = Meter{} }

// Measure returns the level of one block of samples.
func Measure(samples []int16) Level {
	var m Meter
	m.Add(samples)
	return m.Level()
}
