package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motionsim"
)

// startWSDemo runs a demo server whose SIP account is a plain ws:// address, and returns its URL,
// certificate fingerprint and the WebRTC agent's login.
func startWSDemo(t *testing.T, wsURI string) (string, string, motionsim.DemoLogin) {
	t.Helper()
	cfg := motionsim.DefaultConfig()
	cfg.SIP.WSURI = wsURI
	var agent motionsim.DemoLogin
	for _, l := range cfg.DemoLogins() {
		if l.Typology == "webrtc" {
			agent = l
		}
	}
	require.NotEmpty(t, agent.Name)
	srv, err := motionsim.New(motionsim.Options{Config: cfg, DataDir: t.TempDir()})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ep, err := srv.Start(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { cancel(); _ = srv.Close() })
	return ep.URL, string(ep.Fingerprint), agent
}

// TestCallRefusesServerWS: a ws:// SIP address handed out by the server is refused with
// INSECURE_SIP_WS and a message saying how to allow it, unless the settings allow it for that
// server; then the call goes on (here to a port nobody listens on: CONNECT_FAILED).
func TestCallRefusesServerWS(t *testing.T) {
	const wsURI = "ws://127.0.0.1:9/ws"
	url, fp, agent := startWSDemo(t, wsURI)
	cfgHome := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgHome)
	path := filepath.Join(cfgHome, "phonebar", "settings.json")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	call := func() (int, []map[string]any, string) {
		var out, errb syncBuf
		code := Run(ctx, []string{"call", "--server", url, "--user", agent.Name, "--password-stdin", "--trust-fingerprint", fp,
			"--to", "*44", "--tone", "440", "--timeout", "3", "--json"}, Stdio{In: strings.NewReader(agent.Password + "\n"), Out: &out, Err: &errb})
		return code, jsonLines(t, out.String()), errb.String()
	}

	code, lines, _ := call()
	assert.Equal(t, 1, code)
	require.Len(t, lines, 1, "nothing registers")
	assert.Equal(t, "INSECURE_SIP_WS", lines[0]["code"])
	msg, _ := lines[0]["message"].(string)
	assert.Contains(t, msg, wsURI)
	assert.Contains(t, msg, path, "says which file")
	assert.Contains(t, msg, `"allowInsecureSipWs": {"`+url+`": true}`, "says what to write")

	// Allowed for another server: still refused.
	st := config.Default()
	st.AllowInsecureSIP = map[string]bool{"https://other.test": true}
	require.NoError(t, config.NewStore(path).Save(st))
	code, lines, _ = call()
	assert.Equal(t, 1, code)
	assert.Equal(t, "INSECURE_SIP_WS", lines[len(lines)-1]["code"])

	// Allowed for this server: the check passes.
	st.AllowInsecureSIP[url] = true
	require.NoError(t, config.NewStore(path).Save(st))
	code, lines, _ = call()
	assert.Equal(t, 1, code)
	assert.Equal(t, "CONNECT_FAILED", lines[len(lines)-1]["code"], "past the check, to the WebSocket")
}

// TestCallWarnsTypedWS: a ws:// address typed with --sip-ws is the user's choice: it is used, with a
// warning on stderr (and none for wss://).
func TestCallWarnsTypedWS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tt := range []struct {
		url  string
		warn bool
	}{{"ws://127.0.0.1:9/ws", true}, {"wss://127.0.0.1:9/ws", false}} {
		var out, errb syncBuf
		code := Run(ctx, []string{"call", "--sip-ws", tt.url, "--sip-user", "sip:a@example.test", "--to", "b", "--tone", "440",
			"--timeout", "2", "--json"}, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
		assert.Equal(t, 1, code)
		lines := jsonLines(t, out.String())
		require.NotEmpty(t, lines)
		assert.Equal(t, "CONNECT_FAILED", lines[len(lines)-1]["code"], "the typed address is used")
		if tt.warn {
			assert.Contains(t, errb.String(), "warning: "+tt.url+" is a plain ws:// address")
			assert.Contains(t, errb.String(), "use wss://")
		} else {
			assert.NotContains(t, errb.String(), "warning")
		}
	}
}

// TestDamagedSettingsStopCommands: with a damaged settings file, login and call --server exit
// non-zero with SETTINGS_DAMAGED, name the file and say what to do, and leave the file as it was.
func TestDamagedSettingsStopCommands(t *testing.T) {
	url, fp, agent := startWSDemo(t, "")
	cfgHome := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgHome)
	path := filepath.Join(cfgHome, "phonebar", "settings.json")
	const damaged = `{"pins":{"https://motion.example.com":"00ff`
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(damaged), 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tests := []struct {
		name string
		args []string
	}{
		{"login", []string{"login", "--server", url, "--user", agent.Name, "--password-stdin", "--trust-fingerprint", fp, "--json"}},
		{"login without a pin given", []string{"login", "--server", url, "--user", agent.Name, "--password-stdin", "--json"}},
		{"login with the remembered server", []string{"login", "--password-stdin", "--json"}},
		{"call --server", []string{"call", "--server", url, "--user", agent.Name, "--password-stdin", "--trust-fingerprint", fp,
			"--to", "*44", "--tone", "440", "--json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb syncBuf
			code := Run(ctx, tt.args, Stdio{In: strings.NewReader(agent.Password + "\n"), Out: &out, Err: &errb})
			assert.Equal(t, 1, code)
			lines := jsonLines(t, out.String())
			require.NotEmpty(t, lines, errb.String())
			last := lines[len(lines)-1]
			assert.Equal(t, "SETTINGS_DAMAGED", last["code"])
			msg, _ := last["message"].(string)
			assert.Contains(t, msg, path)
			assert.Contains(t, msg, "fix it in a text editor")
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, damaged, string(b), "never written over")
		})
	}
	t.Run("login, as text", func(t *testing.T) {
		var out, errb syncBuf
		code := Run(ctx, []string{"login", "--server", url, "--user", agent.Name, "--password-stdin"},
			Stdio{In: strings.NewReader(agent.Password + "\n"), Out: &out, Err: &errb})
		assert.Equal(t, 1, code)
		assert.Empty(t, out.String())
		assert.Contains(t, errb.String(), "phonebar login: The settings file "+path+" is damaged")
		assert.Contains(t, errb.String(), "the settings file was left as it is")
	})
}

// TestCallUsageMessages: what call says when the account flags are missing, as text and as JSON.
func TestCallUsageMessages(t *testing.T) {
	ctx := context.Background()
	var out, errb syncBuf
	code := Run(ctx, []string{"call", "--to", "1001"}, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	assert.Equal(t, 2, code)
	assert.Contains(t, out.String(), "error: give either --server URL --user NAME --password-stdin")
	assert.Contains(t, out.String(), "or --sip-ws URL and --sip-user")
	assert.NotContains(t, out.String(), "comes later")
	assert.NotContains(t, out.String(), "error failed")

	out, errb = syncBuf{}, syncBuf{}
	code = Run(ctx, []string{"call", "--to", "1001", "--json"}, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	assert.Equal(t, 2, code)
	lines := jsonLines(t, out.String())
	require.Len(t, lines, 1)
	assert.Equal(t, map[string]any{"event": "error", "ok": false, "code": "USAGE", "message": lines[0]["message"]}, lines[0],
		"an error line carries no call fields")
}
