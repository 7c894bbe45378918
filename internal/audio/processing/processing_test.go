package processing

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/dsp"
)

// The signals of these tests, at 48 kHz: the far end is noise shaped like speech's spectrum, the
// agent a 440 Hz tone in 300 ms syllables, and the room folds the speaker back into the microphone
// after a delay, attenuated. They check the library on known signals; echo_pulse_test.go in
// package audio checks the same through a real PulseAudio echo path.
const rate = 48000

func noise(r *rand.Rand, n int, rms float64) []float64 {
	out := make([]float64, n)
	var lp float64
	for i := range out {
		lp = 0.7*lp + 0.3*r.NormFloat64() // a gentle tilt towards low frequencies, as in speech
		out[i] = lp
	}
	return scale(out, rms)
}

func scale(x []float64, rms float64) []float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	g := rms / math.Sqrt(s/float64(len(x)))
	for i := range x {
		x[i] *= g
	}
	return x
}

// syllables is a tone at hz switched on 300 ms and off 200 ms, RMS rms while on.
func syllables(n int, hz, rms float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		if (i*1000/rate)%500 < 300 {
			out[i] = rms * math.Sqrt2 * math.Sin(2*math.Pi*hz*float64(i)/rate)
		}
	}
	return out
}

// voice is a voiced talker: a 180 Hz fundamental and its harmonics up to 3.6 kHz falling by 6 dB
// an octave, in the same syllables, RMS rms while on.
func voice(n int, rms float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		if (i*1000/rate)%500 < 300 {
			for k := 1; k <= 20; k++ {
				out[i] += math.Sin(2*math.Pi*180*float64(k)*float64(i)/rate) / float64(k)
			}
		}
	}
	var s float64
	on := 0
	for _, v := range out {
		if v != 0 {
			s += v * v
			on++
		}
	}
	g := rms / math.Sqrt(s/float64(on))
	for i := range out {
		out[i] *= g
	}
	return out
}

func delayed(x []float64, d int, gain float64) []float64 {
	out := make([]float64, len(x))
	for i := d; i < len(x); i++ {
		out[i] = gain * x[i-d]
	}
	return out
}

func mix(xs ...[]float64) []int16 {
	out := make([]int16, len(xs[0]))
	for i := range out {
		var v float64
		for _, x := range xs {
			v += x[i]
		}
		out[i] = int16(max(-32768, min(32767, v*32768)))
	}
	return out
}

// run processes mic with ref through a Processor made with opts, in 20 ms frames.
func run(t *testing.T, opts Options, mic, ref []int16) []int16 {
	t.Helper()
	opts.Rate = rate
	p, err := New(opts)
	require.NoError(t, err)
	defer p.Close()
	return runOn(p, mic, ref)
}

func rmsDB(x []int16) float64 { return dsp.Measure(x).RMSDBFS }

// toneDB is the level of the component at hz (Goertzel), in dBFS of a sine's RMS.
func toneDB(x []int16, hz float64) float64 {
	w := 2 * math.Pi * hz / rate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s := float64(v)/32768 + c*s1 - s2
		s2, s1 = s1, s
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	amp := 2 * math.Sqrt(p) / float64(len(x))
	return dsp.DBFS(amp / math.Sqrt2)
}

func seconds(x []int16, from, to float64) []int16 { return x[int(from*rate):int(to*rate)] }

// processor is what the scenes run: this package's Processor, or another library's for a
// comparison (compare_webrtc_test.go).
type processor interface {
	Process(pcm, reference []int16)
}

// runOn processes mic with ref in 20 ms frames, as the Engine does.
func runOn(p processor, mic, ref []int16) []int16 {
	out := make([]int16, len(mic))
	const frame = rate / 50
	for i := 0; i+frame <= len(mic); i += frame {
		copy(out[i:i+frame], mic[i:i+frame])
		var r []int16
		if ref != nil {
			r = ref[i : i+frame]
		}
		p.Process(out[i:i+frame], r)
	}
	return out
}

