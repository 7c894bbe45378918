package callaudio

import (
	"context"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/testenv"
)

// The microphone reaches the media with no goroutine of this package between them and without
// allocating per frame: a frame captured gives the media's send clock a token (Ready), and Fill
// takes it from the Engine, resampled to the codec's rate; the speaker's side pulls the same way.
// Both ends of the path run here on a real PulseAudio null sink, a 1 kHz tone played into it.
func TestDevicesCaptureWithoutGoroutineOrAllocation(t *testing.T) {
	testenv.NeedPulseAudio(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	out, err := exec.Command("pactl", "load-module", "module-null-sink", "sink_name=pb_dev_alloc",
		"sink_properties=device.description=pb_dev_alloc").Output()
	require.NoError(t, err)
	defer exec.Command("pactl", "unload-module", strings.TrimSpace(string(out))).Run() //nolint:errcheck
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	host := audio.New(audio.Options{Backend: audio.BackendPulseAudio})
	defer host.Close()
	// An Engine alone, for the goroutines it runs by itself.
	before := runtime.NumGoroutine()
	eng, err := host.OpenEngine(ctx, audio.EngineOptions{Capture: audio.DeviceRef{ID: "pb_dev_alloc.monitor"}, Playback: audio.DeviceRef{ID: "pb_dev_alloc"}, PlayFromCallback: true})
	require.NoError(t, err)
	engineOwn := runtime.NumGoroutine() - before
	require.NoError(t, eng.Close())
	before = runtime.NumGoroutine()
	d, err := OpenWith(ctx, host, Options{Capture: audio.DeviceRef{ID: "pb_dev_alloc.monitor"}, Playback: audio.DeviceRef{ID: "pb_dev_alloc"}})
	require.NoError(t, err)
	defer d.Close()
	assert.Equal(t, engineOwn, runtime.NumGoroutine()-before, "goroutines beyond the Engine's own")

	// The speaker plays a 1 kHz tone (through Write, the queue of a media that does not pull), and
	// the microphone hears it on the sink's monitor once PulseAudio's streams run.
	tone := dsp.NewTone(1000, 8000, 0.3)
	frame := make([]int16, 160)
	pcm := make([]int16, 160)
	heard := make([]int16, 0, 160*25)
	step := func() {
		select {
		case <-d.Ready():
		case <-ctx.Done():
			t.Fatal("no frame captured")
		}
		tone.Fill(frame)
		d.Write(frame, 8000)
		d.Fill(pcm, 8000)
	}
	for {
		heard = heard[:0]
		for range 25 {
			step()
			heard = append(heard, pcm...)
		}
		if dsp.Measure(heard).RMSDBFS > -30 {
			break
		}
	}
	assert.InDelta(t, 1000, dsp.DominantFrequency(heard, 8000), 10)
	assert.Zero(t, testing.AllocsPerRun(50, step), "allocations per frame, both directions")
}
