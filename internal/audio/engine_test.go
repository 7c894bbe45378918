package audio

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/dsp"
)

// eventLog collects an Engine's events for a test.
type eventLog struct {
	mu   sync.Mutex
	evs  []Event
	used map[int]bool
	more chan struct{}
}

func newEventLog() *eventLog { return &eventLog{used: map[int]bool{}, more: make(chan struct{}, 1)} }

func (l *eventLog) add(ev Event) {
	l.mu.Lock()
	l.evs = append(l.evs, ev)
	l.mu.Unlock()
	select {
	case l.more <- struct{}{}:
	default:
	}
}

// waitFor returns the first event of kind in direction dir not returned before, whatever came
// between (the two directions report in either order), failing the test if ctx ends first.
func (l *eventLog) waitFor(t *testing.T, ctx context.Context, kind EventKind, dir DeviceKind) Event {
	t.Helper()
	for {
		l.mu.Lock()
		for i, ev := range l.evs {
			if !l.used[i] && ev.Kind == kind && ev.Dir == dir {
				l.used[i] = true
				l.mu.Unlock()
				return ev
			}
		}
		l.mu.Unlock()
		select {
		case <-l.more:
		case <-ctx.Done():
			l.mu.Lock()
			defer l.mu.Unlock()
			for _, ev := range l.evs {
				t.Logf("event: %v %v %q %q %v", ev.Kind, ev.Dir, ev.Device.ID, ev.Message, ev.Err)
			}
			t.Fatalf("no %v event for the %v", kind, dir)
			return Event{}
		}
	}
}

// readFrames reads n frames from e and returns them joined.
func readFrames(t *testing.T, ctx context.Context, e *Engine, n int) []int16 {
	t.Helper()
	buf := make([]int16, e.FrameSamples())
	out := make([]int16, 0, n*len(buf))
	for range n {
		m, err := e.ReadFrame(ctx, buf)
		require.NoError(t, err)
		require.Equal(t, e.FrameSamples(), m)
		out = append(out, buf[:m]...)
	}
	return out
}

// skipSilence reads frames until one carries sound: the Engine sends silence while PulseAudio
// starts the stream (and, after a switch, frames of the old device may still be queued).
func skipSilence(t *testing.T, ctx context.Context, e *Engine) {
	t.Helper()
	buf := make([]int16, e.FrameSamples())
	for {
		_, err := e.ReadFrame(ctx, buf)
		require.NoError(t, err)
		if dsp.Measure(buf).RMSDBFS > -40 {
			return
		}
	}
}

