package audio

import (
	"context"
	"encoding/binary"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/testenv"
)

// Tests in this file run against the real PulseAudio started by .ci/with-services: a null sink
// "vsink" whose monitor, "vsink.monitor", is the default microphone. Whatever is played into vsink
// is what that microphone hears.

// playInto plays a sine into a PulseAudio sink with pacat (an independent player, so the check is
// not testing itself) until the test ends.
func playInto(t *testing.T, sink string, hz, amplitude float64) {
	t.Helper()
	testenv.NeedCommand(t, "pacat")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "pacat", "--playback", "--device="+sink, "--format=s16le", "--rate=48000",
		"--channels=1", "--latency-msec=40", "--client-name=phonebar-test")
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tone := dsp.NewTone(hz, 48000, amplitude)
		pcm := make([]int16, 960)
		buf := make([]byte, 2*len(pcm))
		for ctx.Err() == nil {
			tone.Fill(pcm)
			for i, s := range pcm {
				binary.LittleEndian.PutUint16(buf[2*i:], uint16(s))
			}
			if _, err := in.Write(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		wg.Wait()
	})
	waitAudible(t, sink+".monitor")
}

// waitAudible returns once the monitor source carries sound: pacat and PulseAudio take a moment
// (seconds on a loaded machine) before a new stream is heard, and tests must not measure before.
func waitAudible(t *testing.T, source string) {
	t.Helper()
	drv, err := newDriver(BackendPulseAudio)
	require.NoError(t, err)
	defer drv.close()
	s, err := openStream(drv, KindCapture, Device{ID: source}, 0, nil)
	require.NoError(t, err)
	defer s.close()
	deadline := time.After(30 * time.Second)
	block := make([]int16, 2048)
	var m dsp.Meter
	for {
		n := s.ring.read(block)
		m.Add(block[:n])
		if m.Samples() >= 2048 {
			if m.Level().RMSDBFS > -40 {
				return
			}
			m.Reset()
		}
		if n > 0 {
			continue
		}
		select {
		case <-s.wake:
		case <-deadline:
			t.Fatalf("%s stayed silent for 30 s", source)
		}
	}
}

// loadNullSink adds a null sink for one test and returns its name; unloading is the test's to do
// (it returns the function) or happens at cleanup.
func loadNullSink(t *testing.T, name string) (unload func()) {
	t.Helper()
	out, err := exec.Command("pactl", "load-module", "module-null-sink", "sink_name="+name,
		"sink_properties=device.description="+name).Output()
	require.NoError(t, err)
	idx := strings.TrimSpace(string(out))
	var once sync.Once
	unload = func() {
		once.Do(func() { _ = exec.Command("pactl", "unload-module", idx).Run() })
	}
	t.Cleanup(unload)
	return unload
}

func TestPulseCheckFindsTone(t *testing.T) {
	testenv.NeedPulseAudio(t)
	checkLeaks(t)
	tests := []struct {
		name      string
		hz, amp   float64
		wantRMS   float64
		tolerance float64
		clips     bool
	}{
		{"1 kHz at half scale", 1000, 0.5, -9.03, 1.5, false},
		{"440 Hz at quarter scale", 440, 0.25, -15.05, 1.5, false},
		{"2500 Hz at -30 dBFS", 2500, 0.0316, -33.0, 1.5, false},
		{"12 kHz at full scale clips", 12000, 1.0, -3.01, 1.5, true},
	}
	h := New(Options{})
	t.Cleanup(func() { assert.NoError(t, h.Close()) })
	// A private sink: other packages' tests may be playing into the shared default one.
	loadNullSink(t, "pb_tone")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			playInto(t, "pb_tone", tt.hz, tt.amp)
			var levels int
			res, err := h.CheckMicrophone(ctx, CheckOptions{Device: "Monitor of pb_tone", Listen: time.Second, OnLevel: func(Level) { levels++ }})
			require.NoError(t, err)
			require.Equal(t, VerdictWorking, res.Verdict, res.Message)
			assert.Equal(t, "pb_tone.monitor", res.Device.ID)
			assert.InDelta(t, tt.hz, res.DominantHz, 5)
			assert.InDelta(t, tt.wantRMS, res.RMSDBFS, tt.tolerance)
			if !tt.clips {
				assert.InDelta(t, tt.wantRMS+3.01, res.PeakDBFS, tt.tolerance)
			}
			assert.Equal(t, tt.clips, res.Clipping, "clipping (%.2f%% at full scale)", res.ClippedPercent)
			if tt.clips {
				assert.Contains(t, res.Message, "clips")
			}
			if processing.Available() {
				require.NotNil(t, res.GainedRMSDBFS, "the level after gain control")
				t.Logf("%.1f dBFS, %.1f dBFS after gain control", res.RMSDBFS, *res.GainedRMSDBFS)
				assert.Contains(t, res.Message, "after gain control")
			}
			assert.Positive(t, res.SampleRate)
			assert.Equal(t, 20, levels)
			assert.Contains(t, res.Message, "works")
		})
	}
}

