//go:build linux

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"
	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/testenv"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// The login paths of issue 3 in the real window. loginDemo is the demo server configured for one
// path, behind httptest TLS so that a test can restart it (a fresh server that lost every session)
// and see what each API login asked for.

const hotDeskUser = "desk"

type loginDemo struct {
	cfg  func() *motionsim.Config
	sim  atomic.Pointer[motionsim.Server]
	srv  *httptest.Server
	pin  tlspin.Fingerprint
	log  *syncBuffer
	reqs atomic.Int64

	mu     sync.Mutex
	phones []string // the Phone of each API login that named one
	lines  []string // NAME:LINE of every API login
}

func newLoginDemo(t testing.TB, cfg func() *motionsim.Config) *loginDemo {
	t.Helper()
	d := &loginDemo{cfg: cfg, log: &syncBuffer{}}
	d.restart(t)
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+motion.PathAuthLocal, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req motion.LoginRequest
		_ = json.Unmarshal(body, &req)
		d.mu.Lock()
		d.lines = append(d.lines, req.Name+":"+req.Line)
		if req.Phone != "" {
			d.phones = append(d.phones, req.Phone)
		}
		d.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		d.sim.Load().ServeHTTP(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { d.sim.Load().ServeHTTP(w, r) })
	d.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.reqs.Add(1)
		mux.ServeHTTP(w, r)
	}))
	d.srv.StartTLS()
	t.Cleanup(d.srv.Close)
	d.pin = tlspin.Of(d.srv.Certificate())
	return d
}

// restart replaces the server by a fresh one that knows no session (a restart), closing the old
// one's realtime sockets as a dying process would.
func (d *loginDemo) restart(t testing.TB) {
	t.Helper()
	l := logrus.New()
	l.SetOutput(d.log)
	sim, err := motionsim.New(motionsim.Options{Config: d.cfg(), BcryptCost: bcrypt.MinCost, Logger: l})
	require.NoError(t, err)
	if old := d.sim.Swap(sim); old != nil {
		old.DropRealtime()
	}
}

func (d *loginDemo) live(user, client string) int {
	n := 0
	for _, s := range d.sim.Load().Sessions() {
		if s.User == user && s.Client == client && s.EndedAt.IsZero() {
			n++
		}
	}
	return n
}

func (d *loginDemo) created(user, client string) int {
	n := 0
	for _, s := range d.sim.Load().Sessions() {
		if s.User == user && s.Client == client {
			n++
		}
	}
	return n
}

func (d *loginDemo) failures(user string) int {
	n := 0
	for _, r := range d.sim.Load().Records() {
		if r.Kind == motionsim.RecordLoginFailed && r.Login.Name == user {
			n++
		}
	}
	return n
}

// settings writes the app's settings for user on this server, certificate pinned.
func (d *loginDemo) settings(t testing.TB, home, user string, remember bool) {
	st := config.Default()
	st.ServerURL, st.Username, st.RememberMe = d.srv.URL, user, remember
	st.Pins = map[string]tlspin.Fingerprint{d.srv.URL: d.pin}
	for _, u := range d.cfg().Users {
		if u.Name == user && u.Typology == motion.TypologyExternal && !u.HotDesk {
			// Not a first login here: the line is known (TestLoginExternalLine clears it).
			st.Lines = map[string]string{config.LineKey(d.srv.URL, user): motion.LineInternal}
		}
	}
	writeSettings(t, home, st)
}

// canLogIn reports whether the server accepts password for user (as a web client, which does not
// conflict with the Phonebar's session), logging out again.
func (d *loginDemo) canLogIn(t testing.TB, user, password string) bool {
	u, err := url.Parse(d.srv.URL)
	require.NoError(t, err)
	c, err := motion.New(motion.Options{BaseURL: u, Pin: d.pin, ClientKind: motion.ClientWeb})
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	ctx := context.Background()
	if _, err := c.Login(ctx, motion.LoginRequest{Name: user, Password: password}); err != nil {
		return false
	}
	_ = c.Logout(ctx)
	return true
}

// user is a seed user of the path tests.
func user(name, pw, typology string) motionsim.UserConfig {
	return motionsim.UserConfig{Name: name, Fullname: strings.ToUpper(name[:1]) + name[1:] + " Agent", Email: name + "@paths.test",
		Role: motion.RoleAgent, Typology: typology, Internal: "2001", Password: pw, SIPPassword: "sip-" + pw}
}

// openWindow starts the app on home and waits for its first paint.
func openWindow(t testing.TB, home string) (*appProc, string) {
	t.Helper()
	app := startApp(t, home)
	win := waitWindow(t, "^Phonebar$", 20*time.Second)
	app.waitState(t, "the first screen with a focused field", 10*time.Second, func(s uiState) bool { return s.Screen != "" && s.Focus != "" })
	return app, win
}

