package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/testenv"
)

const (
	amyPassword = "Amy-Secret-4242"
	amyName     = "amy"
)

// startSim starts the Motion-compatible server with one WebRTC agent and a lockout after three
// wrong attempts.
func startSim(t *testing.T) motionsim.Endpoint {
	t.Helper()
	srv, err := motionsim.New(motionsim.Options{
		BcryptCost: 4,
		Config: &motionsim.Config{
			MaxLoginAttempts: 3,
			Users: []motionsim.UserConfig{{
				Name: amyName, Fullname: "Amy Pond", Role: motion.RoleAgent, Typology: motion.TypologyWebRTC,
				Internal: "1042", Password: amyPassword, SIPPassword: "sip-amy-secret",
			}},
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	ep, err := srv.Start(context.Background(), "127.0.0.1:0")
	require.NoError(t, err)
	return ep
}

// env is the login command's surroundings: a settings file in a temporary folder and an in-memory
// keyring.
type env struct {
	cfg   *config.Store
	creds *credstore.Memory
}

func newEnv(t *testing.T) *env {
	return &env{cfg: config.NewStore(filepath.Join(t.TempDir(), "phonebar", "settings.json")), creds: credstore.NewMemory()}
}

func (e *env) deps() (agent.Deps, error) {
	return agent.Deps{Config: e.cfg, Creds: e.creds}, nil
}

// run runs the login command and returns its exit status, stdout and stderr.
func (e *env) run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := login(context.Background(), args, Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb}, e.deps)
	for _, s := range []string{out.String(), errb.String()} {
		assert.NotContains(t, s, amyPassword, "the password must never be printed")
	}
	return code, out.String(), errb.String()
}

func decode(t *testing.T, out string) loginResult {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 1, "--json prints exactly one object: %q", out)
	var r loginResult
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &r))
	return r
}

func TestLoginCommandIsListed(t *testing.T) {
	assert.True(t, IsCommand("login"))
	var out bytes.Buffer
	Run(context.Background(), []string{"help"}, Stdio{Out: &out, Err: &out})
	assert.Contains(t, out.String(), "login")
}

func TestLoginSuccessSavesAndPins(t *testing.T) {
	ep := startSim(t)
	e := newEnv(t)
	code, out, _ := e.run(t, amyPassword+"\n", "--server", ep.URL, "--user", amyName, "--password-stdin", "--save",
		"--trust-fingerprint", ep.Fingerprint.Pretty(), "--json")
	require.Equal(t, 0, code, out)
	r := decode(t, out)
	assert.True(t, r.OK)
	assert.Equal(t, amyName, r.Name)
	assert.Equal(t, "Amy Pond", r.Fullname)
	assert.Equal(t, motion.RoleAgent, r.Role)
	assert.Equal(t, motion.TypologyWebRTC, r.Typology)
	assert.True(t, r.Remembered)
	assert.Empty(t, r.Code)

	saved, err := e.creds.Get(context.Background(), ep.URL, amyName)
	require.NoError(t, err)
	assert.Equal(t, amyPassword, saved)
	st, err := e.cfg.Load()
	require.NoError(t, err)
	assert.Equal(t, ep.URL, st.ServerURL)
	assert.Equal(t, amyName, st.Username)
	assert.True(t, st.RememberMe)
	assert.Equal(t, ep.Fingerprint, st.Pins[ep.URL])

	// Again, from the keyring and the remembered server and user, in text; the first session was
	// ended, so no SESSION_EXISTS.
	code, out, errOut := e.run(t, "", "--json=false")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Logged in to "+ep.URL+" as Amy Pond (amy), role agent, typology webrtc.")
}

