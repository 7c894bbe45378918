//go:build linux

package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/omni/omnitest"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// newCompromisedDemo is the demo server with an attacker's page on its own origin (an upload) and a
// compromised path: the app's entry ("/") and the desktop send the browser to that page, which then
// loads the real login page (to get a second fill there).
func newCompromisedDemo(t *testing.T, typology string) (*demo, *omnitest.Recorder) {
	t.Helper()
	seed := motionsim.DefaultConfig()
	var login motionsim.DemoLogin
	for _, l := range seed.DemoLogins() {
		if l.Typology == typology {
			login = l
		}
	}
	require.NotEmpty(t, login.Name)
	sim, err := motionsim.New(motionsim.Options{Config: seed, BcryptCost: bcrypt.MinCost})
	require.NoError(t, err)
	d := &demo{sim: sim, login: login}
	rec := &omnitest.Recorder{}
	mux := http.NewServeMux()
	rec.Register(mux)
	compromised := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, omnitest.PagePath+"?next="+motion.PathWebLogin, http.StatusFound)
	}
	mux.HandleFunc("GET /{$}", compromised)
	mux.HandleFunc("GET "+motion.PathWebDesktop, compromised)
	mux.Handle("/", sim)
	d.srv = httptest.NewUnstartedServer(mux)
	d.srv.StartTLS()
	t.Cleanup(d.srv.Close)
	d.pin = tlspin.Of(d.srv.Certificate())
	return d, rec
}

// filesContaining lists the files under dir whose bytes contain s.
func filesContaining(dir, s string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), s) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// webLoginAttempts counts the web-form logins the server saw for user, refused or not.
func webLoginAttempts(d *demo, user string) int {
	n := 0
	for _, r := range d.sim.Records() {
		switch {
		case r.Kind == motionsim.RecordLoginFailed && r.Login.Via == motionsim.ViaWebForm && r.Login.Name == user:
			n++
		case r.Kind == motionsim.RecordSessionCreated && r.Session.Via == motionsim.ViaWebForm && r.Session.User == user:
			n++
		}
	}
	return n
}

// TestOmniHandoffHostilePageGetsNothing opens the Omni Desktop from the real window, both ways the
// settings allow, on a server whose entry path sends the window to an attacker's same-origin page.
// The page replaces the value setter and Function.prototype.call/apply before anything runs, clears
// sessionStorage, replaceStates to /login, shows its own login form, frames the real login page,
// listens to every input event, reads every field for 8 s and document.cookie, then loads the real
// login page. It must record nothing holding the password, no session cookie, and cause no second
// login; logging out must clear the window's storage (its mark is on disk before, gone after).
func TestOmniHandoffHostilePageGetsNothing(t *testing.T) {
	for _, mode := range []string{config.HandoffSession, config.HandoffForm} {
		t.Run(mode, func(t *testing.T) {
			d, rec := newCompromisedDemo(t, motion.TypologyPhonebar)
			shots := shotsDir(t)
			data, cache := t.TempDir(), t.TempDir()
			t.Setenv("XDG_DATA_HOME", data)
			t.Setenv("XDG_CACHE_HOME", cache)
			home := homeFor(t, d, func(s *config.Settings) { s.Omni.Handoff = mode })

			p := startApp(t, home)
			win := p.waitUI(t)
			typeText(t, win, d.login.Password)
			key(t, win, "Return")
			waitFor(t, "the Phonebar session", 15*time.Second, func() bool { return live(d, d.login.Name, motion.ClientPhonebar) == 1 })
			p.waitState(t, "the bar drawn", 10*time.Second, func(s uiState) bool { return s.Screen == "home" })
			key(t, win, "ctrl+d")
			omniWin := waitWindow(t, "^Omni Desktop", 20*time.Second)
			waitFor(t, "the hostile page to run in the Omni Desktop window", 30*time.Second, func() bool {
				for _, r := range rec.Reports() {
					if r.Phase == "start" {
						return true
					}
				}
				return false
			})
			xdo(t, "windowmove", omniWin, "0", "0")
			time.Sleep(1500 * time.Millisecond) // its own form and the framed login page are drawn
			screenshot(t, shots, "omni-hostile-"+mode)
			waitFor(t, "the hostile page's whole run", 30*time.Second, func() bool { return rec.Done(1) })
			// The page now loads the real login page: long enough for a fill and a submit there.
			time.Sleep(3 * time.Second)
			screenshot(t, shots, "omni-hostile-after-"+mode)

			assert.Empty(t, rec.Leaks(d.login.Password), "the hostile page recorded the password")
			var done omnitest.Report
			for _, r := range rec.Reports() {
				if r.Phase == "done" {
					done = r
				}
			}
			assert.GreaterOrEqual(t, len(done.Tries), 10, "every trick was set up: %v", done.Tries)
			assert.NotContains(t, done.Cookie, config.DefaultCookieName+"=", "the session cookie is not readable by page scripts")
			assert.Contains(t, done.URL, motion.PathWebLogin, "the page replaced its URL with the login page's")
			t.Logf("the hostile page tried: %s", strings.Join(done.Tries, "; "))
			distinct := map[string]bool{}
			for _, g := range done.Got {
				distinct[g] = true
			}
			t.Logf("it got %d values, %d distinct: %v; cookie %q; whoami %.200s", len(done.Got), len(distinct), distinct, done.Cookie, done.Whoami)

			web := d.sessions(d.login.Name, motion.ClientWeb)
			require.Len(t, web, 1, "one web session, the hand-off's")
			if mode == config.HandoffSession {
				assert.Equal(t, motionsim.ViaAPI, web[0].Via, "logged in over REST: no form was filled")
				assert.Zero(t, webLoginAttempts(d, d.login.Name), "no login form was ever submitted")
			} else {
				assert.Equal(t, motionsim.ViaWebForm, web[0].Via)
				assert.Equal(t, 1, webLoginAttempts(d, d.login.Name), "the login form was filled once, never again")
			}

			// Logging out clears the window's storage: the page's mark is on disk, then gone.
			waitFor(t, "the page's localStorage mark on disk", 15*time.Second, func() bool {
				return len(filesContaining(data, "hostile-mark")) > 0
			})
			p.logout(t, win)
			waitFor(t, "both sessions to end", 15*time.Second, func() bool {
				return live(d, d.login.Name, motion.ClientPhonebar)+live(d, d.login.Name, motion.ClientWeb) == 0
			})
			waitFor(t, "the Omni Desktop window to close", 15*time.Second, func() bool {
				return exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Omni Desktop").Run() != nil
			})
			waitFor(t, "the window's storage to be cleared", 10*time.Second, func() bool {
				return len(filesContaining(data, "hostile-mark"))+len(filesContaining(cache, "hostile-mark")) == 0
			})
			assert.Contains(t, p.log.String(), "cookies, storage and cache are cleared")
			assert.NotContains(t, p.log.String(), d.login.Password, "no password in the app's log")
		})
	}
}