func logHas(app *appProc, s string) func() bool {
	return func() bool { return strings.Contains(app.log.String(), s) }
}

// TestLoginHTTPAddress (path 11): an http:// address is refused before anything is sent; the window
// says it is a missing secure connection, not a wrong password, and its "Use https://…" button
// logs in.
func TestLoginHTTPAddress(t *testing.T) {
	d := newLoginDemo(t, func() *motionsim.Config {
		return &motionsim.Config{Users: []motionsim.UserConfig{user("hana", "Hana-Pass-1", motion.TypologyPhonebar)}}
	})
	home := t.TempDir()
	st := config.Default()
	st.Pins = map[string]tlspin.Fingerprint{d.srv.URL: d.pin}
	writeSettings(t, home, st)
	shots := shotsDir(t)

	app, win := openWindow(t, home) // the server field has focus
	typeText(t, win, "http://"+strings.TrimPrefix(d.srv.URL, "https://"))
	app.tabTo(t, win, "username")
	typeText(t, win, "hana")
	app.tabTo(t, win, "password")
	typeText(t, win, "Hana-Pass-1")
	key(t, win, "Return")
	app.waitState(t, "the http:// refusal shown", 10*time.Second, func(s uiState) bool { return s.Error == "NOT_HTTPS" && !s.Busy })
	screenshot(t, shots, "path11-http-refused")
	assert.Zero(t, d.reqs.Load(), "nothing was sent to the server over http or https")
	assert.Zero(t, d.created("hana", motion.ClientPhonebar))
	assert.NotContains(t, app.log.String(), "Hana-Pass-1")

	app.press(t, win, "button:Use https://", "Return")
	app.waitState(t, "the corrected address in the focused server field", 10*time.Second, func(s uiState) bool { return s.Focus == "server" && s.Error == "" })
	key(t, win, "Return") // submit again
	waitFor(t, "the login over https", 15*time.Second, func() bool { return d.live("hana", motion.ClientPhonebar) == 1 })
	app.waitState(t, "the bar", 10*time.Second, func(s uiState) bool { return s.Screen == "home" && !s.Banner })
	screenshot(t, shots, "path11-https-logged-in")
}

// TestLoginSavedPasswordAndLockout (path 7): a saved password the server refuses stops the automatic
// login after one attempt and the agent is asked to type it; typing wrong passwords then locks
// the account and the window says to ask the administrator, and when it unlocks by itself.
func TestLoginSavedPasswordAndLockout(t *testing.T) {
	testenv.NeedSessionBus(t)
	d := newLoginDemo(t, func() *motionsim.Config {
		return &motionsim.Config{MaxLoginAttempts: 3, UnlockAfterMinutes: 15,
			Users: []motionsim.UserConfig{user("lena", "Lena-Pass-1", motion.TypologyPhonebar)}}
	})
	home := t.TempDir()
	d.settings(t, home, "lena", true)
	account := credstore.Account(d.srv.URL, "lena")
	require.NoError(t, keyring.Set(credstore.Service, account, "Lena-Old-Pass-0"))
	t.Cleanup(func() { _ = keyring.Delete(credstore.Service, account) })
	shots := shotsDir(t)

	app, win := openWindow(t, home)
	waitFor(t, "the refused automatic login", 15*time.Second, func() bool { return d.failures("lena") == 1 })
	// Give a retry loop every chance to show itself: the app's own attempts must stay at one.
	app.waitState(t, "the window to say so", 10*time.Second, func(s uiState) bool { return s.Error == "SAVED_PASSWORD_REJECTED" && !s.Busy })
	// Nothing happens (no retry loop) within three seconds.
	holdsFor(t, "one attempt made by the Phonebar itself", 3*time.Second, func() bool { return d.failures("lena") == 1 })
	_, err := keyring.Get(credstore.Service, account)
	assert.ErrorIs(t, err, keyring.ErrNotFound, "the refused password is no longer saved")
	screenshot(t, shots, "path07-saved-password-refused")
	t.Logf("FIGURE lockout-safety: attempts made by the Phonebar itself with a wrong saved password = %d", d.failures("lena"))

	typeText(t, win, "Lena-Wrong-1")
	key(t, win, "Return")
	waitFor(t, "the second failure", 10*time.Second, func() bool { return d.failures("lena") == 2 })
	app.waitState(t, "the refusal shown", 10*time.Second, func(s uiState) bool { return s.Error == "INVALID_CREDENTIALS" && !s.Busy })
	screenshot(t, shots, "path07-attempts-left")
	key(t, win, "ctrl+a")
	typeText(t, win, "Lena-Wrong-2")
	key(t, win, "Return")
	waitFor(t, "the lockout", 10*time.Second, func() bool { return d.failures("lena") == 3 })
	app.waitState(t, "the lockout shown", 10*time.Second, func(s uiState) bool { return s.Error == "ACCOUNT_LOCKED" && !s.Busy })
	screenshot(t, shots, "path07-locked")
	assert.False(t, d.canLogIn(t, "lena", "Lena-Pass-1"), "locked: even the right password is refused")
}

