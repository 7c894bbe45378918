package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/testenv"
)

func runMic(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code := Run(ctx, append([]string{"mic-check"}, args...), Stdio{Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func withNullBackend(t *testing.T) {
	old := newMicHost
	newMicHost = func() *audio.Host { return audio.New(audio.Options{Backend: audio.BackendNull}) }
	t.Cleanup(func() { newMicHost = old })
}

func TestMicCheckFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"help", []string{"-h"}, 0, "Usage: phonebar mic-check"},
		{"stray argument", []string{"now"}, 2, `unexpected argument "now"`},
		{"negative seconds", []string{"--seconds", "-1"}, 2, "between 0 and 600"},
		{"unknown flag", []string{"--loud"}, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runMic(t, tt.args...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, stderr, tt.err)
		})
	}
	var out bytes.Buffer
	Run(context.Background(), []string{"help"}, Stdio{Out: &out, Err: &out})
	assert.Contains(t, out.String(), "mic-check")
}

func TestMicCheckNullBackend(t *testing.T) {
	withNullBackend(t)
	tests := []struct {
		name    string
		args    []string
		verdict string
		errText string
	}{
		{"silent device", []string{"--json", "--seconds", "0.3"}, "silent", ""},
		{"unknown device", []string{"--json", "--device", "Desk Mic"}, "no microphone", `no microphone named "Desk Mic"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, _ := runMic(t, tt.args...)
			assert.Equal(t, 1, code, "exit status 0 only when the microphone works")
			var got map[string]any
			require.NoError(t, json.Unmarshal([]byte(stdout), &got), stdout)
			assert.Equal(t, tt.verdict, got["verdict"])
			for _, k := range []string{"device", "sample_rate", "peak_dbfs", "rms_dbfs", "dominant_hz", "message"} {
				assert.Contains(t, got, k)
			}
			if tt.errText != "" {
				assert.Contains(t, got["error"], tt.errText)
			}
		})
	}
	t.Run("text output goes to stderr when not working", func(t *testing.T) {
		code, stdout, stderr := runMic(t, "--seconds", "0.2")
		assert.Equal(t, 1, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "silent: ")
	})
}

// The real thing: a 1 kHz tone played into the null sink is heard by `phonebar mic-check`.
func TestMicCheckPulseTone(t *testing.T) {
	testenv.NeedPulseAudio(t)
	pacat := testenv.NeedCommand(t, "pacat")
	// A private null sink: other packages' tests may be playing into the shared default one.
	idx, err := exec.Command("pactl", "load-module", "module-null-sink", "sink_name=pb_cli_mic",
		"sink_properties=device.description=CliMic").Output()
	require.NoError(t, err)
	t.Cleanup(func() { _ = exec.Command("pactl", "unload-module", strings.TrimSpace(string(idx))).Run() })
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, pacat, "--playback", "--device=pb_cli_mic", "--format=s16le", "--rate=48000", "--channels=1", "--latency-msec=40")
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tone := dsp.NewTone(1000, 48000, 0.5)
		pcm := make([]int16, 960)
		buf := make([]byte, 1920)
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
	t.Cleanup(func() { cancel(); _ = cmd.Wait(); wg.Wait() })

	// pacat takes a moment to be heard: wait until the check says it works, then measure.
	var code int
	var stdout, stderr string
	for range 20 {
		code, stdout, stderr = runMic(t, "--json", "--seconds", "1", "--device", "Monitor of CliMic")
		if code == 0 {
			break
		}
	}
	require.Equal(t, 0, code, "stdout %s stderr %s", stdout, stderr)
	code, stdout, stderr = runMic(t, "--json", "--seconds", "1", "--device", "Monitor of CliMic")
	require.Equal(t, 0, code, "stdout %s stderr %s", stdout, stderr)
	var got micCheckOutput
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	assert.Equal(t, audio.VerdictWorking, got.Verdict)
	assert.Equal(t, "pb_cli_mic.monitor", got.Device.ID)
	assert.InDelta(t, 1000, got.DominantHz, 5)
	assert.InDelta(t, -9.03, got.RMSDBFS, 1.5)
	assert.Positive(t, got.SampleRate)
}