// TestOmniHandoffAsksBeforeEndingAnotherWebSession: a WebRTC agent already logged in to the Omni
// Desktop elsewhere (Motion forbids two such sessions) opens it from the Phonebar. The window asks on
// its own page; the agent's "Log in here" ends the other session and opens the desktop.
func TestOmniHandoffAsksBeforeEndingAnotherWebSession(t *testing.T) {
	d := newDemo(t, motion.TypologyWebRTC)
	shots := shotsDir(t)
	base, err := motion.ParseServerURL(d.srv.URL)
	require.NoError(t, err)
	elsewhere, err := motion.New(motion.Options{BaseURL: base, Pin: d.pin, ClientKind: motion.ClientWeb})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = elsewhere.Login(ctx, motion.LoginRequest{Name: d.login.Name, Password: d.login.Password, Client: motion.ClientWeb})
	require.NoError(t, err)
	require.Equal(t, 1, live(d, d.login.Name, motion.ClientWeb))

	p := startApp(t, homeFor(t, d, nil))
	win := p.waitUI(t)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	waitFor(t, "the Phonebar session", 15*time.Second, func() bool { return live(d, d.login.Name, motion.ClientPhonebar) == 1 })
	time.Sleep(300 * time.Millisecond)
	key(t, win, "ctrl+d")
	omniWin := waitWindow(t, "^Omni Desktop", 20*time.Second)
	waitFor(t, "the question", 20*time.Second, func() bool { return strings.Contains(p.log.String(), "logged in to the Omni Desktop elsewhere") })
	xdo(t, "windowmove", omniWin, "0", "0")
	time.Sleep(1 * time.Second)
	screenshot(t, shots, "omni-session-exists-question")
	assert.Equal(t, 1, live(d, d.login.Name, motion.ClientWeb), "nothing is ended before the agent answers")

	key(t, omniWin, "Tab", "Return") // "Log in here"
	waitFor(t, "the desktop with the new web session", 20*time.Second, func() bool {
		return live(d, d.login.Name, motion.ClientWeb) == 1 && len(d.sessions(d.login.Name, motion.ClientWeb)) == 2 && d.desktopLoaded(d.login.Name)
	})
	web := d.sessions(d.login.Name, motion.ClientWeb)
	assert.Equal(t, motion.CodeSessionExists, web[0].EndReason, "the other session was forced out")
	assert.Equal(t, motionsim.ViaAPI, web[1].Via)
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, shots, "omni-session-exists-desktop")
}