// TestLoginForcedLogout (path 10): the window's login while the user is logged in elsewhere asks
// "log in anyway?" naming the conflict; confirming ends the other session. Then `phonebar login
// --force` kicks the window: it says why and does not log back in by itself.
func TestLoginForcedLogout(t *testing.T) {
	d := newLoginDemo(t, func() *motionsim.Config {
		return &motionsim.Config{Users: []motionsim.UserConfig{user("otto", "Otto-Pass-1", motion.TypologyExternal)}}
	})
	home := t.TempDir()
	d.settings(t, home, "otto", false)
	shots := shotsDir(t)

	// Another Phonebar holds the session.
	u, _ := url.Parse(d.srv.URL)
	other, err := motion.New(motion.Options{BaseURL: u, Pin: d.pin})
	require.NoError(t, err)
	defer other.CloseIdleConnections()
	_, err = other.Login(context.Background(), motion.LoginRequest{Name: "otto", Password: "Otto-Pass-1"})
	require.NoError(t, err)

	app, win := openWindow(t, home)
	typeText(t, win, "Otto-Pass-1")
	key(t, win, "Return")
	app.waitState(t, "the conflict's question", 10*time.Second, func(s uiState) bool { return s.Form == "force" })
	screenshot(t, shots, "path10-log-in-anyway")
	assert.Equal(t, 1, d.live("otto", motion.ClientPhonebar), "nothing ended before the agent confirms")
	key(t, win, "Return") // "Log in anyway" has focus
	waitFor(t, "the forced login", 10*time.Second, func() bool {
		return d.created("otto", motion.ClientPhonebar) == 2 && d.live("otto", motion.ClientPhonebar) == 1
	})
	for _, s := range d.sim.Load().Sessions() {
		if s.Via == motionsim.ViaAPI && !s.EndedAt.IsZero() {
			assert.Equal(t, motion.CodeSessionExists, s.EndReason)
		}
	}
	waitFor(t, "the realtime connection", 10*time.Second, func() bool { return d.sim.Load().RealtimeSockets("otto") == 1 })

	// The command line forces its way in: the window is kicked.
	run := func(args ...string) loginResult {
		cmd := exec.Command(binary(t), append([]string{"login", "--server", d.srv.URL, "--user", "otto", "--password-stdin",
			"--trust-fingerprint", string(d.pin), "--json"}, args...)...)
		cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir())
		cmd.Stdin = strings.NewReader("Otto-Pass-1\n")
		out, _ := cmd.Output()
		var r loginResult
		require.NoError(t, json.Unmarshal(out, &r), "%s", out)
		return r
	}
	r := run()
	assert.Equal(t, "SESSION_EXISTS", r.Code)
	assert.Contains(t, r.Message, "already logged in")
	r = run("--force")
	assert.True(t, r.OK, "%+v", r)
	waitFor(t, "the window to be logged out", 10*time.Second, logHas(app, "reason=SESSION_EXISTS"))
	// A kick loop would show within three seconds.
	holdsFor(t, "the window not logging back in by itself", 3*time.Second, func() bool { return d.created("otto", motion.ClientPhonebar) == 3 })
	app.waitState(t, "the login screen", 10*time.Second, func(s uiState) bool { return s.Screen == "login" })
	assert.Zero(t, d.live("otto", motion.ClientPhonebar))
	screenshot(t, shots, "path10-kicked")
}

