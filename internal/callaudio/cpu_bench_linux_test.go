package callaudio

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/testenv"
)

// pulseCPU is the CPU time of the PulseAudio server of this run (its pid file in XDG_RUNTIME_DIR),
// in clock ticks of 10 ms; ok is false when it cannot be read.
func pulseCPU() (time.Duration, bool) {
	pid, err := os.ReadFile(filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "pulse", "pid"))
	if err != nil {
		return 0, false
	}
	stat, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/stat")
	if err != nil {
		return 0, false
	}
	// The fields after the command's closing parenthesis; utime and stime are the 14th and 15th of
	// the whole line.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, true
}

// BenchmarkMediaCPU measures what one end of a call costs while audio flows, in percent of one core
// (CPU time of this process, not wall time, so the figure holds on a busy machine): the whole path
// of a call, microphone and speaker on PulseAudio through an Engine (capture, resampling, the
// speaker fed from its callback), these Devices, and an rtc.Session (encode, SRTP, jitter buffer,
// decode), with the processing off and on. Both ends of the call run in this process, each on its
// own null sinks; the figure is half the total. PulseAudio's own work (mixing, and converting the
// streams' 48 kHz to the null sinks' 44.1 kHz) is in its process: %cpu-pulse/call-end reports it
// apart, from the server of this run. switches/s/call-end counts the context switches of this
// process: the wake-ups of its threads, what a call costs a battery beyond the arithmetic.
// One op is one call held for 3 s of media.
//
// Run (on real services): make bench-cpu
func BenchmarkMediaCPU(b *testing.B) {
	testenv.NeedPulseAudio(b)
	sinks := []string{"pb_cpu_a", "pb_cpu_b"}
	for _, name := range sinks {
		idx, err := exec.Command("pactl", "load-module", "module-null-sink", "sink_name="+name,
			"sink_properties=device.description="+name).Output()
		require.NoError(b, err)
		defer exec.Command("pactl", "unload-module", strings.TrimSpace(string(idx))).Run() //nolint:errcheck
	}
	on := processing.Options{EchoCancel: true, NoiseSuppress: true, GainControl: true}
	for _, c := range []struct {
		id    codec.ID
		ptime time.Duration
		name  string
	}{{codec.PCMU, 20 * time.Millisecond, "PCMU"}, {codec.Opus, 20 * time.Millisecond, "opus"}, {codec.Opus, 10 * time.Millisecond, "opus-10ms"}} {
		id := c.id
		for _, proc := range []struct {
			name string
			opts processing.Options
		}{{"processing=off", processing.Options{}}, {"processing=on", on}} {
			b.Run(c.name+"/"+proc.name, func(b *testing.B) {
				if !codec.Available(id) {
					b.Fatalf("%s is not in this build", id)
				}
				if proc.opts.Any() && !processing.Available() {
					b.Fatal("no processing in this build")
				}
				const hold = 3 * time.Second
				var sum testenv.Usage
				var pulse time.Duration
				pulseOK := true
				for range b.N {
					u, p, ok := callCPU(b, id, c.ptime, proc.opts, sinks, hold)
					sum = sum.Add(u)
					pulse += p
					pulseOK = pulseOK && ok
				}
				ends := hold.Seconds() * float64(2*b.N)
				b.ReportMetric(100*sum.CPU.Seconds()/ends, "%cpu/call-end")
				b.ReportMetric(float64(sum.Switches)/ends, "switches/s/call-end")
				if pulseOK {
					b.ReportMetric(100*pulse.Seconds()/ends, "%cpu-pulse/call-end")
				}
			})
		}
	}
}

// callCPU runs one call between two ends with real devices and returns what this process and
// the PulseAudio server (ok: it could be read) spent while its audio flowed for hold, both ends
// sending packets of ptime.
func callCPU(b *testing.B, id codec.ID, ptime time.Duration, proc processing.Options, sinks []string, hold time.Duration) (u testenv.Usage, pulse time.Duration, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	host := audio.New(audio.Options{Backend: audio.BackendPulseAudio})
	defer host.Close()
	// End A hears sink b's monitor and plays into sink a; end B the other way round: each end's
	// microphone carries the other's speaker, as a call between two desks in one room would.
	devA, err := OpenWith(ctx, host, Options{Capture: audio.DeviceRef{ID: sinks[1] + ".monitor"}, Playback: audio.DeviceRef{ID: sinks[0]}, Processing: proc, Frame: ptime})
	require.NoError(b, err)
	defer devA.Close()
	devB, err := OpenWith(ctx, host, Options{Capture: audio.DeviceRef{ID: sinks[0] + ".monitor"}, Playback: audio.DeviceRef{ID: sinks[1]}, Processing: proc, Frame: ptime})
	require.NoError(b, err)
	defer devB.Close()
	a, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{id}, AllowLoopback: true, Source: devA, Sink: devA, PacketTime: ptime})
	require.NoError(b, err)
	defer a.Close()
	z, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{id}, AllowLoopback: true, Source: devB, Sink: devB, PacketTime: ptime})
	require.NoError(b, err)
	defer z.Close()
	offer, err := a.Offer(ctx)
	require.NoError(b, err)
	answer, err := z.Answer(ctx, offer)
	require.NoError(b, err)
	require.NoError(b, a.SetAnswer(answer))
	for a.Stats().DecodedFrames < 25 || z.Stats().DecodedFrames < 25 {
		select {
		case <-ctx.Done():
			b.Fatal("no audio through the call")
		case <-time.After(20 * time.Millisecond):
		}
	}
	runtime.GC()
	p0, ok0 := pulseCPU()
	u0 := testenv.ProcessUsage()
	time.Sleep(hold)
	u = testenv.ProcessUsage().Sub(u0)
	p1, ok1 := pulseCPU()
	return u, p1 - p0, ok0 && ok1
}
