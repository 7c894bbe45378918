package audio

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/testenv"
)

// nsRoom is the null sink whose monitor is the microphone of TestCleanupPulseAudio.
const nsRoom = "pb_ns_room"

// The signal of micRun starts with a marker, a loud 1 kHz burst, then silence: where the marker
// starts in what the Engine delivered is where the signal starts, however long pacat took to
// start playing on a busy machine.
const (
	markerLen = ecRate / 5 // 200 ms
	markerGap = ecRate / 5
)

// micRun plays signal (at ecRate, full scale 1) into nsRoom with pacat while an Engine with proc
// captures its monitor, and returns what the Engine delivered of the signal, from its start.
func micRun(t *testing.T, proc processing.Options, signal []float64) []int16 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h := New(Options{Backend: BackendPulseAudio})
	defer h.Close()
	e, err := h.OpenEngine(ctx, EngineOptions{Capture: DeviceRef{ID: nsRoom + ".monitor"}, Playback: DeviceRef{ID: nsRoom},
		Processing: proc, PlayFromCallback: true})
	require.NoError(t, err)
	defer e.Close()
	rec := record(ctx, e)
	rec.waitFor(ctx, t, ecRate/2)
	pcm := make([]byte, 0, 2*(markerLen+markerGap+len(signal)))
	for i := range markerLen {
		v := int16(0.3 * 32767 * math.Sin(2*math.Pi*1000*float64(i)/ecRate))
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(v))
	}
	pcm = append(pcm, make([]byte, 2*markerGap)...)
	for _, v := range signal {
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(int16(max(-32768, min(32767, v*32768)))))
	}
	cmd := exec.CommandContext(ctx, "pacat", "--playback", "--device="+nsRoom, "--format=s16le",
		"--rate="+strconv.Itoa(ecRate), "--channels=1", "--latency-msec=200") // no underruns on a busy machine
	cmd.Stdin = strings.NewReader(string(pcm))
	start := rec.len()
	require.NoError(t, cmd.Start())
	go cmd.Wait() //nolint:errcheck
	// pacat may take a second or more to start on a loaded machine.
	rec.waitFor(ctx, t, start+3*ecRate+markerLen+markerGap+len(signal))
	cancel()
	<-rec.done
	heard := rec.heard
	// A frame dropped while this goroutine was starved shifts what follows by 20 ms: the windows
	// measured keep half a second from the phases' edges, so a few are harmless.
	require.LessOrEqual(t, e.Stats().CaptureDropped, uint64(5), "frames dropped: the timing of the phases is lost")
	// The marker's onset: the first 2.5 ms loud enough, the room being silent before it.
	const block = ecRate / 400
	for at := start; at+block <= len(heard); at += block {
		if dsp.Measure(heard[at:at+block]).RMSDBFS > -25 {
			from := at + markerLen + markerGap
			require.LessOrEqual(t, from+len(signal), len(heard), "the signal was not heard to its end")
			return heard[from : from+len(signal)]
		}
	}
	t.Fatal("the marker was never heard")
	return nil
}

// blockTone is the level of the component at hz over x in dBFS of a sine's RMS, measured in 100 ms
// blocks and averaged in power, so that a glitch of the sound system does not cancel the rest.
func blockTone(x []int16, hz float64) float64 {
	const block = ecRate / 10
	var p float64
	n := 0
	for i := 0; i+block <= len(x); i += block {
		a := math.Pow(10, toneLevel(x[i:i+block], hz)/20)
		p += a * a
		n++
	}
	return dsp.DBFS(math.Sqrt(p / float64(max(n, 1))))
}

// talkLevel is the RMS level of x's 20 ms blocks that carry the talker (within 6 dB of the 90th
// percentile block), so that the pauses between syllables do not count, wherever they fall.
func talkLevel(x []int16) float64 {
	const block = ecRate / 50
	var levels []float64
	for i := 0; i+block <= len(x); i += block {
		levels = append(levels, dsp.Measure(x[i:i+block]).RMSDBFS)
	}
	sorted := slices.Clone(levels)
	slices.Sort(sorted)
	gate := sorted[len(sorted)*9/10] - 6
	var p float64
	n := 0
	for _, l := range levels {
		if l >= gate {
			p += math.Pow(10, l/10)
			n++
		}
	}
	return 10 * math.Log10(p/float64(max(n, 1)))
}