// loginResult is the --json answer of phonebar login.
type loginResult struct {
	OK      bool     `json:"ok"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Phones  []string `json:"phones"`
}

// TestLoginFirstLoginPasswordChange (path 4): the Security Suite's first login shows only the
// password form; each rule turns green as it is met; the new password works and replaces the
// saved one in the keyring.
func TestLoginFirstLoginPasswordChange(t *testing.T) {
	testenv.NeedSessionBus(t)
	d := newLoginDemo(t, func() *motionsim.Config {
		u := user("nina", "Nina-First-1", motion.TypologyWebRTC)
		u.MustChangePassword = true
		return &motionsim.Config{SecuritySuite: true, Users: []motionsim.UserConfig{u}}
	})
	home := t.TempDir()
	d.settings(t, home, "nina", false)
	account := credstore.Account(d.srv.URL, "nina")
	t.Cleanup(func() { _ = keyring.Delete(credstore.Service, account) })
	shots := shotsDir(t)

	app, win := openWindow(t, home)
	typeText(t, win, "Nina-First-1")
	app.press(t, win, "remember", "space", "Return")
	app.waitState(t, "the required change", 10*time.Second, func(s uiState) bool { return s.Screen == "password-change" && strings.HasPrefix(s.Focus, "pw-") })
	screenshot(t, shots, "path04-change-required")
	typeText(t, win, "nina-new-")
	app.waitState(t, "some rules met", 10*time.Second, func(s uiState) bool { return len(s.Rules) > 0 })
	screenshot(t, shots, "path04-rules-live")
	typeText(t, win, "Pass-2")
	app.tabTo(t, win, "pw-again")
	typeText(t, win, "nina-new-Pass-2")
	app.waitState(t, "both passwords matching", 10*time.Second, func(s uiState) bool { return has(s.Rules, "match") })
	screenshot(t, shots, "path04-rules-met")
	key(t, win, "Return")
	waitFor(t, "the change", 10*time.Second, logHas(app, `msg="password changed"`))
	waitFor(t, "the bar", 10*time.Second, func() bool { return d.sim.Load().RealtimeSockets("nina") == 1 })
	app.waitState(t, "the bar drawn", 10*time.Second, func(s uiState) bool { return s.Screen == "home" && !s.Banner })
	screenshot(t, shots, "path04-changed-bar")
	saved, err := keyring.Get(credstore.Service, account)
	require.NoError(t, err)
	assert.Equal(t, "nina-new-Pass-2", saved, "the keyring holds the new password")
	assert.True(t, d.canLogIn(t, "nina", "nina-new-Pass-2"))
	assert.NotContains(t, app.log.String(), "nina-new-Pass-2")
}

// TestLoginHotDesk (path 3): a hot-desk agent is asked which telephone to use, from the server's
// list; the choice goes with the login and the bar shows it.
func TestLoginHotDesk(t *testing.T) {
	d := newLoginDemo(t, func() *motionsim.Config {
		u := user(hotDeskUser, "Desk-Pass-1", motion.TypologyExternal)
		u.HotDesk = true
		return &motionsim.Config{Users: []motionsim.UserConfig{u}, Phones: []motionsim.PhoneConfig{
			{Name: "desk-101", Registered: true}, {Name: "desk-102", Registered: true},
			{Name: "desk-103"}, // unregistered: hidden
			{Name: "desk-104", Registered: true, Busy: true}, // busy after a failed logout: hidden
		}}
	})
	home := t.TempDir()
	d.settings(t, home, hotDeskUser, false)
	shots := shotsDir(t)
	app, win := openWindow(t, home)
	typeText(t, win, "Desk-Pass-1")
	key(t, win, "Return")
	app.waitState(t, "the phone question", 10*time.Second, func(s uiState) bool { return s.Form == "phones" })
	assert.Contains(t, app.log.String(), "available: desk-101, desk-102")
	screenshot(t, shots, "path03-pick-telephone")
	assert.Zero(t, d.created(hotDeskUser, motion.ClientPhonebar))
	assert.NotContains(t, app.log.String(), "desk-103", "unregistered telephones are not offered")
	assert.NotContains(t, app.log.String(), "desk-104", "busy telephones are not offered")
	app.backTo(t, win, "phone-0")
	key(t, win, "Down") // the second telephone
	app.waitState(t, "the second telephone", 10*time.Second, func(s uiState) bool { return s.Focus == "phone-1" })
	app.press(t, win, "phone-login", "Return")
	waitFor(t, "the hot-desk login", 10*time.Second, func() bool { return d.live(hotDeskUser, motion.ClientPhonebar) == 1 })
	d.mu.Lock()
	assert.Equal(t, []string{"desk-102"}, d.phones)
	d.mu.Unlock()
	app.waitState(t, "the bar drawn", 10*time.Second, func(s uiState) bool { return s.Screen == "home" && !s.Banner })
	screenshot(t, shots, "path03-logged-in")
}

// TestLoginForgotPassword (path 6): the link on the login screen asks for the email and answers
// the same whether or not an account has it.
func TestLoginForgotPassword(t *testing.T) {
	d := newLoginDemo(t, func() *motionsim.Config {
		return &motionsim.Config{Users: []motionsim.UserConfig{user("fay", "Fay-Pass-1", motion.TypologyPhonebar)}}
	})
	home := t.TempDir()
	d.settings(t, home, "fay", false)
	shots := shotsDir(t)
	app, win := openWindow(t, home)
	app.press(t, win, "forgot", "Return")
	app.waitState(t, "the forgot-password form", 10*time.Second, func(s uiState) bool { return s.Form == "forgot" && s.Focus == "forgot-email" })
	typeText(t, win, "fay@paths.test")
	key(t, win, "Return")
	waitFor(t, "the reset request", 10*time.Second, func() bool { return strings.Contains(d.log.String(), "known=true") })
	known := app.waitState(t, "the first answer", 10*time.Second, func(s uiState) bool { return s.Answers == 1 })
	screenshot(t, shots, "path06-forgot-known")
	typeText(t, win, "nobody@paths.test") // the email field keeps the focus
	key(t, win, "Return")
	waitFor(t, "the second request", 10*time.Second, func() bool { return strings.Contains(d.log.String(), "known=false") })
	unknown := app.waitState(t, "the second answer", 10*time.Second, func(s uiState) bool { return s.Answers == 2 })
	screenshot(t, shots, "path06-forgot-unknown")
	require.NotEmpty(t, known.Message)
	known.Answers, unknown.Answers = 0, 0
	assert.Equal(t, known, unknown, "the window shows the same thing for a known and an unknown address (text, focus, error)")
}

// markAt waits for the n-th log line `msg="ui mark" what=WHAT` and returns when the test saw it
// (polled every 10 ms: the figures are good to about 10 ms).
func markAt(t testing.TB, app *appProc, what string, n int, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Count(app.log.String(), `msg="ui mark" what=`+what) >= n {
			return time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s mark number %d within %s", what, n, timeout)
	return time.Time{}
}

// TestLoginNoticesAndDisconnection (paths 5, 9 and 8): the login shows how many days the password
// has left, with the change offered, and the license notice; the agent opens the change and types
// the new password twice; the realtime connection is then cut (no heartbeats, new sockets refused):
// the banner shows, goes when the connection is back, and what the agent typed is still there (it
// is submitted and works). Figures: time to banner, time to recovery. PHONEBAR_FAULT_LONG=1 adds a
// 60 s cut.
func TestLoginNoticesAndDisconnection(t *testing.T) {
	now := time.Now()
	d := newLoginDemo(t, func() *motionsim.Config {
		u := user("eve", "Eve-Pass-11", motion.TypologyPhonebar)
		u.PasswordChangedAt = now.Add(-80*24*time.Hour - time.Hour).UTC().Format(time.RFC3339)
		return &motionsim.Config{SecuritySuite: true, PasswordMaxAgeDays: 90,
			LicenseExpiresAt: now.Add(12*24*time.Hour - time.Hour).UTC().Format(time.RFC3339),
			Users:            []motionsim.UserConfig{u}}
	})
	home := t.TempDir()
	d.settings(t, home, "eve", false)
	shots := shotsDir(t)
	app, win := openWindow(t, home)
	typeText(t, win, "Eve-Pass-11")
	key(t, win, "Return")
	waitFor(t, "the realtime connection", 10*time.Second, func() bool { return d.sim.Load().RealtimeSockets("eve") == 1 })
	app.waitState(t, "the notices", 10*time.Second, func(s uiState) bool { return s.Screen == "home" && len(s.Notices) == 2 })
	screenshot(t, shots, "path05-09-notices")

	// The keyboard starts on the status toggle (an agent without a softphone has no dial field); the
	// first notice's "Change password" follows it.
	app.waitState(t, "the status toggle focused", 5*time.Second, func(s uiState) bool { return s.Focus == "ready" })
	app.press(t, win, "notice-change-password", "Return")
	app.waitState(t, "the offered change's form", 10*time.Second, func(s uiState) bool { return strings.HasPrefix(s.Focus, "pw-") })
	typeText(t, win, "Eve-Newer-22")
	app.tabTo(t, win, "pw-again")
	typeText(t, win, "Eve-Newer-22")
	app.waitState(t, "both passwords matching", 10*time.Second, func(s uiState) bool { return has(s.Rules, "match") })
	screenshot(t, shots, "path05-change-offered")

	outages := []time.Duration{5 * time.Second}
	if os.Getenv("PHONEBAR_FAULT_LONG") != "" {
		outages = append(outages, 60*time.Second)
	}
	for i, outage := range outages {
		sim := d.sim.Load()
		cut := time.Now()
		sim.PauseRealtime(true)
		shown := markAt(t, app, "banner-shown", i+1, 10*time.Second)
		if i == 0 {
			screenshot(t, shots, "path08-banner")
		}
		time.Sleep(time.Until(cut.Add(outage)))
		back := time.Now()
		sim.PauseRealtime(false)
		hidden := markAt(t, app, "banner-hidden", i+1, 30*time.Second)
		t.Logf("FIGURE cut %s: banner after %d ms; banner gone %d ms after the connection returned",
			outage, shown.Sub(cut).Milliseconds(), hidden.Sub(back).Milliseconds())
		assert.Equal(t, 1, d.live("eve", motion.ClientPhonebar), "the same session, not a new login")
	}
	app.waitState(t, "the banner gone", 10*time.Second, func(s uiState) bool { return !s.Banner })
	screenshot(t, shots, "path08-back-typed-text-kept")
	key(t, win, "Return") // the form still holds both passwords
	waitFor(t, "the change", 10*time.Second, logHas(app, `msg="password changed"`))
	assert.True(t, d.canLogIn(t, "eve", "Eve-Newer-22"), "what the agent typed before the cut was kept and sent")
	app.waitState(t, "the expiry notice gone", 10*time.Second, func(s uiState) bool { return len(s.Notices) == 1 && !s.Busy })
	screenshot(t, shots, "path05-changed")
	assert.Equal(t, 1, d.created("eve", motion.ClientPhonebar), "no new login at any point")
}

// TestLoginServerRestart (path 8): the server restarts and forgets every session: the bar shows the
// banner, logs back in once with the saved password, and is connected again without the agent
// doing anything. Figure: time from the restart to the bar connected again.
func TestLoginServerRestart(t *testing.T) {
	testenv.NeedSessionBus(t)
	d := newLoginDemo(t, func() *motionsim.Config {
		return &motionsim.Config{Users: []motionsim.UserConfig{user("remi", "Remi-Pass-1", motion.TypologyPhonebar)}}
	})
	home := t.TempDir()
	d.settings(t, home, "remi", false)
	account := credstore.Account(d.srv.URL, "remi")
	t.Cleanup(func() { _ = keyring.Delete(credstore.Service, account) })
	app, win := openWindow(t, home)
	typeText(t, win, "Remi-Pass-1")
	app.press(t, win, "remember", "space", "Return")
	waitFor(t, "the realtime connection", 10*time.Second, func() bool { return d.sim.Load().RealtimeSockets("remi") == 1 })

	restart := time.Now()
	d.restart(t)
	waitFor(t, "the new server's session", 20*time.Second, func() bool { return d.sim.Load().RealtimeSockets("remi") == 1 })
	back := markAt(t, app, "banner-hidden", 1, 10*time.Second)
	t.Logf("FIGURE server restart: connected again %d ms after the restart (one automatic login)", back.Sub(restart).Milliseconds())
	assert.Equal(t, 1, d.created("remi", motion.ClientPhonebar), "exactly one login on the new server")
	assert.Zero(t, d.failures("remi"))
	assert.Contains(t, app.log.String(), "logged back in after the server forgot the session")
	app.waitState(t, "the bar connected", 10*time.Second, func(s uiState) bool { return s.Screen == "home" && !s.Banner })
	screenshot(t, shotsDir(t), "path08-after-restart")
}

// TestLoginSSOButtons (path 12): the login screen shows "Log in with …" for the providers the
// server enabled, and none when it enabled none.
func TestLoginSSOButtons(t *testing.T) {
	shots := shotsDir(t)
	for _, tt := range []struct {
		name      string
		providers []string
		log       string
	}{
		{"none", []string{}, `msg="sign-in providers" providers=`},
		{"google-ad", []string{motion.ProviderGoogle, motion.ProviderActiveDirectory}, `msg="sign-in providers" providers="google,activedirectory"`},
	} {
		d := newLoginDemo(t, func() *motionsim.Config {
			return &motionsim.Config{SSOProviders: tt.providers, Users: []motionsim.UserConfig{user("sam", "Sam-Pass-1", motion.TypologyPhonebar)}}
		})
		home := t.TempDir()
		d.settings(t, home, "sam", false)
		app, win := openWindow(t, home)
		waitFor(t, "the providers", 10*time.Second, logHas(app, tt.log))
		if len(tt.providers) > 0 {
			app.tabTo(t, win, "sso-"+tt.providers[0]) // the buttons are drawn
		}
		screenshot(t, shots, "path12-sso-"+tt.name)
		if len(tt.providers) > 0 {
			key(t, win, "Return")
			app.waitState(t, "the sign-in under way", 10*time.Second, func(s uiState) bool { return s.Form == "sso" })
			screenshot(t, shots, "path12-sso-clicked")
		}
		app.stop()
	}
}

// TestLoginSSOLogin (path 12, through the Phonebar): "Log in with Google" opens the provider's sign-in
// page in a window of its own; once the agent signs in there, that window closes, the bar is logged
// in (a provider session, no password anywhere), and the Omni Desktop opens logged in with a
// one-time code. Closing the sign-in window instead says so and logs nobody in.
func TestLoginSSOLogin(t *testing.T) {
	testenv.NeedSessionBus(t)
	d := newLoginDemo(t, func() *motionsim.Config {
		return &motionsim.Config{SSOProviders: []string{motion.ProviderGoogle}, Users: []motionsim.UserConfig{user("sam", "Sam-Pass-1", motion.TypologyPhonebar)}}
	})
	home := t.TempDir()
	d.settings(t, home, "sam", false)
	shots := shotsDir(t)
	app, win := openWindow(t, home)
	waitFor(t, "the providers", 10*time.Second, logHas(app, `providers=google`))
	authorizeSeen := func(n int) func() bool {
		return func() bool {
			c := 0
			for _, r := range d.sim.Load().WebRequests() {
				if strings.HasPrefix(r.Path, "/sso/google/authorize") && r.Method == http.MethodGet {
					c++
				}
			}
			return c >= n
		}
	}

	// The agent closes the sign-in window: nobody is logged in, and the bar says why.
	app.press(t, win, "sso-google", "Return")
	sso := waitWindow(t, "^Sign in with Google$", 20*time.Second)
	waitFor(t, "the provider's page", 15*time.Second, authorizeSeen(1))
	time.Sleep(500 * time.Millisecond)
	screenshot(t, shots, "path12-sso-window-open")
	xdo(t, "windowclose", sso)
	waitFor(t, "the cancelled sign-in", 10*time.Second, logHas(app, "sign-in window opened"))
	app.waitState(t, "the window to say so", 10*time.Second, func(s uiState) bool { return s.Error == "SIGN_IN_CANCELLED" && s.Form == "" })
	screenshot(t, shots, "path12-sso-cancelled")
	assert.Zero(t, d.live("sam", motion.ClientPhonebar))

	// Signed in with the provider: the bar logs in with the code.
	loads := strings.Count(app.log.String(), "sign-in window: page loaded")
	app.press(t, win, "sso-google", "Return")
	clicked := time.Now()
	sso = waitWindow(t, "^Sign in with Google$", 20*time.Second)
	shown := time.Since(clicked)
	waitFor(t, "the provider's page", 15*time.Second, authorizeSeen(2))
	t.Logf("FIGURE sso: sign-in window shown %d ms after the click, provider page requested %d ms after it", shown.Milliseconds(), time.Since(clicked).Milliseconds())
	// The placeholder, then the provider's page with its focused field (the sign-in process logs
	// each load).
	waitFor(t, "the provider's page loaded in the window", 15*time.Second, func() bool {
		return strings.Count(app.log.String(), "sign-in window: page loaded") >= loads+2
	})
	typeText(t, sso, "sam@paths.test")
	key(t, sso, "Tab")
	typeText(t, sso, "Sam-Pass-1")
	screenshot(t, shots, "path12-sso-window-filled")
	key(t, sso, "Return")
	submitted := time.Now()
	waitFor(t, "the provider session", 15*time.Second, func() bool { return d.sim.Load().RealtimeSockets("sam") == 1 })
	t.Logf("FIGURE sso: bar connected %d ms after the provider form was sent", time.Since(submitted).Milliseconds())
	var via string
	for _, s := range d.sim.Load().Sessions() {
		if s.User == "sam" && s.Client == motion.ClientPhonebar {
			via = s.Via
		}
	}
	assert.Equal(t, motionsim.ViaSSO, via)
	waitFor(t, "the sign-in window to close", 10*time.Second, func() bool {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Sign in with Google$").Output()
		return len(strings.TrimSpace(string(out))) == 0
	})
	app.waitState(t, "the bar connected", 10*time.Second, func(s uiState) bool { return s.Screen == "home" && !s.Banner })
	screenshot(t, shots, "path12-sso-logged-in")
	assert.NotContains(t, app.log.String(), "Sam-Pass-1")

	// The Omni Desktop opens logged in, with a one-time code instead of a password.
	key(t, win, "ctrl+d")
	waitWindow(t, "Omni Desktop", 20*time.Second)
	waitFor(t, "the Omni Desktop's web session", 20*time.Second, func() bool { return d.live("sam", motion.ClientWeb) == 1 })
	for _, s := range d.sim.Load().Sessions() {
		if s.User == "sam" && s.Client == motion.ClientWeb {
			assert.Equal(t, motionsim.ViaSSO, s.Via)
		}
	}
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, shots, "path12-sso-omni")
	app.stop()
}

// TestLoginExternalLine (path 3, without Hot Desk): at an external agent's first login here the
// window asks where the calls ring before the bar (the extension, the phone or the mobile, each with
// the number that rings), at the default size and at the minimum width; the choice goes to the
// server and is kept; Settings change it; the next login offers the last line in the form.
//
// Screenshots: path03-external-line-first (400 wide), path03-external-line-first-340,
// path03-external-line-bar, path03-external-line-settings, path03-external-line-choice.
func TestLoginExternalLine(t *testing.T) {
	d := newLoginDemo(t, func() *motionsim.Config {
		u := user("xena", "Xena-Pass-1", motion.TypologyExternal)
		u.PhoneNumber, u.MobileNumber = "+39 06 5550 2001", "+39 333 555 2001"
		return &motionsim.Config{Users: []motionsim.UserConfig{u}}
	})
	home := t.TempDir()
	d.settings(t, home, "xena", false)
	st := readSettings(t, home)
	st.Lines = nil // the first login here
	writeSettings(t, home, st)
	shots := shotsDir(t)
	app, win := openWindow(t, home)
	typeText(t, win, "Xena-Pass-1")
	key(t, win, "Return")
	waitFor(t, "the realtime connection", 10*time.Second, func() bool { return d.sim.Load().RealtimeSockets("xena") == 1 })
	app.waitState(t, "the line asked before the bar", 10*time.Second, func(s uiState) bool {
		return s.Screen == "choose-line" && s.Focus == "first-line-internal"
	})
	for _, width := range []int{400, 340} {
		xdo(t, "windowsize", "--sync", win, strconv.Itoa(width), "660")
		s := app.waitState(t, "the choice laid out", 10*time.Second, func(s uiState) bool {
			return s.Layout.VW == width && s.Layout.Els["line-continue"].W > 0
		})
		assert.True(t, s.Layout.Els["line-continue"].inside(s.Layout.VW, s.Layout.VH), "Continue in view at %d px: %+v", width, s.Layout)
		assert.Empty(t, s.Clipped, "nothing cut at %d px", width)
		name := "path03-external-line-first"
		if width == 340 {
			name += "-340"
		}
		screenshot(t, shots, name)
	}
	xdo(t, "windowsize", "--sync", win, "400", "660")
	key(t, win, "Down", "Down") // the line: extension → phone → mobile
	app.waitState(t, "Mobile chosen", 10*time.Second, func(s uiState) bool { return s.Focus == "first-line-mobile" })
	key(t, win, "Return")
	ui := app.waitState(t, "the bar drawn", 10*time.Second, func(s uiState) bool { return s.Screen == "home" && !s.Banner })
	assert.Contains(t, ui.Status, "Calls ring on your mobile · +39 333 555 2001")
	waitFor(t, "the line on the server", 10*time.Second, func() bool { return d.line("xena") == motion.LineMobile })
	screenshot(t, shots, "path03-external-line-bar")

	// Settings change it, for this session and the next login.
	key(t, win, "ctrl+comma")
	app.waitState(t, "the settings", 10*time.Second, func(s uiState) bool { return s.Sheet == "settings" && s.Focus == "settings-line-mobile" })
	key(t, win, "Up") // mobile → phone
	app.waitState(t, "the bar says the phone", 10*time.Second, func(s uiState) bool {
		return strings.Contains(s.Status, "Calls ring on your phone · +39 06 5550 2001")
	})
	waitFor(t, "the new line on the server", 10*time.Second, func() bool { return d.line("xena") == motion.LinePhone })
	screenshot(t, shots, "path03-external-line-settings")
	key(t, win, "Escape")
	app.logout(t, win)
	waitFor(t, "the logout", 10*time.Second, logHas(app, "to=logged-out"))

	// The next start offers the last line chosen in the form, and does not ask again after.
	app.stop()
	app, win = openWindow(t, home)
	typeText(t, win, "Xena-Pass-1")
	app.tabTo(t, win, "line-phone")
	screenshot(t, shots, "path03-external-line-choice")
	app.backTo(t, win, "password")
	key(t, win, "Return")
	waitFor(t, "the second login", 10*time.Second, func() bool { return d.created("xena", motion.ClientPhonebar) == 2 })
	app.waitState(t, "the bar drawn at once", 10*time.Second, func(s uiState) bool { return s.Screen == "home" && !s.Banner })
	d.mu.Lock()
	assert.Equal(t, []string{"xena:", "xena:phone"}, d.lines)
	d.mu.Unlock()
}

// line is the line of user's live Phonebar session on the server ("" when none).
func (d *loginDemo) line(user string) string {
	for _, s := range d.sim.Load().Sessions() {
		if s.User == user && s.Client == motion.ClientPhonebar && s.EndedAt.IsZero() {
			return s.Line
		}
	}
	return ""
}