func TestLoginFailures(t *testing.T) {
	ep := startSim(t)
	fp := ep.Fingerprint.Pretty()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadPort := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())

	tests := []struct {
		name   string
		setup  func(*env)
		stdin  string
		args   []string
		code   string
		inText []string
		hint   string // only in the text output
		check  func(t *testing.T, e *env, r loginResult)
	}{
		{
			name: "wrong password is not saved", stdin: "Not-the-password-1\n",
			args: []string{"--server", ep.URL, "--user", amyName, "--password-stdin", "--save", "--trust-fingerprint", fp},
			code: string(problem.CodeInvalidCredentials), inText: []string{"Wrong username or password", "left before the account is locked"},
			check: func(t *testing.T, e *env, _ loginResult) {
				assert.Equal(t, 0, e.creds.Sets)
				st, err := e.cfg.Load()
				require.NoError(t, err)
				assert.Empty(t, st.ServerURL, "a failed login remembers no server")
			},
		},
		{
			name: "unreachable names host and port", stdin: amyPassword,
			args: []string{"--server", fmt.Sprintf("127.0.0.1:%d", deadPort), "--user", amyName, "--password-stdin"},
			code: string(problem.CodeUnreachable), inText: []string{"127.0.0.1", fmt.Sprintf("port %d", deadPort)},
		},
		{
			name: "not a url", stdin: amyPassword,
			args: []string{"--server", "this is not a url", "--user", amyName, "--password-stdin"},
			code: string(problem.CodeBadURL), inText: []string{"not a server address", "motion.example.com:8443"},
		},
		{
			name: "http explains https", stdin: amyPassword,
			args: []string{"--server", "http://motion.example.com", "--user", amyName, "--password-stdin"},
			code: string(problem.CodeNotHTTPS), inText: []string{"secure connection", "https://motion.example.com"},
		},
		{
			name: "untrusted certificate gives the fingerprint", stdin: amyPassword,
			args: []string{"--server", ep.URL, "--user", amyName, "--password-stdin"},
			code: string(problem.CodeUntrustedCertificate), inText: []string{fp}, hint: "--trust-fingerprint " + string(ep.Fingerprint),
			check: func(t *testing.T, _ *env, r loginResult) {
				if r.Code != "" {
					assert.Equal(t, string(ep.Fingerprint), r.Fingerprint)
				}
			},
		},
		{
			name: "pin mismatch", stdin: amyPassword,
			args: []string{"--server", ep.URL, "--user", amyName, "--password-stdin", "--trust-fingerprint", strings.Repeat("ab", 32)},
			code: string(problem.CodeCertificateMismatch), inText: []string{"changed", "do not log in"},
		},
		{
			name: "bad fingerprint", stdin: amyPassword,
			args: []string{"--server", ep.URL, "--user", amyName, "--password-stdin", "--trust-fingerprint", "12:34"},
			code: string(problem.CodeBadFingerprint), inText: []string{"64 hex digits"},
		},
		{
			name: "no saved password",
			args: []string{"--server", ep.URL, "--user", amyName, "--trust-fingerprint", fp},
			code: string(problem.CodeNoSavedPassword), inText: []string{"No password is saved for amy"}, hint: "--password-stdin",
		},
		{
			name: "keyring refuses",
			setup: func(e *env) {
				e.creds.Err = &credstore.UnavailableError{Op: "read", Hint: "no Secret Service", Cause: errors.New("no session bus")}
			},
			args: []string{"--server", ep.URL, "--user", amyName, "--trust-fingerprint", fp},
			code: string(problem.CodeKeyringUnavailable), inText: []string{"keyring is not available", "no Secret Service"}, hint: "--password-stdin",
		},
		{
			name: "keyring frozen",
			setup: func(e *env) {
				e.creds.Err = &credstore.TimeoutError{Op: "read", After: 10 * time.Second}
			},
			args: []string{"--server", ep.URL, "--user", amyName, "--trust-fingerprint", fp},
			code: string(problem.CodeKeyringTimeout), inText: []string{"did not answer within 10s"}, hint: "--password-stdin",
		},
		{
			name: "empty password on stdin", stdin: "\n",
			args: []string{"--server", ep.URL, "--user", amyName, "--password-stdin"},
			code: string(problem.CodeMissingCredentials), inText: []string{"username and password"},
		},
	}
	for _, tt := range tests {
		for _, asJSON := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/json=%v", tt.name, asJSON), func(t *testing.T) {
				e := newEnv(t)
				if tt.setup != nil {
					tt.setup(e)
				}
				args := append([]string{}, tt.args...)
				if asJSON {
					args = append(args, "--json")
				}
				code, out, errOut := e.run(t, tt.stdin, args...)
				assert.Equal(t, 1, code)
				var r loginResult
				text := errOut
				if asJSON {
					r = decode(t, out)
					assert.False(t, r.OK)
					assert.Equal(t, tt.code, r.Code)
					text = r.Message
				} else {
					assert.Empty(t, out)
					assert.Contains(t, errOut, tt.hint)
				}
				for _, s := range tt.inText {
					assert.Contains(t, text, s)
				}
				if tt.check != nil {
					tt.check(t, e, r)
				}
			})
		}
	}
}

