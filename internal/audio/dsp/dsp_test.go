package dsp

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func tone(hz float64, rate int, amp float64, n int) []int16 {
	out := make([]int16, n)
	NewTone(hz, rate, amp).Fill(out)
	return out
}

func TestMeasure(t *testing.T) {
	tests := []struct {
		name     string
		samples  []int16
		peak     float64
		rms      float64
		tolerant float64
	}{
		{"silence", make([]int16, 480), MinDBFS, MinDBFS, 0},
		{"empty", nil, MinDBFS, MinDBFS, 0},
		{"half-scale sine", tone(1000, 48000, 0.5, 48000), -6.02, -9.03, 0.05},
		{"full-scale sine", tone(440, 48000, 1, 48000), 0, -3.01, 0.05},
		{"-40 dBFS sine", tone(1000, 8000, 0.01, 8000), -40, -43.01, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Measure(tt.samples)
			assert.InDelta(t, tt.peak, l.PeakDBFS, tt.tolerant+1e-9)
			assert.InDelta(t, tt.rms, l.RMSDBFS, tt.tolerant+1e-9)
		})
	}
}

func TestMeterAccumulatesAcrossBlocks(t *testing.T) {
	s := tone(1000, 48000, 0.5, 4800)
	var m Meter
	for i := 0; i < len(s); i += 480 {
		m.Add(s[i : i+480])
	}
	assert.Equal(t, 4800, m.Samples())
	assert.InDelta(t, Measure(s).RMSDBFS, m.Level().RMSDBFS, 1e-9)
	m.Reset()
	assert.Equal(t, MinDBFS, m.Level().RMSDBFS)
}

func TestDominantFrequency(t *testing.T) {
	tests := []struct {
		name string
		hz   float64
		rate int
		n    int
	}{
		{"1 kHz at 48 kHz, 1 s", 1000, 48000, 48000},
		{"440 Hz at 44.1 kHz, 0.5 s", 440, 44100, 22050},
		{"3 kHz at 8 kHz, 0.2 s", 3000, 8000, 1600},
		{"150 Hz at 48 kHz, 2 s", 150, 48000, 96000},
		{"7.5 kHz at 16 kHz, 0.1 s", 7500, 16000, 1600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DominantFrequency(tone(tt.hz, tt.rate, 0.3, tt.n), tt.rate)
			assert.InDelta(t, tt.hz, got, 2, "found %.2f Hz", got)
		})
	}
	t.Run("silence", func(t *testing.T) {
		assert.Zero(t, DominantFrequency(make([]int16, 4800), 48000))
	})
	t.Run("too short", func(t *testing.T) {
		assert.Zero(t, DominantFrequency(tone(1000, 48000, 0.5, 32), 48000))
	})
	t.Run("louder of two tones", func(t *testing.T) {
		a, b := tone(700, 48000, 0.1, 48000), tone(2100, 48000, 0.4, 48000)
		for i := range a {
			a[i] += b[i]
		}
		assert.InDelta(t, 2100, DominantFrequency(a, 48000), 2)
	})
}

func TestGoertzel(t *testing.T) {
	s := tone(1000, 8000, 1, 8000)
	assert.InDelta(t, 0.25, Goertzel(s, 8000, 1000), 0.01)
	assert.Less(t, Goertzel(s, 8000, 1500), 1e-4)
	assert.Zero(t, Goertzel(make([]int16, 100), 8000, 1000))
}

func TestRingtoneCadence(t *testing.T) {
	const rate = 8000
	r := NewRingtone(rate, 0.5)
	out := make([]int16, 3*rate) // one on second, two off seconds
	r.Fill(out)
	on, off := out[:rate], out[rate+1:]
	assert.Greater(t, Goertzel(on, rate, 440), 0.001)
	assert.Greater(t, Goertzel(on, rate, 480), 0.001)
	assert.Equal(t, MinDBFS, Measure(off).PeakDBFS)
	next := make([]int16, rate/2)
	r.Fill(next)
	assert.Greater(t, Measure(next).RMSDBFS, -20.0, "the cadence repeats")
}

func TestResampler(t *testing.T) {
	tests := []struct {
		name    string
		in, out int
		hz      float64
	}{
		{"44.1 to 48 kHz", 44100, 48000, 1000},
		{"48 to 8 kHz", 48000, 8000, 1000},
		{"8 to 48 kHz", 8000, 48000, 1000},
		{"48 to 16 kHz", 48000, 16000, 3000},
		{"16 to 44.1 kHz", 16000, 44100, 440},
		{"same rate", 48000, 48000, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tone(tt.hz, tt.in, 0.5, tt.in) // one second
			r := NewResampler(tt.in, tt.out)
			var got []int16
			chunk := tt.in / 50 // 20 ms blocks, as the engine feeds it
			for i := 0; i < len(in); i += chunk {
				got = r.Process(got, in[i:min(i+chunk, len(in))])
			}
			// Everything but the filter delay comes out.
			want := tt.out
			assert.InDelta(t, want, len(got), float64(r.Delay()*tt.out/tt.in+2))
			steady := got[len(got)/4 : 3*len(got)/4]
			assert.InDelta(t, tt.hz, DominantFrequency(steady, tt.out), 2)
			assert.InDelta(t, -9.03, Measure(steady).RMSDBFS, 0.1)
		})
	}
}

