package agent

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: 10 * time.Second, Multiplier: 2, Jitter: 0.25}
	tests := []struct {
		name    string
		b       Backoff
		attempt int
		rnd     float64
		want    time.Duration
	}{
		{"first, no spread", b, 0, 0.5, time.Second},
		{"grows", b, 1, 0.5, 2 * time.Second},
		{"grows more", b, 3, 0.5, 8 * time.Second},
		{"capped", b, 4, 0.5, 10 * time.Second},
		{"capped far out", b, 1000, 0.5, 10 * time.Second},
		{"jitter low", b, 0, 0, 750 * time.Millisecond},
		{"jitter high", b, 2, 0.999999, 5 * time.Second},
		{"jitter never above max", b, 10, 0.999999, 10 * time.Second},
		{"defaults", Backoff{}, 0, 0.5, 500 * time.Millisecond},
		{"defaults capped at 8s", Backoff{}, 20, 0.5, 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.b.Delay(tt.attempt, tt.rnd)
			assert.InDelta(t, float64(tt.want), float64(got), float64(time.Millisecond))
		})
	}
}
