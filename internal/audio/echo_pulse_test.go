package audio

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/testenv"
)

// A room on PulseAudio: the Engine's microphone is the monitor of the null sink ecRoom, its speaker
// the null sink ecSpeaker, and module-loopback carries the speaker's monitor back into the room
// after ecDelay, attenuated (the echo path). The agent talks by pacat playing into the room.
const (
	ecRoom, ecSpeaker = "pb_ec_room", "pb_ec_spk"
	ecDelay           = 120 * time.Millisecond
	ecRate            = 48000
)

func loadModule(t *testing.T, args ...string) {
	t.Helper()
	idx, err := exec.Command("pactl", append([]string{"load-module"}, args...)...).Output()
	require.NoError(t, err, "pactl load-module %v", args)
	t.Cleanup(func() { exec.Command("pactl", "unload-module", strings.TrimSpace(string(idx))).Run() }) //nolint:errcheck
}

// echoRoom sets the room up: two null sinks and the echo path between them.
func echoRoom(t *testing.T) {
	t.Helper()
	for _, name := range []string{ecRoom, ecSpeaker} {
		loadModule(t, "module-null-sink", "sink_name="+name, "sink_properties=device.description="+name)
	}
	// adjust_time=0: the loopback keeps its delay. By default it retunes its resampler every 10 s
	// to hold its latency, so the room's delay drifts by milliseconds mid-run (both sinks run on
	// one clock: there is no drift to correct), which no room does.
	loadModule(t, "module-loopback", "source="+ecSpeaker+".monitor", "sink="+ecRoom,
		"latency_msec="+strconv.Itoa(int(ecDelay/time.Millisecond)), "adjust_time=0", "source_dont_move=true", "sink_dont_move=true")
	// Attenuate the echo: 60% of PulseAudio's volume scale is about -13 dB.
	out, err := exec.Command("pactl", "list", "short", "sink-inputs").Output()
	require.NoError(t, err)
	found := false
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && strings.Contains(f[3], "loopback") {
			require.NoError(t, exec.Command("pactl", "set-sink-input-volume", f[0], "60%").Run())
			found = true
		}
	}
	require.True(t, found, "the loopback's stream: %s", out)
}

// farEnd is the Engine's Source: speech-shaped noise at -20 dBFS while on, in talk spurts of
// 400 ms with 250 ms pauses (steady noise would be taken away by the noise suppressor, echo
// canceller or not).
type farEnd struct {
	on  atomic.Bool
	rnd *rand.Rand
	lp  float64
	n   int // samples played while on
}

func (f *farEnd) NextFrame(pcm []int16) {
	if !f.on.Load() {
		clear(pcm)
		return
	}
	for i := range pcm {
		f.lp = 0.7*f.lp + 0.3*f.rnd.NormFloat64()
		pcm[i] = 0
		if (f.n*1000/ecRate)%650 < 400 {
			pcm[i] = int16(max(-32767, min(32767, f.lp*0.1*32768/0.45)))
		}
		f.n++
	}
}

// talk plays a 440 Hz tone at -20 dBFS into the room for d, in 300 ms syllables.
func talk(ctx context.Context, t *testing.T, d time.Duration) {
	n := int(int64(ecRate) * int64(d) / int64(time.Second))
	pcm := make([]byte, 0, 2*n)
	for i := range n {
		var v float64
		if (i*1000/ecRate)%500 < 300 {
			v = 0.1 * math.Sqrt2 * math.Sin(2*math.Pi*440*float64(i)/ecRate)
		}
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(int16(v*32767)))
	}
	cmd := exec.CommandContext(ctx, "pacat", "--playback", "--device="+ecRoom, "--format=s16le",
		"--rate="+strconv.Itoa(ecRate), "--channels=1", "--latency-msec=200") // no underruns on a busy machine
	cmd.Stdin = strings.NewReader(string(pcm))
	require.NoError(t, cmd.Start())
	go cmd.Wait() //nolint:errcheck
}

// echoRun is what the far side heard, by phase.
type echoRun struct {
	echoOnly, doubleTalk, agentOnly []int16
	delay                           time.Duration // the echo delay the canceller measured; 0: none
	played                          float64       // the share of real time the speaker played, in %
}