// echoScene: the far end talks in 400 ms spurts for 10 s at -20 dBFS, its echo comes back after
// delay 10 dB down; the agent talks (440 Hz syllables) from 7 s on: double talk from 7 to 10 s,
// the agent alone from 10 to 14 s.
func echoScene(delay time.Duration) (mic, ref []int16) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 14 * rate
	far := noise(r, n, 0.1) // -20 dBFS
	for i := range far {
		if i >= 10*rate || (i*1000/rate)%650 >= 400 {
			far[i] = 0 // talk spurts of 400 ms, and the far end stops for the last 4 s
		}
	}
	agent := syllables(n, 440, 0.1)
	for i := range 7 * rate {
		agent[i] = 0
	}
	echo := delayed(far, int(int64(rate)*int64(delay)/int64(time.Second)), 0.3) // -10 dB
	return mix(echo, agent), mix(far)
}

// echoFigures measures an echo scene's output: the ERLE once converged (5-7 s), the agent's tone
// alone (11-14 s) and in double talk (8-10 s), in dB against the microphone.
type echoFigures struct{ erle, alone, double float64 }

func measureEcho(mic, out []int16) echoFigures {
	return echoFigures{
		erle:   rmsDB(seconds(mic, 5, 7)) - rmsDB(seconds(out, 5, 7)),
		alone:  toneDB(seconds(out, 11, 14), 440) - toneDB(seconds(mic, 11, 14), 440),
		double: toneDB(seconds(out, 8, 10), 440) - toneDB(seconds(mic, 8, 10), 440),
	}
}

// TestEchoCancel: the echo comes back after the room's delay plus the sound system's buffers,
// which vary from run to run; the canceller measures the delay and lines the reference up with it,
// so a delay much longer than its filter is cancelled as well as a short one.
func TestEchoCancel(t *testing.T) {
	if !Available() {
		t.Skip("no cgo")
	}
	for _, tt := range []struct {
		name  string
		delay time.Duration
	}{
		{"180 ms", 180 * time.Millisecond},
		{"450 ms: longer than the filter", 450 * time.Millisecond},
		{"800 ms", 800 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mic, ref := echoScene(tt.delay)
			p, err := New(Options{Rate: rate, EchoCancel: true, NoiseSuppress: true})
			require.NoError(t, err)
			defer p.Close()
			f := measureEcho(mic, runOn(p, mic, ref))
			d, ok := p.EchoDelay()
			t.Logf("echo delay measured: %v; ERLE %.1f dB; the agent alone %.1f dB, in double talk %.1f dB", d, f.erle, f.alone, f.double)
			assert.True(t, ok, "a delay measured")
			assert.InDelta(t, tt.delay.Seconds(), d.Seconds(), 0.002, "the delay measured")
			assert.GreaterOrEqual(t, f.erle, 20.0, "echo return loss enhancement")
			assert.InDelta(t, 0, f.alone, 3, "the agent's tone passes")
			assert.Greater(t, f.double, -6.0, "double talk keeps the agent's voice")
		})
	}
}

