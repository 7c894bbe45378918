package cli

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/testenv"
)

// The canary: a Motion password and a SIP password that must never be written anywhere, made
// unique for this run so that a match cannot come from anything else.
func canaries() (motionPW, sipPW string) {
	stamp := time.Now().Format("150405.000000")
	return "Canary-Motion-" + stamp, "Canary-SIP-" + stamp
}

// TestDiagnosticsHoldNoSecret logs in to the demo server with a canary password, takes its SIP
// account (canary SIP password, digest authentication over wss), calls the echo extension and runs
// the doctor with the SIP trace on and the console at the most verbose level; then makes the
// diagnostics bundle. The canaries are in no log file, on no standard error, and in no entry of the
// zip, while the zip does hold what it promises: the SIP trace with its REGISTER and INVITE (digest
// response redacted), the "call ended" line with ICE and first-packet times, the doctor's report.
func TestDiagnosticsHoldNoSecret(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leaks, ignoreLogFiles) })
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	logDir, err := logging.DefaultDir()
	require.NoError(t, err)
	require.Equal(t, filepath.Join(home, "state", "phonebar", "logs"), logDir)

	motionPW, sipPW := canaries()
	cfg := filepath.Join(home, "demo.json")
	users := `{"users":[{"name":"canary","fullname":"Canary Agent","email":"canary@example.test","role":"agent",` +
		`"typology":"webrtc","internal":"1077","password":"` + motionPW + `","sipPassword":"` + sipPW + `"}]}`
	require.NoError(t, os.WriteFile(cfg, []byte(users), 0o600))
	url, fp, _ := startDemoServer(t, "--config", cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var stderr strings.Builder
	run := func(stdin string, args ...string) (int, string) {
		var out, errb syncBuf
		code := Run(ctx, args, Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb})
		stderr.WriteString(errb.String())
		return code, out.String()
	}

	code, out := run(motionPW+"\n", "call", "--server", url, "--user", "canary", "--password-stdin", "--trust-fingerprint", fp,
		"--to", "*43", "--tone", "700", "--seconds", "2", "--json", "--log-level", "trace")
	require.Equal(t, 0, code, "call: %s %s", out, stderr.String())
	code, out = run(motionPW+"\n", "doctor", "--server", url, "--user", "canary", "--password-stdin", "--trust-fingerprint", fp,
		"--no-audio", "--json", "-v")
	require.Equal(t, 0, code, "doctor: %s %s", out, stderr.String())
	bundle := filepath.Join(home, "bundle.zip")
	code, out = run("", "diagnostics", "--out", bundle, "--no-audio", "--json")
	require.Equal(t, 0, code, "diagnostics: %s %s", out, stderr.String())
	var res diagnosticsResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.True(t, res.OK)
	assert.Equal(t, bundle, res.Path)

	// Standard error had the log (asked for), without the canaries.
	assert.Contains(t, stderr.String(), "call ended")
	assertNoCanary(t, "standard error", stderr.String(), motionPW, sipPW)

	// The log folder.
	files := logging.ListFiles(logDir)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assertNoCanary(t, f, string(b), motionPW, sipPW)
	}

	// The bundle.
	entries := testenv.ReadZip(t, bundle)
	for name, body := range entries {
		assertNoCanary(t, name, body, motionPW, sipPW)
	}
	for _, want := range []string{"README.txt", "versions.json", "settings.json", "calls.json", "doctor-last.json", "logs/phonebar.log", "logs/sip-trace.log"} {
		assert.Contains(t, entries, want)
	}
	trace := entries["logs/sip-trace.log"]
	assert.Contains(t, trace, "REGISTER sip:")
	assert.Contains(t, trace, "INVITE sip:*43@")
	assert.Contains(t, trace, `response="`+logging.Redacted+`"`, "the digest's response is there, redacted")
	assert.Contains(t, trace, "a=ice-pwd:"+logging.Redacted)
	assert.Contains(t, trace, "SIP/2.0 200 OK")
	log := entries["logs/phonebar.log"]
	assert.Contains(t, log, `msg="call ended"`)
	assert.Contains(t, log, "ice_ms=")
	assert.Contains(t, log, "first_rtp_ms=")
	assert.Contains(t, log, "proc=call")
	assert.Contains(t, log, "proc=doctor")
	assert.Contains(t, entries["doctor-last.json"], `"name": "echo_call"`)
	assert.Contains(t, entries["versions.json"], `"phonebar"`)
}

// TestDiagnosticsBadOut: an existing file is not replaced without --force, and stays as it was; a
// folder that does not exist, a folder given as the file, and a place nobody may write say what
// to do.
func TestDiagnosticsBadOut(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	ctx := context.Background()
	existing := filepath.Join(home, "kept.zip")
	require.NoError(t, os.WriteFile(existing, []byte("the agent's earlier bundle"), 0o600))
	before := sha256.Sum256([]byte("the agent's earlier bundle"))

	tests := []struct {
		name     string
		args     []string
		code     int
		want     string
		wantCode string
	}{
		{"existing file", []string{"--out", existing}, 1, "already exists: choose another name, or pass --force to replace it", "FILE_EXISTS"},
		{"missing folder", []string{"--out", filepath.Join(home, "nope", "b.zip")}, 1, "does not exist: create it or choose another", "WRITE_FAILED"},
		{"a folder", []string{"--out", home}, 1, "it is a folder: give a file name inside it", "WRITE_FAILED"},
		// /sys refuses new files even to root (the tests may run as root).
		{"a place nobody writes", []string{"--out", "/sys/phonebar-diagnostics.zip"}, 1, "choose a folder you can write to", "WRITE_FAILED"},
		{"unexpected argument", []string{"extra"}, 2, "unexpected argument", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb syncBuf
			code := Run(ctx, append([]string{"diagnostics", "--no-audio"}, tt.args...), Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
			assert.Equal(t, tt.code, code)
			assert.Contains(t, errb.String(), tt.want)
			if tt.wantCode != "" {
				var out2, errb2 syncBuf
				Run(ctx, append([]string{"diagnostics", "--no-audio", "--json"}, tt.args...), Stdio{In: strings.NewReader(""), Out: &out2, Err: &errb2})
				var res diagnosticsResult
				require.NoError(t, json.Unmarshal([]byte(out2.String()), &res), out2.String())
				assert.False(t, res.OK)
				assert.Equal(t, tt.wantCode, res.Code)
			}
		})
	}
	got, err := os.ReadFile(existing)
	require.NoError(t, err)
	assert.Equal(t, before, sha256.Sum256(got), "the existing file is untouched")
	left, err := filepath.Glob(filepath.Join(home, ".*.part"))
	require.NoError(t, err)
	assert.Empty(t, left, "no temporary file left behind")

	var out, errb syncBuf
	require.Equal(t, 0, Run(ctx, []string{"diagnostics", "--no-audio", "--out", existing, "--force"}, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}), errb.String())
	assert.Contains(t, testenv.ReadZip(t, existing), "README.txt", "--force replaced it with a bundle")
}

func assertNoCanary(t *testing.T, where, body string, canaries ...string) {
	t.Helper()
	for _, c := range canaries {
		assert.False(t, strings.Contains(body, c), "%s holds the canary %q", where, c)
	}
}