// runRoom runs one Engine with proc in the room: 8 s of the far end alone, 3 s of both talking,
// 3 s of the agent alone; it returns the last 2 s of each phase as the far side hears them.
func runRoom(t *testing.T, proc processing.Options) echoRun {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h := New(Options{Backend: BackendPulseAudio})
	defer h.Close()
	far := &farEnd{rnd: rand.New(rand.NewPCG(7, 8))}
	e, err := h.OpenEngine(ctx, EngineOptions{
		Capture: DeviceRef{ID: ecRoom + ".monitor"}, Playback: DeviceRef{ID: ecSpeaker},
		Source: far, Processing: proc, PlayFromCallback: true,
	})
	require.NoError(t, err)
	defer e.Close()
	rec := record(ctx, e)
	at := func(sec float64) { rec.waitFor(ctx, t, int(sec*ecRate)) } // sec seconds of audio heard
	far.on.Store(true)
	at(2)
	spk, start := e.dirs[1].current(), time.Now()
	played := spk.samples.Load()
	at(8)
	talk(ctx, t, 10*time.Second)
	at(11)
	far.on.Store(false)
	at(14.2)
	delay, _ := e.proc.EchoDelay()
	// A speaker fed too late (a busy machine) plays gaps: each moves the echo against the
	// reference, and the canceller must find it again.
	share := 100 * float64(spk.samples.Load()-played) / float64(spk.rate) / time.Since(start).Seconds()
	t.Logf("the speaker took %.1f%% of real time (less: it played gaps)", share)
	cancel()
	<-rec.done
	part := func(from, to float64) []int16 { return rec.heard[int(from*ecRate):int(to*ecRate)] }
	return echoRun{echoOnly: part(6, 8), doubleTalk: part(9.2, 11), agentOnly: part(12.2, 14.2), delay: delay, played: share}
}

func toneLevel(x []int16, hz float64) float64 {
	w := 2 * math.Pi * hz / ecRate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s := float64(v)/32768 + c*s1 - s2
		s2, s1 = s1, s
	}
	amp := 2 * math.Sqrt(s1*s1+s2*s2-c*s1*s2) / float64(len(x))
	return dsp.DBFS(amp / math.Sqrt2)
}

// TestEchoCancelPulseAudio runs the room twice, without processing and with echo cancellation and
// noise suppression, and compares what the far side hears: the echo of its own voice must fall by
// 20 dB at least (ERLE), the agent's tone pass within 3 dB when alone, and within 6 dB while both
// talk.
func TestEchoCancelPulseAudio(t *testing.T) {
	testenv.NeedPulseAudio(t)
	testenv.NeedCommand(t, "pacat")
	if !processing.Available() {
		t.Skip("no processing without cgo")
	}
	echoRoom(t)
	off := runRoom(t, processing.Options{})
	on := runRoom(t, processing.Options{EchoCancel: true, NoiseSuppress: true})
	echoOff, echoOn := dsp.Measure(off.echoOnly).RMSDBFS, dsp.Measure(on.echoOnly).RMSDBFS
	t.Logf("echo delay measured by the canceller: %v (the room's own: %v)", on.delay, ecDelay)
	t.Logf("echo heard by the far end: %.1f dBFS without, %.1f dBFS with: ERLE %.1f dB", echoOff, echoOn, echoOff-echoOn)
	require.Greater(t, echoOff, -45.0, "the room carries no echo: the test is broken")
	assert.GreaterOrEqual(t, echoOff-echoOn, 20.0, "ERLE (the speaker played %.1f%% of real time: below 99.5%%, its gaps moved the echo, a busy machine)", on.played)
	alone := toneLevel(on.agentOnly, 440) - toneLevel(off.agentOnly, 440)
	t.Logf("the agent alone: %.1f dBFS without, %.1f with (%.1f dB)", toneLevel(off.agentOnly, 440), toneLevel(on.agentOnly, 440), alone)
	assert.InDelta(t, 0, alone, 3, "the agent's tone passes")
	double := toneLevel(on.doubleTalk, 440) - toneLevel(off.doubleTalk, 440)
	t.Logf("double talk: the agent's tone %.1f dB", double)
	assert.Greater(t, double, -6.0, "double talk keeps the agent's voice")
}
