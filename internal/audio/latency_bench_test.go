package audio

import (
	"context"
	"encoding/binary"
	"math"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/audio/jitter"
	"github.com/phonebar/phonebar/internal/testenv"
)

// onsetProbe records when tone bursts start on one PulseAudio monitor. Both probes of a
// measurement capture the same way, so their own latency cancels out of the difference.
type onsetProbe struct {
	s      *stream
	mu     sync.Mutex
	onsets []time.Time
}

func startProbe(b *testing.B, h *Host, dev string, ctx context.Context, wg *sync.WaitGroup) *onsetProbe {
	drv, err := h.driver()
	require.NoError(b, err)
	devs, err := h.ListDevices(ctx)
	require.NoError(b, err)
	d, ok := devs.Find(KindCapture, dev)
	require.True(b, ok, dev)
	s, err := openStream(drv, KindCapture, d, 0, nil)
	require.NoError(b, err)
	p := &onsetProbe{s: s}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer s.close()
		buf := make([]int16, 4096)
		quiet := 0 // samples below the threshold in a row
		need := s.rate / 20
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
			}
			now := time.Now()
			for {
				n := s.ring.read(buf)
				if n == 0 {
					break
				}
				for i, v := range buf[:n] {
					if v > 3000 || v < -3000 {
						if quiet >= need {
							at := now.Add(-time.Duration(n-1-i) * time.Second / time.Duration(s.rate))
							p.mu.Lock()
							p.onsets = append(p.onsets, at)
							p.mu.Unlock()
						}
						quiet = 0
					} else {
						quiet++
					}
				}
			}
		}
	}()
	return p
}

func (p *onsetProbe) all() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.onsets...)
}

// BenchmarkLoopbackLatency measures the latency the Phonebar adds to a call's audio: capture from
// a microphone, encode, decode through the jitter buffer (no network), and playback. Tone bursts
// are played into a null sink whose monitor is the Engine's microphone; the Engine plays into a
// second null sink; probes on both monitors time each burst's onset. Reported: latency-ms (mean
// over the bursts). One op is one burst (600 ms of real time).
func BenchmarkLoopbackLatency(b *testing.B) {
	testenv.NeedPulseAudio(b)
	testenv.NeedCommand(b, "pacat")
	for _, id := range []codec.ID{codec.PCMU, codec.Opus} {
		b.Run(id.String(), func(b *testing.B) {
			if !codec.Available(id) {
				b.Skip("no Opus in this build")
			}
			h := New(Options{})
			defer h.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			in, out := "pb_lat_in", "pb_lat_out"
			for _, name := range []string{in, out} {
				idx, err := exec.Command("pactl", "load-module", "module-null-sink", "sink_name="+name).Output()
				require.NoError(b, err)
				defer exec.Command("pactl", "unload-module", string(idx[:len(idx)-1])).Run()
			}
			enc, err := codec.New(id, codec.Options{})
			require.NoError(b, err)
			defer enc.Close()
			dec, err := codec.New(id, codec.Options{})
			require.NoError(b, err)
			defer dec.Close()
			buf := jitter.New(jitter.Options{ClockRate: id.ClockRate()})
			e, err := h.OpenEngine(ctx, EngineOptions{
				SampleRate: enc.SampleRate(),
				Capture:    DeviceRef{ID: in + ".monitor"},
				Playback:   DeviceRef{ID: out},
				Source:     jitter.NewPlayout(buf, dec, nil),
			})
			require.NoError(b, err)
			defer e.Close()

			var wg sync.WaitGroup
			defer wg.Wait()
			defer cancel()
			// The call: every captured frame is encoded and handed straight to the jitter buffer.
			wg.Add(1)
			go func() {
				defer wg.Done()
				pcm := make([]int16, e.FrameSamples())
				pkt := make([]byte, 1500)
				for seq := 0; ; seq++ {
					if _, err := e.ReadFrame(ctx, pcm); err != nil {
						return
					}
					n, err := enc.Encode(pcm, pkt)
					if err != nil {
						return
					}
					buf.Push(jitter.Packet{Seq: uint16(seq), Timestamp: uint32(seq * e.FrameSamples()), Payload: pkt[:n]})
				}
			}()
			pin := startProbe(b, h, in+".monitor", ctx, &wg)
			pout := startProbe(b, h, out+".monitor", ctx, &wg)

			// Bursts: 100 ms of 1 kHz, then 500 ms of silence, played by pacat into the input sink.
			const rate = 48000
			warm := 4 // bursts while the streams settle, not measured
			total := b.N + warm
			pcm := make([]byte, 0, total*rate*6/10*2)
			for range total {
				for i := range rate * 6 / 10 {
					var v int16
					if i < rate/10 {
						v = int16(16000 * sinTable(i*1000%rate, rate))
					}
					pcm = binary.LittleEndian.AppendUint16(pcm, uint16(v))
				}
			}
			// Let the Engine's streams start before the stimulus.
			for e.Stats().CaptureFrames-e.Stats().CaptureFiller < 10 {
				time.Sleep(50 * time.Millisecond)
			}
			b.ResetTimer()
			started := time.Now()
			cmd := exec.CommandContext(ctx, "pacat", "--playback", "--device="+in, "--format=s16le", "--rate=48000",
				"--channels=1", "--latency-msec=20")
			w, err := cmd.StdinPipe()
			require.NoError(b, err)
			require.NoError(b, cmd.Start())
			_, err = w.Write(pcm)
			require.NoError(b, err)
			w.Close()
			require.NoError(b, cmd.Wait())
			time.Sleep(time.Second) // the last burst's way through
			b.StopTimer()

			ins, outs := pin.all(), pout.all()
			var sum time.Duration
			lo, hi := time.Hour, time.Duration(0)
			n := 0
			measureFrom := started.Add(time.Duration(warm)*600*time.Millisecond - 100*time.Millisecond)
			for _, t0 := range ins {
				if t0.Before(measureFrom) {
					continue
				}
				for _, t1 := range outs {
					if d := t1.Sub(t0); d > 0 && d < 590*time.Millisecond {
						sum += d
						n++
						lo, hi = min(lo, d), max(hi, d)
						break
					}
				}
			}
			require.Positive(b, n, "no burst came through (in %d, out %d)", len(ins), len(outs))
			b.ReportMetric(float64(sum.Microseconds())/float64(n)/1000, "latency-ms")
			b.ReportMetric(float64(n), "bursts")
			b.ReportMetric(float64(lo.Microseconds())/1000, "min-ms")
			b.ReportMetric(float64(hi.Microseconds())/1000, "max-ms")
			b.ReportMetric(float64(buf.Stats().TargetDelay.Milliseconds()), "jitter-target-ms")
		})
	}
}

// sinTable is sin(2π·k/n) for the burst generator.
func sinTable(k, n int) float64 {
	return math.Sin(2 * 3.141592653589793 * float64(k) / float64(n))
}