func TestResamplerChunkingDoesNotMatter(t *testing.T) {
	in := tone(1234, 44100, 0.5, 44100)
	whole := NewResampler(44100, 8000).Process(nil, in)
	r := NewResampler(44100, 8000)
	var pieces []int16
	for i, size := 0, 1; i < len(in); size = size%701 + 13 {
		end := min(i+size, len(in))
		pieces = r.Process(pieces, in[i:end])
		i = end
	}
	require.Equal(t, len(whole), len(pieces))
	assert.Equal(t, whole, pieces)
}

// Primed, every block gives its full share of output from the first one on, the filter's lag coming
// out as (near) silence at the start: a speaker pulling 20 ms of G.711 resampled to 48 kHz gets 960 samples per
// 160, so no extra frame waits between the two.
func TestResamplerGivesWholeBlocks(t *testing.T) {
	tests := []struct {
		name    string
		in, out int
	}{
		{"8 to 48 kHz", 8000, 48000},
		{"48 to 8 kHz", 48000, 8000},
		{"16 to 48 kHz", 16000, 48000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewResampler(tt.in, tt.out).Primed()
			block := tone(1000, tt.in, 0.5, tt.in/50)
			var all []int16
			for i := range 10 {
				got := r.Process(nil, block)
				require.Len(t, got, tt.out/50, "block %d", i)
				all = append(all, got...)
			}
			lead := r.Delay() * tt.out / tt.in
			// The tone (-9 dBFS) is centred on the filter from sample lead on; before, the filter only
			// starts to reach it.
			assert.Less(t, Measure(all[:lead/2]).RMSDBFS, -30.0, "the filter's lead-in is near silence")
			assert.Greater(t, Measure(all[lead+tt.out/1000:]).RMSDBFS, -10.0, "then the tone")
		})
	}
}

func TestResamplerRejectsAliases(t *testing.T) {
	// A 6 kHz tone cannot exist at 8 kHz: downsampling must remove it, not fold it to 2 kHz.
	in := tone(6000, 48000, 0.5, 48000)
	got := NewResampler(48000, 8000).Process(nil, in)
	steady := got[len(got)/4 : 3*len(got)/4]
	assert.Less(t, Measure(steady).RMSDBFS, -9.03-40, "alias attenuated by at least 40 dB")
}

func TestResamplerReset(t *testing.T) {
	for _, r := range []*Resampler{NewResampler(48000, 8000), NewResampler(48000, 8000).Primed()} {
		first := r.Process(nil, tone(1000, 48000, 0.5, 960))
		r.Reset()
		second := r.Process(nil, tone(1000, 48000, 0.5, 960))
		assert.Equal(t, first, second)
	}
}

func TestDBFS(t *testing.T) {
	assert.Equal(t, MinDBFS, DBFS(0))
	assert.Equal(t, MinDBFS, DBFS(-1))
	assert.Equal(t, MinDBFS, DBFS(1e-9))
	assert.InDelta(t, 0, DBFS(1), 1e-12)
	assert.InDelta(t, -20, DBFS(0.1), 1e-9)
	assert.False(t, math.IsNaN(DBFS(math.SmallestNonzeroFloat64)))
}

func BenchmarkResample48kTo8k(b *testing.B) {
	in := tone(1000, 48000, 0.5, 960)
	r := NewResampler(48000, 8000)
	out := make([]int16, 0, 200)
	b.SetBytes(int64(len(in) * 2))
	for b.Loop() {
		out = r.Process(out[:0], in)
	}
}

// A tone present in only part of a long block (a ring cadence: 1 s on, 2 s off) is still found.
func TestDominantFrequencyIntermittent(t *testing.T) {
	const rate = 44100
	s := make([]int16, 4*rate)
	copy(s[rate/2:], tone(480, rate, 0.3, rate))
	assert.InDelta(t, 480, DominantFrequency(s, rate), 2)
	long := make([]int16, 30*rate)
	copy(long[25*rate:], tone(1200, rate, 0.3, rate/2))
	assert.InDelta(t, 1200, DominantFrequency(long, rate), 3, "long blocks are sampled across their whole length")
}

// The tone's samples stay within one step of the exact sine, however long it plays and in
// whatever lengths it is filled, and its zero value is silence.
func TestToneFollowsTheSine(t *testing.T) {
	const rate, hz = 48000, 1000.0
	tone := NewTone(hz, rate, 0.5)
	amp := 0.5 * (FullScale - 1)
	step := 2 * math.Pi * hz / rate
	n := 0
	buf := make([]int16, 960)
	worst := 0.0
	for frame := range 30000 { // ten minutes at 48 kHz, in 20 ms fills and odd ones
		out := buf[:960-frame%7]
		tone.Fill(out)
		for i, v := range out {
			want := amp * math.Sin(step*float64(n+i))
			worst = max(worst, math.Abs(float64(v)-want))
		}
		n += len(out)
	}
	assert.LessOrEqual(t, worst, 1.0)

	var silent Tone
	out := []int16{1, 2, 3}
	silent.Fill(out)
	assert.Equal(t, []int16{0, 0, 0}, out)
}