// With no device named, the check listens to the system default microphone.
func TestPulseCheckUsesDefault(t *testing.T) {
	testenv.NeedPulseAudio(t)
	out, err := exec.Command("pactl", "get-default-source").Output()
	require.NoError(t, err)
	def := strings.TrimSpace(string(out))
	h := New(Options{})
	t.Cleanup(func() { assert.NoError(t, h.Close()) })
	res, err := h.CheckMicrophone(context.Background(), CheckOptions{Listen: 200 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, def, res.Device.ID)
	assert.Contains(t, []Verdict{VerdictWorking, VerdictSilent}, res.Verdict, res.Message)
}

func TestPulseCheckSilence(t *testing.T) {
	h, ctx := pulseHost(t, 30*time.Second)
	// A second sink nobody plays into: its monitor is a microphone in a silent room.
	loadNullSink(t, "pb_quiet")
	res, err := h.CheckMicrophone(ctx, CheckOptions{Device: "pb_quiet.monitor", Listen: 500 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, VerdictSilent, res.Verdict, res.Message)
	assert.Equal(t, "pb_quiet.monitor", res.Device.ID)
	assert.Less(t, res.RMSDBFS, SilenceThresholdDBFS)
	assert.Contains(t, res.Message, "Monitor of pb_quiet", "says which device it listened to")
}

func TestPulseCheckUnknownDevice(t *testing.T) {
	testenv.NeedPulseAudio(t)
	h := New(Options{})
	t.Cleanup(func() { assert.NoError(t, h.Close()) })
	res, err := h.CheckMicrophone(context.Background(), CheckOptions{Device: "Desk Mic"})
	var nf *DeviceNotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Contains(t, nf.Available, "Monitor of VirtualSink")
	assert.Equal(t, VerdictNoMicrophone, res.Verdict)
	assert.Contains(t, res.Message, `"Monitor of VirtualSink"`)
}

// No sound server: PulseAudio pointed at a socket where nothing listens.
func TestNoAudioServer(t *testing.T) {
	testenv.NeedPulseAudio(t) // the machine is set up for audio; this test then takes it away
	tests := []struct {
		name    string
		backend Backend
	}{
		{"pulseaudio only", BackendPulseAudio},
		{"any backend", BackendAuto},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PULSE_SERVER", "unix:/nonexistent/phonebar-test")
			h := New(Options{Backend: tt.backend})
			t.Cleanup(func() { assert.NoError(t, h.Close()) })
			res, err := h.CheckMicrophone(context.Background(), CheckOptions{MaxWait: 3 * time.Second})
			require.NoError(t, err)
			assert.Equal(t, VerdictNoMicrophone, res.Verdict)
			assert.NotEmpty(t, res.Message)
			assert.NotEmpty(t, res.Detail)
			t.Logf("message: %s (detail: %s)", res.Message, res.Detail)
			_, err = h.PlayTone(context.Background(), PlayOptions{Duration: 100 * time.Millisecond, MaxWait: 3 * time.Second})
			assert.Error(t, err)
		})
	}
}