// TestEchoCancelFollowsMoves: on a busy machine the speaker plays a gap now and then, or the
// microphone loses a few milliseconds, and the echo comes back later or earlier against the
// reference from then on. The canceller moves its reference by as much, measured to the sample,
// and keeps its filter: the echo is down again within a second, where a filter left to adapt
// again (or started afresh, for a move past 20 ms) took two seconds or more.
func TestEchoCancelFollowsMoves(t *testing.T) {
	if !Available() {
		t.Skip("no cgo")
	}
	for _, tt := range []struct {
		name string
		move int // samples at 48 kHz, from 5 s on
	}{
		{"3 ms later", 144},
		{"10 ms earlier", -480},
		{"30 ms later", 1440},
		{"a fraction of a millisecond later", 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			const n = 10 * rate
			far := noise(r, n, 0.1)
			for i := range far {
				if (i*1000/rate)%650 >= 400 {
					far[i] = 0 // talk spurts of 400 ms
				}
			}
			echo := make([]float64, n)
			for i := range echo {
				d := rate * 150 / 1000
				if i >= 5*rate {
					d += tt.move
				}
				if i >= d {
					echo[i] = 0.3 * far[i-d]
				}
			}
			mic, ref := mix(echo), mix(far)
			p, err := New(Options{Rate: rate, EchoCancel: true, NoiseSuppress: true})
			require.NoError(t, err)
			defer p.Close()
			out := runOn(p, mic, ref)
			before := rmsDB(seconds(mic, 3, 5)) - rmsDB(seconds(out, 3, 5))
			after := rmsDB(seconds(mic, 6, 8)) - rmsDB(seconds(out, 6, 8))
			d, ok := p.EchoDelay()
			t.Logf("ERLE %.1f dB before the move, %.1f dB from 1 s after it; delay %v", before, after, d)
			require.GreaterOrEqual(t, before, 40.0, "the canceller converged before the move")
			assert.GreaterOrEqual(t, after, 40.0, "ERLE from 1 s after the move")
			assert.True(t, ok)
			assert.InDelta(t, float64(rate*150/1000+tt.move), d.Seconds()*rate, 1, "the delay followed, to the sample")
		})
	}
}

// noiseScene is a 440 Hz talker at -20 dBFS that pauses for the last second of every three, over
// steady noise at -40 dBFS.
func noiseScene() []int16 {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 10 * rate
	bg := noise(r, n, 0.01) // -40 dBFS of background noise
	tone := syllables(n, 440, 0.1)
	for i := range tone {
		if (i*1000/rate)%3000 >= 2000 {
			tone[i] = 0
		}
	}
	return mix(bg, tone)
}

// measureNoise returns how far the noise fell (in the pauses, after the talk's tail, from 3 s on)
// and how the tone changed, in dB.
func measureNoise(in, out []int16) (fall, tone float64) {
	gaps := func(x []int16) []int16 {
		var g []int16
		for i := 3 * rate; i < len(x); i++ {
			if ms := (i * 1000 / rate) % 3000; ms >= 2400 {
				g = append(g, x[i])
			}
		}
		return g
	}
	return rmsDB(gaps(in)) - rmsDB(gaps(out)), toneDB(seconds(out, 3, 5), 440) - toneDB(seconds(in, 3, 5), 440)
}

func TestNoiseSuppress(t *testing.T) {
	if !Available() {
		t.Skip("no cgo")
	}
	in := noiseScene()
	out := run(t, Options{NoiseSuppress: true}, in, nil)
	fall, tone := measureNoise(in, out)
	t.Logf("noise falls by %.1f dB; tone: %.1f dB", fall, tone)
	assert.GreaterOrEqual(t, fall, 10.0)
	assert.InDelta(t, 0, tone, 3)
}

// gainScene is a voiced talker at -40 dBFS for 12 s.
func gainScene() []int16 { return mix(voice(12*rate, 0.01)) }

// measureGain is the talker's level in dBFS while talking, from 8 s on (the gain settled).
func measureGain(x []int16) float64 {
	var g []int16
	for i := 8 * rate; i < len(x); i++ {
		if ms := (i * 1000 / rate) % 500; ms >= 20 && ms < 280 {
			g = append(g, x[i])
		}
	}
	return rmsDB(g)
}

func TestGainControl(t *testing.T) {
	if !Available() {
		t.Skip("no cgo")
	}
	in := gainScene()
	out := run(t, Options{GainControl: true, NoiseSuppress: true}, in, nil)
	t.Logf("talker %.1f dBFS -> %.1f dBFS", measureGain(in), measureGain(out))
	assert.InDelta(t, -20, measureGain(out), 5)
}

func TestFeatures(t *testing.T) {
	assert.Equal(t, "aec,ns,agc", Options{EchoCancel: true, NoiseSuppress: true, GainControl: true}.String())
	assert.Equal(t, "none", Options{}.String())
	assert.Equal(t, []string{"ns"}, Names(Options{NoiseSuppress: true}.Features()))
}
