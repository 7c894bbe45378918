package audio

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/audio/processing"
)

// TestGainedLevel: the microphone check says what level the far end will hear once the call's gain
// control has settled; a second of a quiet voice is too short for it to settle in, so the check
// plays the second again until it has.
func TestGainedLevel(t *testing.T) {
	if !processing.Available() {
		t.Skip("no processing without cgo")
	}
	const rate = 48000
	for _, tt := range []struct {
		name   string
		dbfs   float64
		listen float64 // seconds
	}{
		{"-33 dBFS for a second", -33, 1},
		{"-40 dBFS for a second", -40, 1},
		{"-33 dBFS for three seconds", -33, 3},
		{"-15 dBFS: brought down", -15, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pcm := make([]int16, int(tt.listen*rate))
			amp := math.Pow(10, tt.dbfs/20) * math.Sqrt2
			for i := range pcm {
				v := 0.0
				if (i*1000/rate)%500 < 300 { // syllables of a voiced talker: 180 Hz and harmonics
					for k := 1; k <= 10; k++ {
						v += math.Sin(2*math.Pi*180*float64(k)*float64(i)/rate) / float64(k)
					}
				}
				pcm[i] = int16(amp * v / 1.6 * 32767)
			}
			got, ok := gainedLevel(pcm, rate)
			assert.True(t, ok)
			t.Logf("%.1f dBFS in, %.1f dBFS after gain control", tt.dbfs, got)
			assert.InDelta(t, -22, got, 5, "the level after gain control")
		})
	}
}