func TestEngineNullBackend(t *testing.T) {
	checkLeaks(t)
	h := New(Options{Backend: BackendNull})
	t.Cleanup(func() { assert.NoError(t, h.Close()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tests := []struct {
		name  string
		rate  int
		frame int
	}{
		{"Opus rate", 48000, 960},
		{"G.711 rate", 8000, 160},
		{"default rate", 0, 960},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pulled atomic.Int64
			e, err := h.OpenEngine(ctx, EngineOptions{
				SampleRate: tt.rate,
				Source:     SourceFunc(func(pcm []int16) { pulled.Add(1); clear(pcm) }),
			})
			if isNoAudioSupport(err) {
				t.Skip("built without audio support")
			}
			require.NoError(t, err)
			assert.Equal(t, tt.frame, e.FrameSamples())
			readFrames(t, ctx, e, 10)
			e.SetMute(true)
			assert.True(t, e.Muted())
			readFrames(t, ctx, e, 2)
			_, err = e.ReadFrame(ctx, make([]int16, 10))
			assert.Error(t, err, "a buffer smaller than a frame")
			capDev, playDev := e.Devices()
			assert.NotEmpty(t, capDev.Name)
			assert.NotEmpty(t, playDev.Name)
			require.NoError(t, e.Close())
			require.NoError(t, e.Close(), "twice is harmless")
			assert.Positive(t, pulled.Load(), "the source was played")
			_, err = e.ReadFrame(ctx, make([]int16, tt.frame))
			assert.ErrorIs(t, err, ErrClosed)
			assert.ErrorIs(t, e.SwitchDevice(ctx, KindCapture, DeviceRef{}), ErrClosed)
		})
	}
}

func TestEngineBadInput(t *testing.T) {
	checkLeaks(t)
	h := New(Options{Backend: BackendNull})
	t.Cleanup(func() { assert.NoError(t, h.Close()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log := newEventLog()
	e, err := h.OpenEngine(ctx, EngineOptions{Capture: DeviceRef{Name: "Desk Mic"}, OnEvent: log.add})
	if isNoAudioSupport(err) {
		t.Skip("built without audio support")
	}
	require.NoError(t, err)
	ev := log.waitFor(t, ctx, EventFallback, KindCapture)
	assert.Contains(t, ev.Message, `"Desk Mic" is not connected`)
	assert.ErrorContains(t, e.SwitchDevice(ctx, KindUnknown, DeviceRef{}), "not a direction")
	require.NoError(t, e.SwitchDevice(ctx, KindPlayback, DeviceRef{}))
	log.waitFor(t, ctx, EventSwitched, KindPlayback)
	require.NoError(t, e.Close())

	closed := New(Options{Backend: BackendNull})
	require.NoError(t, closed.Close())
	_, err = closed.OpenEngine(ctx, EngineOptions{})
	assert.ErrorIs(t, err, ErrClosed)
}

// A tone played into the null sink comes out of the Engine at the codec rate, at its frequency.
func TestPulseEngineCapturesAtCodecRate(t *testing.T) {
	h, ctx := pulseHost(t, 60*time.Second)
	tests := []struct {
		name string
		rate int
		hz   float64
	}{
		{"8 kHz for G.711", 8000, 1000},
		{"48 kHz for Opus", 48000, 2200},
	}
	loadNullSink(t, "pb_engine_in")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			playInto(t, "pb_engine_in", tt.hz, 0.5)
			e, err := h.OpenEngine(ctx, EngineOptions{SampleRate: tt.rate, Capture: DeviceRef{ID: "pb_engine_in.monitor"}})
			require.NoError(t, err)
			defer e.Close()
			skipSilence(t, ctx, e)
			got := readFrames(t, ctx, e, 50) // one second
			assert.InDelta(t, tt.hz, dsp.DominantFrequency(got, tt.rate), 5)
			assert.InDelta(t, -9.03, dsp.Measure(got).RMSDBFS, 1.5)
			e.SetMute(true)
			readFrames(t, ctx, e, 10) // frames queued before muting
			assert.Equal(t, MinDBFS, dsp.Measure(readFrames(t, ctx, e, 5)).PeakDBFS, "muted frames are silent")
		})
	}
}

// What the Engine plays reaches the speaker, whole: a microphone check on its monitor hears it at
// its level, from the ring fed by the playback goroutine and from the device's own callback, at the
// device's rate and resampled.
func TestPulseEnginePlays(t *testing.T) {
	tests := []struct {
		name     string
		rate     int
		callback bool
	}{
		{"ring, 8 kHz", 8000, false},
		{"callback, 8 kHz", 8000, true},
		{"callback, 48 kHz", 48000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ctx := pulseHost(t, 60*time.Second)
			loadNullSink(t, "pb_speaker")
			tone := dsp.NewTone(1300, tt.rate, 0.5)
			var pulled atomic.Int64
			src := SourceFunc(func(pcm []int16) {
				pulled.Add(int64(len(pcm)))
				tone.Fill(pcm)
			})
			e, err := h.OpenEngine(ctx, EngineOptions{SampleRate: tt.rate, Playback: DeviceRef{ID: "pb_speaker"},
				Source: src, PlayFromCallback: tt.callback})
			require.NoError(t, err)
			defer e.Close()
			res, err := h.CheckMicrophone(ctx, CheckOptions{Device: "pb_speaker.monitor", Listen: time.Second})
			require.NoError(t, err)
			require.Equal(t, VerdictWorking, res.Verdict, res.Message)
			assert.InDelta(t, 1300, res.DominantHz, 5)
			assert.InDelta(t, -9.03, res.RMSDBFS, 2)
			st := e.Stats()
			assert.Positive(t, st.PlaybackFrames)
			t.Logf("pulled %d samples at %d Hz, stats %+v", pulled.Load(), tt.rate, st)
		})
	}
}

