//go:build cgo && (linux || windows)

package audio

import (
	"runtime"
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

// A microphone and a speaker on the real PulseAudio (Linux) or the system's sound (Windows: WASAPI,
// which Wine gives through PulseAudio), and on miniaudio's null backend, whose
// devices run on threads of their own in real time (Linux and Windows, where it shows the
// Windows pump under Wine): with the pump their threads never call into Go, yet the microphone's
// samples arrive, the speaker plays what it is given, and what it took comes back in order (the
// echo reference). Opened as malgo has them (usePump off) the same runs go through Go callbacks, which
// the pumped run must not count. When the goroutine is late once (the speaker's data stalls for
// 40 ms, longer than the callback waits), the speaker plays silence for the period it could not
// wait for, counts it, and the reference has that silence just before the samples that came late.
func TestPumpKeepsDeviceThreadsOutOfGo(t *testing.T) {
	backends := []Backend{BackendNull}
	switch runtime.GOOS {
	case "linux":
		backends = append(backends, BackendPulseAudio)
	case "windows":
		backends = append(backends, BackendAuto) // WASAPI (under Wine, its PulseAudio driver)
	}
	for _, backend := range backends {
		t.Run(backend.String(), func(t *testing.T) { testPump(t, backend) })
	}
}

func testPump(t *testing.T, backend Backend) {
	switch backend {
	case BackendPulseAudio:
		testenv.NeedPulseAudio(t)
	case BackendAuto:
		drv, err := newDriver(backend)
		testenv.Need(t, err == nil, "a sound system")
		mics, _ := drv.devices(KindCapture)
		speakers, _ := drv.devices(KindPlayback)
		drv.close()
		testenv.Need(t, len(mics) > 0 && len(speakers) > 0, "a microphone and a speaker")
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, c := range []struct {
		name          string
		pumped, stall bool
	}{{"pumped", true, false}, {"through Go callbacks", false, false}, {"pumped, goroutine late once", true, true}} {
		pumped := c.pumped
		t.Run(c.name, func(t *testing.T) {
			defer func(was bool) { usePump = was }(usePump)
			usePump = pumped
			drv, err := newDriver(backend)
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

// BenchmarkDeviceThreadsCPU measures what a microphone and a speaker cost the process while they
// run (percent of one core), with the pump and with their threads calling into Go, on miniaudio's
// null backend: its devices' threads keep real time as a sound system's do, so what differs is how
// their periods reach Go. As in a call, each period the microphone records wakes a goroutine (the
// call's send loop, through a channel) and the speaker is given silence.
//
// Run: go test -run '^$' -bench DeviceThreadsCPU -benchtime 3x ./internal/audio/ (on Windows,
// under Wine too, through .ci/wine/exec).
func BenchmarkDeviceThreadsCPU(b *testing.B) {
	for _, pumped := range []bool{true, false} {
		name := "pumped"
		if !pumped {
			name = "go-callbacks"
		}
		b.Run(name, func(b *testing.B) {
			defer func(was bool) { usePump = was }(usePump)
			usePump = pumped
			const hold = 3 * time.Second
			var cpu time.Duration
			for range b.N {
				drv, err := newDriver(BackendNull)
				require.NoError(b, err)
				var captured atomic.Uint64
				ready, done := make(chan int, 5), make(chan struct{})
				go func() {
					defer close(done)
					for n := range ready {
						captured.Add(uint64(n))
					}
				}()
				mic, err := drv.open(streamConfig{kind: KindCapture, rate: 48000, periodMs: 10,
					data: func(p []int16) {
						select {
						case ready <- len(p):
						default:
						}
					}})
				require.NoError(b, err)
				spk, err := drv.open(streamConfig{kind: KindPlayback, rate: 48000, periodMs: 10, data: func(p []int16) { clear(p) }})
				require.NoError(b, err)
				require.NoError(b, mic.start())
				require.NoError(b, spk.start())
				time.Sleep(500 * time.Millisecond) // started and settled
				c0 := testenv.ProcessCPU()
				time.Sleep(hold)
				cpu += testenv.ProcessCPU() - c0
				require.Positive(b, captured.Load())
				if pumped {
					require.NotNil(b, mic.(*malgoStream).pump)
				}
				spk.close()
				mic.close()
				drv.close()
				close(ready)
				<-done
			}
			b.ReportMetric(100*cpu.Seconds()/hold.Seconds()/float64(b.N), "%cpu")
		})
	}
}

// PHONEBAR_AUDIO_PUMP turns the pump on or off; anything else leaves the system's default.
func TestPumpSetting(t *testing.T) {
	for _, c := range []struct {
		env       string
		def, want bool
	}{
		{"", true, true}, {"", false, false},
		{"on", false, true}, {" ON ", false, true}, {"1", false, true},
		{"off", true, false}, {"0", true, false}, {"No", true, false},
		{"maybe", true, true}, {"maybe", false, false},
	} {
		assert.Equal(t, c.want, pumpSetting(c.env, c.def), "%q with default %v", c.env, c.def)
	}
}
