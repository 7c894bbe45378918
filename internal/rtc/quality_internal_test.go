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

// Packets received and lost, RFC 3550 style, across sequence wrap, reordering, duplicates and a
// second stream.
func TestReceivedLost(t *testing.T) {
	seqs := func(from, to uint16) []uint16 {
		var out []uint16
		for s := from; s != to; s++ {
			out = append(out, s)
		}
		return out
	}
	tests := []struct {
		name           string
		ssrc2          bool
		seqs           []uint16
		received, lost int64
	}{
		{"clean", false, seqs(100, 200), 100, 0},
		{"wraps", false, seqs(65500, 40), 76, 0},
		{"two lost", false, []uint16{1, 2, 4, 6, 7}, 5, 2},
		{"lost across the wrap", false, []uint16{65534, 65535, 1, 2}, 4, 1},
		{"reordered", false, []uint16{10, 12, 11, 13}, 4, 0},
		{"reordered before the first", false, []uint16{10, 9, 11}, 3, 0},
		{"duplicate", false, []uint16{5, 6, 6, 7}, 4, -1},
		{"a second stream adds", true, []uint16{1, 3}, 4, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newCallQuality()
			for _, s := range tt.seqs {
				q.counted(7, s)
			}
			if tt.ssrc2 {
				for _, s := range tt.seqs {
					q.counted(8, s+30000)
				}
			}
			received, lost := q.receivedLost()
			assert.Equal(t, tt.received, received)
			assert.Equal(t, tt.lost, lost)
		})
	}
}