// The Engine opens its devices at its own rate, not the device's: PulseAudio's null sinks run at
// 44.1 kHz here, and the sound server converts the Engine's 48 kHz streams in its mixer, so the
// Engine resamples nothing (pactl shows the streams at 48 kHz).
func TestPulseEngineOpensDevicesAtItsRate(t *testing.T) {
	h, ctx := pulseHost(t, 30*time.Second)
	out, err := exec.Command("pactl", "load-module", "module-null-sink", "sink_name=pb_rate", "rate=44100",
		"sink_properties=device.description=pb_rate").Output()
	require.NoError(t, err)
	defer exec.Command("pactl", "unload-module", strings.TrimSpace(string(out))).Run() //nolint:errcheck
	e, err := h.OpenEngine(ctx, EngineOptions{Capture: DeviceRef{ID: "pb_rate.monitor"}, Playback: DeviceRef{ID: "pb_rate"}, PlayFromCallback: true})
	require.NoError(t, err)
	defer e.Close()
	readFrames(t, ctx, e, 5)
	st := e.Stats()
	assert.Equal(t, 48000, st.CaptureRate)
	assert.Equal(t, 48000, st.PlaybackRate)
	for _, kind := range []string{"sink-inputs", "source-outputs"} {
		list, err := exec.Command("pactl", "list", kind).Output()
		require.NoError(t, err)
		assert.Contains(t, string(list), "s16le 1ch 48000Hz", "the %s of the Engine", kind)
	}
}

// A headset unplugged mid-call (its null sink unloaded): frames keep coming, the Engine moves to the
// default devices and says so, and moves back when the headset returns.
func TestPulseEngineSurvivesUnplug(t *testing.T) {
	h, ctx := pulseHost(t, 30*time.Second)
	unload := loadNullSink(t, "pb_headset")
	log := newEventLog()
	e, err := h.OpenEngine(ctx, EngineOptions{
		SampleRate:    8000,
		Capture:       DeviceRef{ID: "pb_headset.monitor", Name: "Monitor of pb_headset"},
		Playback:      DeviceRef{ID: "pb_headset", Name: "pb_headset"},
		OnEvent:       log.add,
		CheckInterval: 200 * time.Millisecond,
	})
	require.NoError(t, err)
	defer e.Close()
	readFrames(t, ctx, e, 10)

	unload()
	lost := log.waitFor(t, ctx, EventDeviceLost, KindCapture)
	assert.Equal(t, "pb_headset.monitor", lost.Device.ID)
	assert.Contains(t, lost.Message, "disconnected")
	fb := log.waitFor(t, ctx, EventFallback, KindCapture)
	assert.Equal(t, "vsink.monitor", fb.Device.ID)
	log.waitFor(t, ctx, EventFallback, KindPlayback)
	readFrames(t, ctx, e, 50) // the call goes on
	capDev, playDev := e.Devices()
	assert.Equal(t, "vsink.monitor", capDev.ID)
	assert.Equal(t, "vsink", playDev.ID)

	// The headset comes back: the Engine returns to it.
	loadNullSink(t, "pb_headset")
	back := log.waitFor(t, ctx, EventRestored, KindCapture)
	assert.Equal(t, "pb_headset.monitor", back.Device.ID)
	log.waitFor(t, ctx, EventRestored, KindPlayback)
	readFrames(t, ctx, e, 10)
	capDev, _ = e.Devices()
	assert.Equal(t, "pb_headset.monitor", capDev.ID)
	assert.Equal(t, 1, e.Stats().CaptureLost)
}

// Switching the microphone during a call keeps the frames coming and takes the new device's sound.
func TestPulseEngineSwitchDevice(t *testing.T) {
	h, ctx := pulseHost(t, 60*time.Second)
	loadNullSink(t, "pb_other")
	loadNullSink(t, "pb_first")
	playInto(t, "pb_other", 600, 0.5)
	log := newEventLog()
	e, err := h.OpenEngine(ctx, EngineOptions{SampleRate: 16000, OnEvent: log.add, Capture: DeviceRef{ID: "pb_first.monitor"}})
	require.NoError(t, err)
	defer e.Close()
	stop := make(chan struct{})
	var reads atomic.Int64
	readerDone := make(chan error, 1)
	go func() {
		buf := make([]int16, e.FrameSamples())
		for {
			select {
			case <-stop:
				readerDone <- nil
				return
			default:
			}
			if _, err := e.ReadFrame(ctx, buf); err != nil {
				readerDone <- err
				return
			}
			reads.Add(1)
		}
	}()
	before := reads.Load()
	require.NoError(t, e.SwitchDevice(ctx, KindCapture, DeviceRef{Name: "Monitor of pb_other"}))
	ev := log.waitFor(t, ctx, EventSwitched, KindCapture)
	assert.Equal(t, "pb_other.monitor", ev.Device.ID)
	close(stop)
	require.NoError(t, <-readerDone)
	assert.Greater(t, reads.Load(), before, "frames kept coming during the switch")
	skipSilence(t, ctx, e)
	readFrames(t, ctx, e, 10) // past the switch's seam
	got := readFrames(t, ctx, e, 25)
	assert.InDelta(t, 600, dsp.DominantFrequency(got, 16000), 5, "hears the new microphone")
}
