package cli

import (
	"bufio"
	"context"
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
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/testenv"
)

// TestDiagnosticsHoldNoSecretThroughKamailio is the canary test through a real SIP server: an
// account of Kamailio with a canary password of its own registers over wss (digest
// authentication, the trace on, the console at the most verbose level) and calls a browser phone
// (Chromium + JsSIP) through Kamailio, which challenges the INVITE too; then the diagnostics
// bundle is made. The canary is in no log file, on no standard error and in no entry of the zip,
// while the zip holds the REGISTER and INVITE that Kamailio challenged, with their digest
// responses redacted.
func TestDiagnosticsHoldNoSecretThroughKamailio(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leaks, ignoreLogFiles) })
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	logDir, err := logging.DefaultDir()
	require.NoError(t, err)

	_, sipPW := canaries()
	agent := rtctest.Account{User: "canary" + time.Now().Format("150405"), Password: sipPW}
	pbx := rtctest.StartPBX(t, agent)
	b := rtctest.StartBrowser(t)
	callee := pbx.User("browser")
	b.Register(pbx, pbx.WSSURL, callee)
	b.SetAutoAnswer(true)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var stderr strings.Builder
	run := func(stdin string, args ...string) (int, string) {
		var out, errb syncBuf
		code := Run(ctx, args, Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb})
		stderr.WriteString(errb.String())
		return code, out.String()
	}
	code, out := run(sipPW+"\n", "call", "--sip-ws", pbx.WSSURL, "--sip-user", pbx.AOR(agent.User), "--sip-password-stdin",
		"--trust-fingerprint", string(pbx.Fingerprint), "--to", callee, "--tone", "440", "--seconds", "2", "--json", "--log-level", "trace")
	require.Equal(t, 0, code, "call: %s %s", out, stderr.String())
	var call map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r map[string]any
		if json.Unmarshal(sc.Bytes(), &r) == nil && r["event"] == "call" {
			call = r
		}
	}
	require.NotNil(t, call, "a call line: %s", out)
	assert.Equal(t, true, call["ok"], "%s", out)
	assert.InDelta(t, rtctest.BrowserToneHz, call["far_tone_hz"], rtctest.BrowserToneHz*0.04, "the agent heard the browser: %s", out)

	bundle := filepath.Join(home, "bundle.zip")
	code, out = run("", "diagnostics", "--out", bundle, "--no-audio", "--json")
	require.Equal(t, 0, code, "diagnostics: %s %s", out, stderr.String())

	assert.Contains(t, stderr.String(), "call ended", "standard error had the log (asked for)")
	assertNoCanary(t, "standard error", stderr.String(), sipPW)
	files := logging.ListFiles(logDir)
	require.NotEmpty(t, files)
	for _, f := range files {
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		assertNoCanary(t, f, string(body), sipPW)
	}
	entries := testenv.ReadZip(t, bundle)
	for name, body := range entries {
		assertNoCanary(t, name, body, sipPW)
	}
	trace := entries["logs/sip-trace.log"]
	assert.Contains(t, trace, "REGISTER sip:127.0.0.1")
	assert.Contains(t, trace, "INVITE sip:"+callee+"@127.0.0.1")
	assert.Contains(t, trace, "Server: kamailio", "Kamailio answered")
	assert.Contains(t, trace, "Proxy-Authorization: Digest", "Kamailio challenged the INVITE")
	redacted := strings.Count(trace, `response="`+logging.Redacted+`"`)
	assert.GreaterOrEqual(t, redacted, 2, "the REGISTER's and the INVITE's digest responses")
	assert.Equal(t, strings.Count(trace, `response="`), redacted, "every digest response is redacted")
}
