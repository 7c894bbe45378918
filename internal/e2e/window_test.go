//go:build linux

package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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

// demo is the demo server as the window tests use it: motionsim behind an httptest TLS server, so
// that a second origin can share its certificate (WebKit trusts a pinned certificate per host, not
// per port, so a page on the other port is really loaded and really gets the login script).
type demo struct {
	sim   *motionsim.Server
	srv   *httptest.Server
	evil  *httptest.Server
	pin   tlspin.Fingerprint
	login motionsim.DemoLogin

	mu        sync.Mutex
	evilHits  []string
	evilPosts int
}

// loginRegistered starts the Phonebar for home, logs in with the demo login typed into the first
// screen, and waits until its softphone is registered with the demo PBX.
func (d *demo) loginRegistered(t testing.TB, home string) (*appProc, string) {
	t.Helper()
	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	waitFor(t, "the softphone to register with the demo PBX", 20*time.Second, logHas(app, `msg="phone registration" state=registered`))
	return app, win
}

func newDemo(t testing.TB, typology string) *demo {
	t.Helper()
	return newDemoWith(t, typology, nil)
}

// newDemoWith is newDemo with the seed adjusted by edit (nil: the built-in demo).
func newDemoWith(t testing.TB, typology string, edit func(*motionsim.Config)) *demo {
	t.Helper()
	seed := motionsim.DefaultConfig()
	if edit != nil {
		edit(seed)
	}
	var login motionsim.DemoLogin
	for _, l := range seed.DemoLogins() {
		if l.Typology == typology {
			login = l
		}
	}
	require.NotEmpty(t, login.Name, "no demo login of typology %s", typology)
	sim, err := motionsim.New(motionsim.Options{Config: seed, BcryptCost: bcrypt.MinCost})
	require.NoError(t, err)
	d := &demo{sim: sim, login: login}

	mux := http.NewServeMux()
	// A login path that sends the browser to another origin: a page there must get nothing.
	mux.HandleFunc("GET /moved-login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, d.evil.URL+"/login", http.StatusFound)
	})
	mux.Handle("/", sim)
	d.srv = httptest.NewUnstartedServer(mux)
	d.srv.StartTLS()
	t.Cleanup(d.srv.Close)

	evil := http.NewServeMux()
	evil.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.evilHits = append(d.evilHits, r.Method+" "+r.URL.Path)
		if r.Method == http.MethodPost {
			d.evilPosts++
		}
		d.mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!doctype html><html><body><h1>Not Motion</h1><form method="post" action="/login">` +
			`<input name="username"><p-password><input type="password" name="password"></p-password>` +
			`<button type="submit">LOGIN</button></form></body></html>`))
	})
	d.evil = httptest.NewUnstartedServer(evil)
	d.evil.TLS = d.srv.TLS // the same certificate
	d.evil.StartTLS()
	t.Cleanup(d.evil.Close)

	d.pin = tlspin.Of(d.srv.Certificate())
	return d
}

func (d *demo) sessions(user, client string) []motionsim.SessionInfo {
	var out []motionsim.SessionInfo
	for _, s := range d.sim.Sessions() {
		if s.User == user && s.Client == client {
			out = append(out, s)
		}
	}
	return out
}

// desktopLoaded reports whether the Omni Desktop page was served to user with a session cookie.
func (d *demo) desktopLoaded(user string) bool {
	for _, r := range d.sim.WebRequests() {
		if r.Path == motion.PathWebDesktop && r.Auth == motionsim.WebAuthOK && r.User == user {
			return true
		}
	}
	return false
}

// writeSettings prepares the app's settings file in configHome.
func writeSettings(t testing.TB, configHome string, s config.Settings) {
	t.Helper()
	dir := filepath.Join(configHome, "phonebar")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	b, err := json.Marshal(s)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "settings.json"), b, 0o600))
}

// homeFor makes a config home whose settings already name the demo server, its pinned certificate and
// the demo login (the agent only types the password), adjusted by edit (nil: none).
func homeFor(t testing.TB, d *demo, edit func(*config.Settings)) string {
	t.Helper()
	home := t.TempDir()
	st := config.Default()
	st.ServerURL, st.Username = d.srv.URL, d.login.Name
	st.Pins = map[string]tlspin.Fingerprint{d.srv.URL: d.pin}
	if d.login.Typology == motion.TypologyExternal {
		// Not a first login here: an external agent's line is known.
		st.Lines = map[string]string{config.LineKey(d.srv.URL, d.login.Name): motion.LineInternal}
	}
	if edit != nil {
		edit(&st)
	}
	writeSettings(t, home, st)
	return home
}

func readSettings(t testing.TB, configHome string) config.Settings {
	t.Helper()
	st, err := config.NewStore(filepath.Join(configHome, "phonebar", "settings.json")).Load()
	require.NoError(t, err)
	return st
}

// TestWindowLoginTrustAndOmniDesktop walks the first day of an agent in the real window: type the
// server and the login, trust the self-signed certificate by its fingerprint, log in, open the Omni
// Desktop with one key, land on the desktop page logged in by the hand-off, with the bar still shown.
func TestWindowLoginTrustAndOmniDesktop(t *testing.T) {
	d := newDemo(t, motion.TypologyWebRTC)
	shots := shotsDir(t)
	home := t.TempDir()
	bar := startApp(t, home)
	win := bar.waitUI(t)
	screenshot(t, shots, "window-01-login-empty")

	typeText(t, win, d.srv.URL)
	bar.tabTo(t, win, "username")
	typeText(t, win, d.login.Name)
	bar.tabTo(t, win, "password")
	typeText(t, win, d.login.Password)
	screenshot(t, shots, "window-02-login-filled")
	key(t, win, "Return")

	// The certificate is self-signed: the window shows its fingerprint and focuses "Trust".
	bar.waitState(t, "the trust prompt", 15*time.Second, func(s uiState) bool { return s.Form == "trust" && s.Focus == "trust-accept" })
	screenshot(t, shots, "window-03-trust-prompt")
	assert.Empty(t, d.sessions(d.login.Name, motion.ClientPhonebar), "no login before the certificate is trusted")
	key(t, win, "Return")

	waitFor(t, "the Phonebar session on the server", 15*time.Second, func() bool {
		return len(d.sessions(d.login.Name, motion.ClientPhonebar)) == 1
	})
	assert.Equal(t, d.pin, readSettings(t, home).Pins[d.srv.URL], "the pin is kept with the server settings")
	// The realtime socket connects (no banner) and the phone registers (the dot turns green).
	bar.waitState(t, "the bar connected and the phone registered", 20*time.Second, func(s uiState) bool {
		return s.Screen == "home" && !s.Banner && s.Registration == "registered"
	})
	screenshot(t, shots, "window-04-logged-in")

	// The Omni Desktop opens beside the bar (the screen is 1280x900), not on top of it.
	xdo(t, "windowmove", win, "0", "0")
	key(t, win, "ctrl+d")
	omniWin := waitWindow(t, "^Omni Desktop", 20*time.Second)
	waitFor(t, "the Omni Desktop logged in by the hand-off", 30*time.Second, func() bool {
		return len(d.sessions(d.login.Name, motion.ClientWeb)) == 1 && d.desktopLoaded(d.login.Name)
	})
	web := d.sessions(d.login.Name, motion.ClientWeb)[0]
	assert.Equal(t, motionsim.ViaAPI, web.Via, "the Omni Desktop's session was logged in over REST and handed over as a cookie")
	barAt := geometryOf(t, win)
	waitFor(t, "the Omni Desktop beside the bar", 10*time.Second, func() bool {
		at := geometryOf(t, omniWin)
		return at.X >= barAt.X+barAt.W && at.X+at.W <= 1280 && at.W >= 640
	})
	time.Sleep(1500 * time.Millisecond) // only for the screenshot: the loaded page paints a little later
	screenshot(t, shots, "window-05-omni-desktop")
	waitWindow(t, "^Phonebar$", time.Second)

	// Logging out of the Phonebar closes the Omni Desktop and ends its web session too, so that the
	// next opening is not refused as a second login.
	bar.logout(t, win)
	waitFor(t, "both sessions to end", 15*time.Second, func() bool {
		for _, s := range d.sim.Sessions() {
			if s.User == d.login.Name && s.EndedAt.IsZero() {
				return false
			}
		}
		return true
	})
	for _, s := range d.sim.Sessions() {
		assert.Equal(t, motionsim.EndLogout, s.EndReason, "%s session", s.Client)
	}
}

// TestWindowHandoffNeverLeavesTheOrigin points the Omni Desktop's login path at a page that redirects
// to another origin, with the form fallback: that origin's page is loaded in the window but gets no
// credentials.
func TestWindowHandoffNeverLeavesTheOrigin(t *testing.T) {
	d := newDemo(t, motion.TypologyPhonebar)
	home := homeFor(t, d, func(s *config.Settings) {
		s.Omni.LoginPath = "/moved-login"
		s.Omni.Handoff = config.HandoffForm
	})

	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password) // server and username are remembered; the password has focus
	key(t, win, "Return")
	waitFor(t, "the Phonebar session", 15*time.Second, func() bool {
		return len(d.sessions(d.login.Name, motion.ClientPhonebar)) == 1
	})
	app.waitState(t, "the bar drawn", 10*time.Second, func(s uiState) bool { return s.Screen == "home" })
	key(t, win, "ctrl+d")
	waitWindow(t, "^Omni Desktop", 20*time.Second)
	waitFor(t, "the other origin's page to load in the window", 20*time.Second, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(d.evilHits) > 0
	})
	// Longer than a script needs to fill and submit a form.
	holdsFor(t, "no form submission to the other origin", 2*time.Second, func() bool { d.mu.Lock(); defer d.mu.Unlock(); return d.evilPosts == 0 })
	d.mu.Lock()
	defer d.mu.Unlock()
	assert.Zero(t, d.evilPosts, "the other origin got a form submission: %v", d.evilHits)
	assert.Empty(t, d.sessions(d.login.Name, motion.ClientWeb))
}

// TestWindowRememberMeUsesTheKeyring logs in with "remember me", checks the real Secret Service holds
// the password, restarts the app (it logs in by itself), then "Log out and forget me" deletes it.
func TestWindowRememberMeUsesTheKeyring(t *testing.T) {
	testenv.NeedSessionBus(t)
	d := newDemo(t, motion.TypologyExternal)
	home := homeFor(t, d, nil)
	account := credstore.Account(d.srv.URL, d.login.Name)
	t.Cleanup(func() { _ = keyring.Delete(credstore.Service, account) })

	first := startApp(t, home)
	win := first.waitUI(t)
	typeText(t, win, d.login.Password)
	first.press(t, win, "remember", "space", "Return") // tick "remember me", log in
	waitFor(t, "the first login", 15*time.Second, func() bool {
		return len(d.sessions(d.login.Name, motion.ClientPhonebar)) == 1
	})
	// The server's session exists before the login has saved the password and the settings: the
	// bar is drawn once it has.
	first.waitState(t, "the bar after the login", 15*time.Second, func(s uiState) bool { return s.Screen == "home" })
	saved, err := keyring.Get(credstore.Service, account)
	require.NoError(t, err, "the password is in the OS keyring")
	assert.Equal(t, d.login.Password, saved)
	b, err := os.ReadFile(filepath.Join(home, "phonebar", "settings.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(b), d.login.Password, "no password in the settings file")
	assert.True(t, readSettings(t, home).RememberMe)
	first.stop()

	second := startApp(t, home)
	win = waitWindow(t, "^Phonebar$", 20*time.Second)
	waitFor(t, "the automatic login at start", 15*time.Second, func() bool {
		return len(d.sessions(d.login.Name, motion.ClientPhonebar)) == 2
	})
	second.waitState(t, "the bar drawn", 10*time.Second, func(s uiState) bool { return s.Screen == "home" && !s.Banner && s.Focus != "" })
	screenshot(t, shotsDir(t), "window-06-auto-login")
	second.forget(t, win)
	waitFor(t, "the saved password to be deleted", 10*time.Second, func() bool {
		_, err := keyring.Get(credstore.Service, account)
		return err == keyring.ErrNotFound
	})
	// The keyring entry goes before the settings are written: the login screen shows after both.
	second.waitState(t, "the login screen", 10*time.Second, func(s uiState) bool { return s.Screen == "login" })
	assert.False(t, readSettings(t, home).RememberMe)
}

// TestWindowWrongPasswordIsNotSaved types a wrong password with "remember me": the window says so and
// the keyring stays empty.
func TestWindowWrongPasswordIsNotSaved(t *testing.T) {
	testenv.NeedSessionBus(t)
	d := newDemo(t, motion.TypologyPhonebar)
	home := homeFor(t, d, nil)
	account := credstore.Account(d.srv.URL, d.login.Name)

	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, "Wrong-Password-1")
	app.press(t, win, "remember", "space", "Return")
	waitFor(t, "the refused login on the server", 15*time.Second, func() bool {
		for _, r := range d.sim.Records() {
			if r.Kind == motionsim.RecordLoginFailed && r.Login.Name == d.login.Name {
				return true
			}
		}
		return false
	})
	app.waitState(t, "the refusal shown", 10*time.Second, func(s uiState) bool { return s.Error == "INVALID_CREDENTIALS" && !s.Busy })
	screenshot(t, shotsDir(t), "window-07-wrong-password")
	_, err := keyring.Get(credstore.Service, account)
	assert.ErrorIs(t, err, keyring.ErrNotFound, "a wrong password is never saved")
	assert.Empty(t, d.sessions(d.login.Name, motion.ClientPhonebar))
}

// TestWindowMicrophoneCheck logs a WebRTC agent in while a tone plays into the audio server's
// microphone: the bar checks the microphone at once, the live meter moves and the verdict is
// "working". Without the tone the same check says "silent".
func TestWindowMicrophoneCheck(t *testing.T) {
	testenv.NeedPulseAudio(t)
	testenv.NeedCommand(t, "sox")
	paplay := testenv.NeedCommand(t, "paplay")
	d := newDemo(t, motion.TypologyWebRTC)
	home := homeFor(t, d, nil)

	tone := filepath.Join(t.TempDir(), "tone.wav")
	out, err := exec.Command("sox", "-n", "-r", "48000", "-c", "1", "-b", "16", tone, "synth", "20", "sine", "440", "vol", "0.5").CombinedOutput()
	require.NoError(t, err, "%s", out)
	play := exec.Command(paplay, "--device=vsink", tone)
	require.NoError(t, play.Start())
	t.Cleanup(func() { _ = play.Process.Kill(); _ = play.Wait() })

	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	app.waitState(t, "the microphone check's verdict shown", 20*time.Second, func(s uiState) bool { return s.Mic != "" })
	assert.Equal(t, "working", app.state().Mic, "a 440 Hz tone at -6 dBFS is heard")
	assert.Contains(t, app.log.String(), `msg="microphone check" device=`)
	screenshot(t, shotsDir(t), "window-08-mic-check-working")

	// Silence: stop the tone and check again from the panel's button.
	_ = play.Process.Kill()
	_ = play.Wait()
	n := strings.Count(app.log.String(), `msg="microphone check"`)
	app.micCheck(t, win)
	waitFor(t, "the second microphone check", 20*time.Second, func() bool {
		return strings.Count(app.log.String(), `msg="microphone check"`) > n
	})
	app.waitState(t, "the silent verdict shown", 10*time.Second, func(s uiState) bool { return s.Mic == "silent" })
	screenshot(t, shotsDir(t), "window-09-mic-check-silent")
}

// TestWindowReadyNeedsMicrophone (issue 3, path 2): a WebRTC agent's "Not ready → Ready" checks the
// microphone first. A silent microphone keeps the agent not ready, with a sentence that says what to
// do, and the server is not told; with a working microphone the agent is ready on the server. Going
// not ready needs no check, nor does going ready again while the last check's "working" is fresh.
func TestWindowReadyNeedsMicrophone(t *testing.T) {
	testenv.NeedPulseAudio(t)
	testenv.NeedCommand(t, "sox")
	paplay := testenv.NeedCommand(t, "paplay")
	d := newDemo(t, motion.TypologyWebRTC)
	home := homeFor(t, d, nil)
	shots := shotsDir(t)

	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	app.waitState(t, "the first microphone check's verdict shown", 20*time.Second, func(s uiState) bool { return s.Screen == "home" && s.Mic != "" })
	checks := func() int { return strings.Count(app.log.String(), `msg="microphone check"`) }

	// Silence: Ctrl+Shift+R runs a new check, which finds nothing; the agent stays not ready.
	n := checks()
	key(t, win, "ctrl+shift+r")
	app.waitState(t, "the refusal shown", 20*time.Second, func(s uiState) bool { return s.Error == "MICROPHONE_NEEDED" && !s.Ready })
	assert.Equal(t, n+1, checks(), "going ready checked the microphone again")
	assert.False(t, d.sim.AgentReady(d.login.Name, motion.ClientPhonebar), "the server was not told")
	screenshot(t, shots, "window-11-not-ready-silent-mic")

	// A voice in the microphone: the same key makes the agent ready on the server.
	tone := filepath.Join(t.TempDir(), "tone.wav")
	out, err := exec.Command("sox", "-n", "-r", "48000", "-c", "1", "-b", "16", tone, "synth", "20", "sine", "440", "vol", "0.5").CombinedOutput()
	require.NoError(t, err, "%s", out)
	play := exec.Command(paplay, "--device=vsink", tone)
	require.NoError(t, play.Start())
	t.Cleanup(func() { _ = play.Process.Kill(); _ = play.Wait() })
	time.Sleep(300 * time.Millisecond)
	pressed := time.Now()
	key(t, win, "ctrl+shift+r")
	waitFor(t, "the agent ready on the server", 20*time.Second, func() bool { return d.sim.AgentReady(d.login.Name, motion.ClientPhonebar) })
	t.Logf("FIGURE ready: microphone checked and the agent ready on the server %d ms after the key", time.Since(pressed).Milliseconds())
	assert.Contains(t, app.log.String(), "verdict=working")
	_ = play.Process.Kill()
	app.waitState(t, "ready shown", 10*time.Second, func(s uiState) bool { return s.Ready && s.Error == "" })
	screenshot(t, shots, "window-12-ready")

	// Not ready again: no check needed.
	n = checks()
	key(t, win, "ctrl+shift+r")
	waitFor(t, "the agent not ready on the server", 10*time.Second, func() bool { return !d.sim.AgentReady(d.login.Name, motion.ClientPhonebar) })
	assert.Equal(t, n, checks())

	// Ready again a moment later: the microphone was found working just now, so no new check.
	app.waitState(t, "not ready shown", 10*time.Second, func(s uiState) bool { return !s.Ready })
	pressed = time.Now()
	key(t, win, "ctrl+shift+r")
	waitFor(t, "the agent ready again", 10*time.Second, func() bool { return d.sim.AgentReady(d.login.Name, motion.ClientPhonebar) })
	t.Logf("FIGURE ready: ready again on the server %d ms after the key (the last check still stands)", time.Since(pressed).Milliseconds())
	assert.Equal(t, n, checks())
}

// TestWindowPinMismatchStopsLogin pins another certificate for the server: the login stops before any
// credentials are sent, with the warning that the connection may be intercepted.
func TestWindowPinMismatchStopsLogin(t *testing.T) {
	d := newDemo(t, motion.TypologyPhonebar)
	home := homeFor(t, d, func(s *config.Settings) {
		s.Pins[d.srv.URL] = tlspin.OfDER([]byte("another certificate"))
	})

	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	app.waitState(t, "the refused login shown", 15*time.Second, func(s uiState) bool { return s.Error == "CERTIFICATE_MISMATCH" && !s.Busy })
	assert.Contains(t, app.log.String(), "may be intercepted")
	assert.Empty(t, d.sim.Sessions(), "no session: the credentials were never sent")
	for _, r := range d.sim.Records() {
		assert.NotEqual(t, motionsim.RecordLoginFailed, r.Kind, "the server never saw a login attempt")
	}
	screenshot(t, shotsDir(t), "window-10-pin-mismatch")
}

// TestWindowProcessingSwitch turns the cleaning up of the microphone (echo cancellation, noise
// suppression, gain control) off and on again from the Audio panel: each change is saved in the
// settings the next call reads.
func TestWindowProcessingSwitch(t *testing.T) {
	testenv.NeedPulseAudio(t)
	testenv.NeedCommand(t, "sox")
	paplay := testenv.NeedCommand(t, "paplay")
	d := newDemo(t, motion.TypologyWebRTC)
	home := homeFor(t, d, nil)
	require.False(t, readSettings(t, home).Audio.ProcessingOff, "on by default")

	// A working microphone, so that the panel stays closed after the first check.
	tone := filepath.Join(t.TempDir(), "tone.wav")
	out, err := exec.Command("sox", "-n", "-r", "48000", "-c", "1", "-b", "16", tone, "synth", "20", "sine", "440", "vol", "0.5").CombinedOutput()
	require.NoError(t, err, "%s", out)
	play := exec.Command(paplay, "--device=vsink", tone)
	require.NoError(t, play.Start())
	t.Cleanup(func() { _ = play.Process.Kill(); _ = play.Wait() })

	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	app.waitState(t, "the microphone check's verdict shown", 20*time.Second, func(s uiState) bool { return s.Mic != "" })
	key(t, win, "ctrl+comma") // the settings, the microphone list focused
	app.waitState(t, "the settings open", 10*time.Second, func(s uiState) bool { return s.Focus == "mic-select" })
	// To the switch: tabTo waits for the focus the window publishes after each Tab.
	app.tabTo(t, win, "processing-toggle")
	key(t, win, "space")
	waitFor(t, "processing off in the settings", 10*time.Second, func() bool { return readSettings(t, home).Audio.ProcessingOff })
	screenshot(t, shotsDir(t), "window-20-processing-off")
	key(t, win, "space")
	waitFor(t, "processing on again in the settings", 10*time.Second, func() bool { return !readSettings(t, home).Audio.ProcessingOff })
	screenshot(t, shotsDir(t), "window-21-processing-on")
}
