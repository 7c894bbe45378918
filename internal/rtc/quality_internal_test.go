package rtc

import (
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// RFC 3550 jitter of a 20 ms stream at 48 kHz whose packets are held back a delay drawn evenly
// from [0, spread]: the mean change of transit is spread/3, which the estimate approaches.
func TestJitterEstimate(t *testing.T) {
	tests := []struct {
		name   string
		spread time.Duration
		want   float64 // ms
	}{
		{"steady", 0, 0},
		{"30 ms", 90 * time.Millisecond, 30},
		{"10 ms", 30 * time.Millisecond, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newCallQuality()
			rng := rand.New(rand.NewSource(7))
			start := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
			var sum float64
			n := 0
			for i := range 3000 {
				delay := time.Duration(0)
				if tt.spread > 0 {
					delay = time.Duration(rng.Int63n(int64(tt.spread)))
				}
				q.arrived(1, uint32(1000+i*960), 48000, start.Add(time.Duration(i)*20*time.Millisecond+delay))
				if i > 500 {
					sum += q.jitterSeconds * 1000
					n++
				}
			}
			assert.InDelta(t, tt.want, sum/float64(n), 2.5)
		})
	}
}
