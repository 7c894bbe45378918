package processing

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// feedEstimator gives the estimator mic and ref (at 48 kHz, as the tests' signals are) in blocks
// at procRate, and returns the delay it took at the end.
func feedEstimator(mic, ref []int16) (time.Duration, bool) {
	d := newDelayEstimator()
	const step = rate / procRate
	m, r := make([]int16, procFrame), make([]int16, procFrame)
	for at := 0; at+procFrame*step <= len(mic); at += procFrame * step {
		for i := range procFrame {
			m[i], r[i] = mic[at+i*step], ref[at+i*step]
		}
		d.push(m, r)
	}
	return d.Delay()
}

func TestDelayEstimator(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const n = 5 * rate
	for _, tt := range []struct {
		name   string
		far    []float64
		delay  time.Duration
		gain   float64
		agent  []float64
		found  bool
		within time.Duration
	}{
		{name: "50 ms", far: noise(r, n, 0.1), delay: 50 * time.Millisecond, gain: 0.3, found: true},
		{name: "180 ms with the agent talking", far: noise(r, n, 0.1), delay: 180 * time.Millisecond, gain: 0.3, agent: syllables(n, 440, 0.1), found: true},
		{name: "420 ms, quiet echo under noise", far: noise(r, n, 0.1), delay: 420 * time.Millisecond, gain: 0.05, agent: noise(r, n, 0.01), found: true},
		{name: "900 ms", far: noise(r, n, 0.1), delay: 900 * time.Millisecond, gain: 0.3, found: true},
		{name: "the far end silent", far: make([]float64, n), delay: 100 * time.Millisecond, gain: 0.3, agent: noise(r, n, 0.05)},
		{name: "no echo", far: noise(r, n, 0.1), gain: 0, agent: noise(r, n, 0.05)},
		{name: "beyond the longest delay", far: noise(r, n, 0.1), delay: 1500 * time.Millisecond, gain: 0.3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			echo := delayed(tt.far, int(int64(rate)*int64(tt.delay)/int64(time.Second)), tt.gain)
			mic := mix(echo)
			if tt.agent != nil {
				mic = mix(echo, tt.agent)
			}
			got, ok := feedEstimator(mic, mix(tt.far))
			require.Equal(t, tt.found, ok, "a delay found: %v", got)
			if tt.found {
				t.Logf("%v found as %v", tt.delay, got)
				assert.InDelta(t, tt.delay.Seconds(), got.Seconds(), 0.001)
			}
		})
	}
}

// TestDelayEstimatorFollows: the sound system's buffers grow during the call (a stall refills
// them); the estimate follows.
func TestDelayEstimatorFollows(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const n = 8 * rate
	far := noise(r, n, 0.1)
	first := delayed(far, rate*150/1000, 0.3)
	then := delayed(far, rate*380/1000, 0.3)
	echo := make([]float64, n)
	copy(echo, first[:4*rate])
	copy(echo[4*rate:], then[4*rate:])
	got, ok := feedEstimator(mix(echo), mix(far))
	require.True(t, ok)
	assert.InDelta(t, 0.380, got.Seconds(), 0.001)
}
