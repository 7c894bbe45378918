package processing

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/testenv"
)

// BenchmarkProcess measures what the processing costs a call, in percent of one core: one op is
// one 20 ms frame at 48 kHz (CPU time of the process, not wall time: the figure holds on a busy machine) (the Engine's), processed with its echo reference.
//
// Run: go test -run '^$' -bench Process ./internal/audio/processing/
func BenchmarkProcess(b *testing.B) {
	if !Available() {
		b.Skip("no cgo")
	}
	r := rand.New(rand.NewPCG(5, 6))
	mic := mix(noise(r, rate, 0.05), syllables(rate, 440, 0.1))
	ref := mix(noise(r, rate, 0.1))
	for _, tt := range []struct {
		name string
		opts Options
	}{
		{"aec+ns+agc", Options{EchoCancel: true, NoiseSuppress: true, GainControl: true}},
		{"ns+agc", Options{NoiseSuppress: true, GainControl: true}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			tt.opts.Rate = rate
			p, err := New(tt.opts)
			require.NoError(b, err)
			defer p.Close()
			const frame = rate / 50
			pcm := make([]int16, frame)
			b.ResetTimer()
			c0 := testenv.ProcessCPU()
			for i := range b.N {
				at := (i * frame) % (len(mic) - frame)
				copy(pcm, mic[at:at+frame])
				p.Process(pcm, ref[at:at+frame])
			}
			b.ReportMetric(100*(testenv.ProcessCPU()-c0).Seconds()/float64(b.N)/0.020, "%cpu/call")
		})
	}
}

// BenchmarkDelayEstimator: one op is one 20 ms block; the figure is the estimator's share of one
// core (an estimate every 25 blocks).
//
// Run: go test -run '^$' -bench DelayEstimator ./internal/audio/processing/
func BenchmarkDelayEstimator(b *testing.B) {
	r := rand.New(rand.NewPCG(13, 14))
	far := noise(r, 2*rate, 0.1)
	mic, ref := mix(delayed(far, rate/10, 0.3)), mix(far)
	d := newDelayEstimator()
	m, f := make([]int16, procFrame), make([]int16, procFrame)
	const step = rate / procRate
	b.ResetTimer()
	c0 := testenv.ProcessCPU()
	for i := range b.N {
		at := (i * procFrame * step) % (len(mic) - procFrame*step)
		for j := range procFrame {
			m[j], f[j] = mic[at+j*step], ref[at+j*step]
		}
		d.push(m, f)
	}
	b.ReportMetric(100*(testenv.ProcessCPU()-c0).Seconds()/float64(b.N)/0.020, "%cpu/call")
}

// BenchmarkEchoFollower: one op is one look of the follower (while the echo is not cancelled after
// the canceller had converged, every followBin blocks); the figure is its share of one core while
// it looks.
//
// Run: go test -run '^$' -bench EchoFollower ./internal/audio/processing/
func BenchmarkEchoFollower(b *testing.B) {
	r := rand.New(rand.NewPCG(15, 16))
	far := noise(r, 2*rate, 0.1)
	mic, ref := mix(delayed(far, rate/8, 0.3)), mix(far)
	f := newEchoFollower(rate)
	f.push(mic)
	b.ResetTimer()
	c0 := testenv.ProcessCPU()
	for range b.N {
		if _, _, ok := f.estimate(ref, rate/8); !ok {
			b.Fatal("no estimate")
		}
	}
	b.ReportMetric(100*(testenv.ProcessCPU()-c0).Seconds()/float64(b.N)/(followBin*0.020), "%cpu/call")
}