func TestLoginSaveRefusedByKeyring(t *testing.T) {
	ep := startSim(t)
	for _, asJSON := range []bool{true, false} {
		t.Run(fmt.Sprintf("json=%v", asJSON), func(t *testing.T) {
			e := newEnv(t)
			e.creds.Err = &credstore.UnavailableError{Op: "save", Hint: "no Secret Service", Cause: errors.New("no session bus")}
			args := []string{"--server", ep.URL, "--user", amyName, "--password-stdin", "--save", "--trust-fingerprint", string(ep.Fingerprint)}
			if asJSON {
				args = append(args, "--json")
			}
			code, out, errOut := e.run(t, amyPassword+"\n", args...)
			assert.Equal(t, 1, code, "--save that could not save is a failure")
			text := errOut
			if asJSON {
				r := decode(t, out)
				assert.False(t, r.OK)
				assert.Equal(t, string(problem.CodeKeyringUnavailable), r.Code)
				assert.Equal(t, amyName, r.Name, "the login itself worked")
				text = r.Message
			}
			assert.Contains(t, text, "password was not saved")
			assert.Contains(t, text, "no Secret Service")
			assert.Equal(t, 0, e.creds.Sets)
			st, err := e.cfg.Load()
			require.NoError(t, err)
			assert.False(t, st.RememberMe)
		})
	}
}

func TestLoginSessionExistsAndForce(t *testing.T) {
	ep := startSim(t)
	// Another Phonebar holds a session.
	c, err := motion.New(motion.Options{BaseURL: mustParse(t, ep.URL), Pin: ep.Fingerprint})
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	_, err = c.Login(context.Background(), motion.LoginRequest{Name: amyName, Password: amyPassword})
	require.NoError(t, err)

	e := newEnv(t)
	args := []string{"--server", ep.URL, "--user", amyName, "--password-stdin", "--trust-fingerprint", string(ep.Fingerprint), "--json"}
	code, out, _ := e.run(t, amyPassword, args...)
	require.Equal(t, 1, code)
	assert.Equal(t, string(problem.CodeSessionExists), decode(t, out).Code)

	code, out, _ = e.run(t, amyPassword, append(args, "--force")...)
	require.Equal(t, 0, code, out)
	assert.True(t, decode(t, out).OK)
}

func TestLoginUsage(t *testing.T) {
	e := newEnv(t)
	code, _, errOut := e.run(t, "", "--user", amyName)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--server and --user are required")
	code, _, _ = e.run(t, "", "--bogus")
	assert.Equal(t, 2, code)
	code, _, _ = e.run(t, "", "extra")
	assert.Equal(t, 2, code)
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := motion.ParseServerURL(s)
	require.NoError(t, err)
	return u
}

// TestLoginRealKeyring runs the command as the program does (settings in the XDG config folder,
// the OS keyring) against the session's Secret Service.
func TestLoginRealKeyring(t *testing.T) {
	testenv.NeedSessionBus(t)
	ep := startSim(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out, errb bytes.Buffer
	stdio := Stdio{In: strings.NewReader(amyPassword + "\n"), Out: &out, Err: &errb}
	code := Run(context.Background(), []string{"login", "--server", ep.URL, "--user", amyName, "--password-stdin", "--save",
		"--trust-fingerprint", string(ep.Fingerprint), "--json"}, stdio)
	require.Equal(t, 0, code, out.String()+errb.String())
	assert.True(t, decode(t, out.String()).Remembered)
	t.Cleanup(func() { _ = credstore.NewKeyring().Delete(context.Background(), ep.URL, amyName) })

	path, err := config.DefaultPath()
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(b), amyPassword)
	assert.Contains(t, string(b), string(ep.Fingerprint))

	// From the keyring alone.
	out.Reset()
	code = Run(context.Background(), []string{"login", "--json"}, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	require.Equal(t, 0, code, out.String()+errb.String())
	assert.Equal(t, "Amy Pond", decode(t, out.String()).Fullname)
	assert.NotContains(t, out.String()+errb.String(), amyPassword)
}
