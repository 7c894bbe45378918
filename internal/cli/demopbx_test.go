package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/testenv"
)

// startDemoServer runs `phonebar demo-server --json` (with extra flags) and returns its URL,
// fingerprint and the password of each demo user by typology.
func startDemoServer(t testing.TB, extra ...string) (url, fingerprint string, users map[string][2]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errOut syncBuffer
	wait := runCommand(ctx, append([]string{"demo-server", "--listen", "127.0.0.1:0", "--json", "--data-dir", t.TempDir()}, extra...), pw, &errOut)
	t.Cleanup(func() { cancel(); assert.Equal(t, 0, wait()); pw.Close() })
	lineCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		lineCh <- line
		_, _ = io.Copy(io.Discard, pr)
	}()
	var line string
	select {
	case line = <-lineCh:
	case <-time.After(20 * time.Second):
		t.Fatalf("no JSON line; stderr: %s", errOut.String())
	}
	var got struct {
		URL         string `json:"url"`
		Fingerprint string `json:"fingerprint"`
		Users       []struct{ Name, Password, Typology string }
	}
	require.NoError(t, json.Unmarshal([]byte(line), &got), line)
	users = map[string][2]string{}
	for _, u := range got.Users {
		users[u.Typology] = [2]string{u.Name, u.Password}
	}
	return got.URL, got.Fingerprint, users
}

// TestCallThroughDemoServer is the headless demo: the demo server, then `phonebar call --server`
// as its WebRTC agent, which logs in, takes the SIP account from whoami, registers over wss to the
// demo server's PBX with the pinned certificate, and calls *44 (1 kHz, the digits sent back) and *43.
// ignoreLogFiles: the rotation library of the log files (lumberjack) starts one goroutine per file,
// at the first write, that lives as long as the process; a command run in the test process leaves
// it behind.
var ignoreLogFiles = goleak.IgnoreTopFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun")

func TestCallThroughDemoServer(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leaks, ignoreLogFiles) }) // after the demo server stopped
	url, fp, users := startDemoServer(t)
	agent := users["webrtc"]
	require.NotEmpty(t, agent[0], "the demo has a webrtc agent")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	tests := []struct {
		name   string
		args   []string
		toneHz float64
		digits string
	}{
		{"tone and rfc4733 digits", []string{"--to", "*44", "--dtmf", "123"}, 1000, "123"},
		{"tone and INFO digits", []string{"--to", "*44", "--dtmf", "9#", "--dtmf-mode", "info", "--codec", "pcmu"}, 1000, "9#"},
		{"echo", []string{"--to", "*43", "--tone", "700"}, 700, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb syncBuf
			args := append([]string{"call", "--server", url, "--user", agent[0], "--password-stdin", "--trust-fingerprint", fp,
				"--seconds", "2", "--json"}, tt.args...)
			if !strings.Contains(strings.Join(tt.args, " "), "--tone") {
				args = append(args, "--tone", "440")
			}
			code := Run(ctx, args, Stdio{In: strings.NewReader(agent[1] + "\n"), Out: &out, Err: &errb})
			require.Equal(t, 0, code, "call: %s %s", out.String(), errb.String())
			lines := jsonLines(t, out.String())
			require.Len(t, lines, 2)
			assert.Equal(t, "registered", lines[0]["event"])
			c := lines[1]
			assert.Equal(t, true, c["ok"])
			assert.Equal(t, "connected", c["dtls_state"])
			assert.InDelta(t, tt.toneHz, c["far_tone_hz"], 15)
			assert.Equal(t, tt.digits, c["dtmf_received"])
			assert.NotContains(t, out.String()+errb.String(), agent[1], "no password in the output")
		})
	}

	t.Run("the microphone and speaker", func(t *testing.T) {
		// The command as a person types it: no --tone, so the call uses the devices of the test
		// PulseAudio; far_tone_hz is what reached the speaker.
		testenv.NeedPulseAudio(t)
		var out, errb syncBuf
		code := Run(ctx, []string{"call", "--server", url, "--user", agent[0], "--password-stdin", "--trust-fingerprint", fp,
			"--to", "*44", "--dtmf", "123", "--seconds", "2", "--json"}, Stdio{In: strings.NewReader(agent[1] + "\n"), Out: &out, Err: &errb})
		require.Equal(t, 0, code, "call: %s %s", out.String(), errb.String())
		lines := jsonLines(t, out.String())
		require.Len(t, lines, 2)
		assert.InDelta(t, 1000, lines[1]["far_tone_hz"], 15)
		assert.Equal(t, "123", lines[1]["dtmf_received"])
	})
	t.Run("wrong password", func(t *testing.T) {
		var out, errb syncBuf
		code := Run(ctx, []string{"call", "--server", url, "--user", agent[0], "--password-stdin", "--trust-fingerprint", fp,
			"--to", "*44", "--tone", "440", "--json"}, Stdio{In: strings.NewReader("Wrong-Pass-1\n"), Out: &out, Err: &errb})
		assert.Equal(t, 1, code)
		lines := jsonLines(t, out.String())
		require.NotEmpty(t, lines)
		assert.Equal(t, "INVALID_CREDENTIALS", lines[len(lines)-1]["code"], out.String())
	})
	t.Run("unknown extension", func(t *testing.T) {
		var out, errb syncBuf
		code := Run(ctx, []string{"call", "--server", url, "--user", agent[0], "--password-stdin", "--trust-fingerprint", fp,
			"--to", "*99", "--tone", "440", "--json"}, Stdio{In: strings.NewReader(agent[1] + "\n"), Out: &out, Err: &errb})
		assert.Equal(t, 1, code)
		lines := jsonLines(t, out.String())
		require.NotEmpty(t, lines)
		assert.Equal(t, "SIP_404", lines[len(lines)-1]["code"], out.String())
	})
}