func TestPulseDeviceRemovedMidCheck(t *testing.T) {
	h, ctx := pulseHost(t, 60*time.Second)
	unload := loadNullSink(t, "pb_unplug")
	var once sync.Once
	res, err := h.CheckMicrophone(ctx, CheckOptions{
		Device: "pb_unplug.monitor",
		Listen: 30 * time.Second,
		OnLevel: func(Level) {
			once.Do(func() { go unload() }) // unplug once audio flows
		},
	})
	require.NoError(t, err)
	assert.Equal(t, VerdictNoMicrophone, res.Verdict)
	assert.Contains(t, res.Message, "stopped delivering sound")
	assert.Less(t, res.ListenedMs, int64(30000))

	// The Host is still usable: another microphone checks fine.
	loadNullSink(t, "pb_after")
	playInto(t, "pb_after", 700, 0.3)
	res, err = h.CheckMicrophone(ctx, CheckOptions{Device: "pb_after.monitor", Listen: 300 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, VerdictWorking, res.Verdict, res.Message)
	assert.InDelta(t, 700, res.DominantHz, 5)
}

// PlayTone is heard by the microphone check through the null sink.
func TestPulsePlayToneIsHeard(t *testing.T) {
	h, ctx := pulseHost(t, 60*time.Second)
	tests := []struct {
		name   string
		opts   PlayOptions
		hz     float64
		listen time.Duration
	}{
		{"test tone on the chosen speaker", PlayOptions{Device: DeviceRef{ID: "pb_ring"}, Hz: 1500, Volume: 0.5}, 1500, 800 * time.Millisecond},
		// The ring is on 1 s in 3: listen longer than one cadence so the check hears it wherever it starts.
		{"ringtone", PlayOptions{Device: DeviceRef{Name: "pb_ring"}, Ringtone: true, Volume: 0.5}, 0, 3500 * time.Millisecond},
	}
	loadNullSink(t, "pb_ring")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			playCtx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			opts := tt.opts
			opts.Duration = 30 * time.Second // stopped by cancel once heard
			go func() {
				res, err := h.PlayTone(playCtx, opts)
				if err == nil && res.Device.ID != "pb_ring" {
					err = fmt.Errorf("played on %q", res.Device.ID)
				}
				done <- err
			}()
			waitAudible(t, "pb_ring.monitor")
			res, err := h.CheckMicrophone(ctx, CheckOptions{Device: "pb_ring.monitor", Listen: tt.listen})
			stop()
			assert.ErrorIs(t, <-done, context.Canceled)
			require.NoError(t, err)
			require.Equal(t, VerdictWorking, res.Verdict, res.Message)
			if tt.hz > 0 {
				assert.InDelta(t, tt.hz, res.DominantHz, 5)
			} else {
				assert.True(t, res.DominantHz > 430 && res.DominantHz < 490, "ring is 440+480 Hz, found %.1f", res.DominantHz)
			}
		})
	}
}

func TestPulseWatcherSeesPlugAndUnplug(t *testing.T) {
	h, testCtx := pulseHost(t, 60*time.Second)
	ctx, cancel := context.WithCancel(testCtx) // cancelled below to stop the watcher
	defer cancel()
	changes := make(chan DeviceChange, 16)
	w := &Watcher{Host: h, Interval: 100 * time.Millisecond, OnChange: func(c DeviceChange) { changes <- c }}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	next := func() DeviceChange {
		select {
		case c := <-changes:
			return c
		case <-ctx.Done():
			t.Fatal("no device change reported")
			return DeviceChange{}
		}
	}
	first := next()
	require.NoError(t, first.Err)
	_, ok := first.Devices.Find(KindCapture, "vsink.monitor")
	assert.True(t, ok)

	unload := loadNullSink(t, "pb_hotplug")
	added := next()
	assert.ElementsMatch(t, []string{"pb_hotplug", "pb_hotplug.monitor"}, ids(added.Added))
	unload()
	removed := next()
	assert.ElementsMatch(t, []string{"pb_hotplug", "pb_hotplug.monitor"}, ids(removed.Removed))
	cancel()
	assert.NoError(t, <-done)
}

func ids(ds []Device) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// pulseHost is the start of every test on the real PulseAudio: it needs the server, checks for
// goroutine leaks, opens a Host closed at the end, and bounds the test with timeout.
func pulseHost(t *testing.T, timeout time.Duration) (*Host, context.Context) {
	t.Helper()
	testenv.NeedPulseAudio(t)
	checkLeaks(t)
	h := New(Options{})
	t.Cleanup(func() { assert.NoError(t, h.Close()) })
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return h, ctx
}
