//go:build cgo

package audio

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/testenv"
)

// A microphone and a speaker on the real PulseAudio: with the pump their threads never call into
// Go, yet the microphone's samples arrive, the speaker plays what it is given, and what it took
// comes back in order (the echo reference). Opened as malgo has them (noPump) the same runs go
// through Go callbacks, which the pumped run must not count. When the goroutine is late once (the
// speaker's data stalls for 40 ms, longer than the callback waits), the speaker plays silence for
// the period it could not wait for, counts it, and the reference has that silence just before the
// samples that came late.
func TestPumpKeepsDeviceThreadsOutOfGo(t *testing.T) {
	testenv.NeedPulseAudio(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, c := range []struct {
		name          string
		pumped, stall bool
	}{{"pumped", true, false}, {"through Go callbacks", false, false}, {"pumped, goroutine late once", true, true}} {
		pumped := c.pumped
		t.Run(c.name, func(t *testing.T) {
			noPump = !pumped
			defer func() { noPump = false }()
			drv, err := newDriver(BackendPulseAudio)
			require.NoError(t, err)
			defer drv.close()

			var captured atomic.Uint64
			mic, err := drv.open(streamConfig{kind: KindCapture, rate: 48000, periodMs: 10,
				data: func(p []int16) { captured.Add(uint64(len(p))) }})
			require.NoError(t, err)
			defer mic.close()

			// The speaker gets 1, 2, 3 … (never 0, so that silence it adds stands out).
			var mu sync.Mutex
			var next int16 = 1
			var played []int16
			var lateFrom int16 // the first sample given after the stall
			calls := 0
			spk, err := drv.open(streamConfig{kind: KindPlayback, rate: 48000, periodMs: 10,
				data: func(p []int16) {
					if calls++; c.stall && calls == 50 {
						time.Sleep(40 * time.Millisecond)
						mu.Lock()
						lateFrom = next
						mu.Unlock()
					}
					for i := range p {
						p[i] = next
						if next++; next == 0x7fff {
							next = 1
						}
					}
				},
				played: func(p []int16) {
					mu.Lock()
					played = append(played, p...)
					mu.Unlock()
				}})
			require.NoError(t, err)
			defer spk.close()
			require.NoError(t, mic.start())
			require.NoError(t, spk.start())

			playedLen := func() int {
				mu.Lock()
				defer mu.Unlock()
				return len(played)
			}
			deadline := time.Now().Add(10 * time.Second)
			for captured.Load() < 48000 || playedLen() < 48000 {
				require.True(t, time.Now().Before(deadline), "one second of audio each way within 10 s")
				time.Sleep(20 * time.Millisecond)
			}
			m, s := mic.(*malgoStream), spk.(*malgoStream)
			if pumped {
				assert.NotNil(t, m.pump)
				assert.NotNil(t, s.pump)
				assert.Zero(t, m.goCalls.Load(), "the microphone's thread called into Go")
				assert.Zero(t, s.goCalls.Load(), "the speaker's thread called into Go")
			} else {
				assert.Nil(t, m.pump)
				assert.Positive(t, m.goCalls.Load())
				assert.Positive(t, s.goCalls.Load())
			}

			mu.Lock()
			defer mu.Unlock()
			want := int16(1)
			var silence uint64
			for _, v := range played {
				if v == 0 {
					silence++
					continue
				}
				require.Equal(t, want, v, "the echo reference is what the speaker was given, in order")
				if want++; want == 0x7fff {
					want = 1
				}
			}
			// The pump may have seen more shortfall since its last move; never less.
			assert.LessOrEqual(t, silence, spk.shortfall(), "the silence the speaker played for want of samples is in the reference")
			if c.stall {
				assert.Positive(t, spk.shortfall(), "the callback gave up waiting for the late goroutine")
				at := slices.Index(played, lateFrom)
				require.Positive(t, at, "the samples given after the stall are in the reference")
				assert.Zero(t, played[at-1], "the silence played for want of them comes just before them")
			}
			t.Logf("%d samples played, %d of them silence for want of samples", len(played), silence)
		})
	}
}
