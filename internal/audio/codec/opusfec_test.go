package codec

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// voiced is a signal an encoder takes for voice: three harmonics whose pitch moves every frame (a
// steady tone soon counts as no voice, and an encoder sends no FEC for frames without voice).
type voiced struct {
	phase float64
	k     int
}

func (v *voiced) fill(pcm []int16, rate int) {
	hz := 200 + 40*float64(v.k%7)
	v.k++
	for i := range pcm {
		pcm[i] = int16(9000 * (math.Sin(v.phase) + 0.5*math.Sin(2*v.phase) + 0.3*math.Sin(3*v.phase)))
		v.phase = math.Mod(v.phase+2*math.Pi*hz/float64(rate), 2*math.Pi)
	}
}

// TestOpusHasFEC reads the LBRR flag of packets from the real encoder: set when in-band FEC is on
// and loss expected, clear when it is off; never for CELT-only packets, code 2 and 3 packets or
// malformed ones.
func TestOpusHasFEC(t *testing.T) {
	t.Run("from the encoder", func(t *testing.T) {
		if !Available(Opus) {
			t.Skip("this build has no Opus")
		}
		tests := []struct {
			name string
			opts Options
			want bool
		}{
			{"FEC on, 10 % loss expected", Options{FEC: true, ExpectedLossPercent: 10}, true},
			{"FEC off", Options{}, false},
			{"FEC on, no loss expected", Options{FEC: true}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c, err := New(Opus, tt.opts)
				require.NoError(t, err)
				defer c.Close()
				pkt := make([]byte, 1500)
				v := voiced{}
				pcm := make([]int16, 960)
				var with, silk int
				const frames = 50
				for i := range frames {
					v.fill(pcm, 48000)
					n, err := c.Encode(pcm, pkt)
					require.NoError(t, err)
					if pkt[0]>>3 < 16 {
						silk++
					}
					if i > 0 && OpusHasFEC(pkt[:n]) {
						with++
					}
				}
				require.Equal(t, frames, silk, "a voice signal at 32 kbit/s is coded with a SILK layer")
				if tt.want {
					assert.GreaterOrEqual(t, with, frames*9/10, "packets carrying FEC")
				} else {
					assert.Zero(t, with, "packets carrying FEC")
				}
			})
		}
	})
	t.Run("packets", func(t *testing.T) {
		tests := []struct {
			name    string
			payload []byte
			want    bool
		}{
			{"empty", nil, false},
			{"TOC only", []byte{13 << 3}, false},
			{"hybrid 20 ms, VAD and LBRR set", []byte{13 << 3, 0xe0}, true},
			{"hybrid 20 ms, LBRR clear", []byte{13 << 3, 0x9c}, false},
			{"SILK 20 ms, LBRR set", []byte{1 << 3, 0x40}, true},
			{"SILK 40 ms: two VAD bits, then LBRR", []byte{2 << 3, 0x40}, false},
			{"SILK 40 ms, LBRR set", []byte{2 << 3, 0x20}, true},
			{"SILK 60 ms, LBRR set", []byte{3 << 3, 0x10}, true},
			{"two equal frames (code 1)", []byte{1<<3 | 1, 0x40}, true},
			{"two frames of their own sizes (code 2)", []byte{1<<3 | 2, 0x40}, false},
			{"CELT-only 20 ms", []byte{31 << 3, 0xff}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				assert.Equal(t, tt.want, OpusHasFEC(tt.payload))
			})
		}
	})
}
