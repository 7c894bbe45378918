// Package dsp holds the Phonebar's small signal-processing pieces for call audio: level measurement
// in dBFS, the dominant frequency of a block of samples, tone generators (test tones, the ringtone)
// and a streaming resampler between device rates and codec rates. Everything works on mono int16
// PCM and allocates nothing per call once set up.
package dsp