// TestCleanupPulseAudio runs the noise suppression and the gain control on a real PulseAudio
// microphone (a null sink's monitor that pacat plays into), each time against the same path with
// no processing: background noise falls by 10 dB at least while a tone passes within 3 dB, and a
// quiet talker at -40 dBFS is brought to -20 ± 5 dBFS.
func TestCleanupPulseAudio(t *testing.T) {
	testenv.NeedPulseAudio(t)
	testenv.NeedCommand(t, "pacat")
	if !processing.Available() {
		t.Skip("no processing without cgo")
	}
	loadModule(t, "module-null-sink", "sink_name="+nsRoom, "sink_properties=device.description="+nsRoom)

	t.Run("noise", func(t *testing.T) {
		// -40 dBFS of background noise: alone for 6 s, then under a 440 Hz tone at -20 dBFS in
		// 300 ms syllables for 5 s.
		const n = 11 * ecRate
		r := rand.New(rand.NewPCG(3, 4))
		signal := make([]float64, n)
		var lp, s float64
		for i := range signal {
			lp = 0.7*lp + 0.3*r.NormFloat64()
			signal[i] = lp
			s += lp * lp
		}
		g := 0.01 / math.Sqrt(s/n)
		for i := range signal {
			signal[i] *= g
			if i >= 6*ecRate && (i*1000/ecRate)%500 < 300 {
				signal[i] += 0.1 * math.Sqrt2 * math.Sin(2*math.Pi*440*float64(i)/ecRate)
			}
		}
		off := micRun(t, processing.Options{}, signal)
		on := micRun(t, processing.Options{NoiseSuppress: true}, signal)
		// The noise alone once the suppressor has learnt it, and the tone, each well inside its phase.
		noiseOff, noiseOn := dsp.Measure(off[3*ecRate:11*ecRate/2]).RMSDBFS, dsp.Measure(on[3*ecRate:11*ecRate/2]).RMSDBFS
		t.Logf("noise through PulseAudio: %.1f dBFS without, %.1f dBFS with suppression: falls %.1f dB", noiseOff, noiseOn, noiseOff-noiseOn)
		require.InDelta(t, -40, noiseOff, 3, "the noise reaches the microphone at -40 dBFS: the test is sound")
		assert.GreaterOrEqual(t, noiseOff-noiseOn, 10.0, "the noise falls")
		toneOff, toneOn := blockTone(off[15*ecRate/2:21*ecRate/2], 440), blockTone(on[15*ecRate/2:21*ecRate/2], 440)
		t.Logf("the tone: %.1f dBFS without, %.1f dBFS with (%.1f dB)", toneOff, toneOn, toneOn-toneOff)
		assert.InDelta(t, 0, toneOn-toneOff, 3, "the tone passes")
	})

	t.Run("gain", func(t *testing.T) {
		// A voiced talker (180 Hz and its harmonics, falling 6 dB an octave) in 300 ms syllables at
		// -40 dBFS while talking.
		const n = 12 * ecRate
		signal := make([]float64, n)
		var s float64
		var talking int
		for i := range signal {
			if (i*1000/ecRate)%500 < 300 {
				for k := 1; k <= 20; k++ {
					signal[i] += math.Sin(2*math.Pi*180*float64(k)*float64(i)/ecRate) / float64(k)
				}
				s += signal[i] * signal[i]
				talking++
			}
		}
		g := 0.01 / math.Sqrt(s/float64(talking))
		for i := range signal {
			signal[i] *= g
		}
		off := micRun(t, processing.Options{}, signal)
		on := micRun(t, processing.Options{GainControl: true, NoiseSuppress: true}, signal)
		// The talker over the last 4 s, once the gain has settled.
		levelOff, levelOn := talkLevel(off[8*ecRate:]), talkLevel(on[8*ecRate:])
		t.Logf("the talker through PulseAudio: %.1f dBFS without, %.1f dBFS with gain control", levelOff, levelOn)
		require.InDelta(t, -40, levelOff, 3, "the talker reaches the microphone at -40 dBFS: the test is sound")
		assert.InDelta(t, -20, levelOn, 5, "brought to -20 dBFS")
	})
}
