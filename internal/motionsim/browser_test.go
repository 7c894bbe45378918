package motionsim

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/testenv"
)

// chromiumFor starts a headless Chromium that trusts only this server's certificate (by its SPKI
// hash, not by ignoring every certificate error). blockCookies turns all cookies off in the
// profile, as a user's privacy setting would.
func chromiumFor(t *testing.T, ep Endpoint, blockCookies bool) context.Context {
	t.Helper()
	spki := sha256.Sum256(ep.Certificate.RawSubjectPublicKeyInfo)
	profile := t.TempDir()
	if blockCookies {
		prefs := `{"profile":{"default_content_setting_values":{"cookies":2}}}`
		require.NoError(t, os.MkdirAll(filepath.Join(profile, "Default"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(profile, "Default", "Preferences"), []byte(prefs), 0o600))
	}
	return testenv.Chromium(t,
		chromedp.UserDataDir(profile),
		chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])),
		chromedp.WindowSize(1100, 720),
	)
}

// shotDir is where screenshots go: $MOTIONSIM_SCREENSHOTS to keep them, else a temporary dir.
func shotDir(t *testing.T) string {
	if d := os.Getenv("MOTIONSIM_SCREENSHOTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
}

// js evaluates an expression in the page.
func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, expr)
	return v
}

// waitJS polls a boolean expression until it is true, and returns how long that took.
func waitJS(t *testing.T, ctx context.Context, expr string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		if js[bool](t, ctx, expr) {
			return time.Since(start)
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("not true within %s: %s", within, expr)
	return 0
}

func text(id string) string { return `document.getElementById("` + id + `").textContent.trim()` }

func TestChromiumLoginToDesktop(t *testing.T) {
	ts := startServer(t, Options{Now: time.Now})
	ctx := chromiumFor(t, ts.ep, false)
	dir := shotDir(t)
	step, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	require.NoError(t, chromedp.Do(step, chromedp.Navigate(ts.ep.URL+motion.PathWebLogin), chromedp.WaitVisible(chromedp.CSS("#login-button"))))
	assert.Equal(t, "LOGIN", js[string](t, step, text("login-button")))
	assert.True(t, js[bool](t, step, `document.querySelector("p-password input") !== null`), "p-password input")
	assert.True(t, js[bool](t, step, `document.getElementById("cookie-popup").hidden`), "no cookie popup when cookies work")
	screenshot(t, step, dir, "login.png")

	// A wrong password shows the form again with the error.
	require.NoError(t, chromedp.Do(step,
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "bruno"),
		chromedp.SendKeys(chromedp.CSS(`p-password input`), "Not-The-Password-1"),
		chromedp.Click(chromedp.CSS("#login-button")),
		chromedp.WaitVisible(chromedp.CSS("#login-error")),
	))
	assert.Contains(t, js[string](t, step, text("login-error")), "Wrong login name or password. 4 attempts left")
	assert.Equal(t, "bruno", js[string](t, step, `document.querySelector('input[name="username"]').value`))
	screenshot(t, step, dir, "login-error.png")

	// An external agent without Hot Desk says where the calls ring.
	require.NoError(t, chromedp.Do(step,
		chromedp.SendKeys(chromedp.CSS(`p-password input`), demoPassword(t, "bruno")),
		chromedp.Click(chromedp.CSS("#login-button")),
		chromedp.WaitVisible(chromedp.CSS("#line-form")),
	))
	assert.Equal(t, "Where should your calls ring?", js[string](t, step, text("line-question")))
	screenshot(t, step, dir, "login-line.png")
	require.NoError(t, chromedp.Do(step,
		chromedp.Click(chromedp.CSS(`input[name="line"][value="mobile"]`)),
		chromedp.Click(chromedp.CSS("#line-button")),
		chromedp.WaitVisible(chromedp.CSS("#agent-fullname")),
	))
	assert.Equal(t, "Bruno Rossi", js[string](t, step, text("agent-fullname")))
	assert.Equal(t, "External phone", js[string](t, step, text("agent-typology")))
	took := waitJS(t, step, `document.getElementById("connection-state").dataset.state === "connected"`, 5*time.Second)
	t.Logf("connected %s after the desktop loaded", took)
	assert.Equal(t, "Connected", js[string](t, step, text("connection-state")))
	assert.True(t, js[bool](t, step, `document.getElementById("connection-banner").hidden`))
	screenshot(t, step, dir, "desktop.png")

	// The session behind the desktop is the form's, seen by the server with Chromium's agent.
	sessions := ts.srv.Sessions()
	require.Len(t, sessions, 1)
	assert.Equal(t, "bruno", sessions[0].User)
	assert.Equal(t, ViaWebForm, sessions[0].Via)
	assert.Equal(t, motion.LineMobile, sessions[0].Line)
	assert.Equal(t, motion.ClientWeb, sessions[0].Client)
	assert.Contains(t, sessions[0].UserAgent, "HeadlessChrome")
	var sawDesktop, sawSocket bool
	for _, w := range ts.srv.WebRequests() {
		if w.Auth == WebAuthOK && w.SessionID == sessions[0].ID {
			sawDesktop = sawDesktop || w.Path == motion.PathWebDesktop
			sawSocket = sawSocket || w.Path == motion.PathRealtime
		}
	}
	assert.True(t, sawDesktop, "the desktop page was authenticated by the form's session")
	assert.True(t, sawSocket, "so was its realtime socket (token cookie)")

	// A silent outage: no heartbeats, no reconnection. The page must say so within 2 s.
	ts.srv.PauseRealtime(true)
	took = waitJS(t, step, `!document.getElementById("connection-banner").hidden`, 5*time.Second)
	t.Logf("connection loss shown %s after the outage began", took)
	assert.Less(t, took, 2*time.Second)
	assert.Equal(t, "Connection lost — reconnecting…", js[string](t, step, text("connection-banner")))
	assert.Equal(t, "Disconnected", js[string](t, step, text("connection-state")))
	screenshot(t, step, dir, "desktop-lost.png")
	time.Sleep(1500 * time.Millisecond) // a few refused reconnections
	ts.srv.PauseRealtime(false)
	took = waitJS(t, step, `document.getElementById("connection-state").dataset.state === "connected"`, 15*time.Second)
	t.Logf("reconnected %s after the outage ended", took)
	assert.True(t, js[bool](t, step, `document.getElementById("connection-banner").hidden`))

	// An abrupt drop (the socket closes) is shown too, and recovered.
	require.Positive(t, ts.srv.DropRealtime())
	waitJS(t, step, `document.getElementById("connection-state").dataset.state !== "connected"`, 2*time.Second)
	waitJS(t, step, `document.getElementById("connection-state").dataset.state === "connected"`, 10*time.Second)

	// Someone logs in elsewhere with the same credentials: the page is told and stops.
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{
		Name: "bruno", Password: demoPassword(t, "bruno"), Client: motion.ClientWeb, Force: true,
	}, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	waitJS(t, step, `!document.getElementById("logged-out").hidden`, 5*time.Second)
	assert.Contains(t, js[string](t, step, text("logged-out-message")), "someone logged in with your credentials")
	screenshot(t, step, dir, "desktop-logged-out.png")
}

func TestChromiumOnePhonePerAgent(t *testing.T) {
	ts := startServer(t, Options{Now: time.Now})
	ctx := chromiumFor(t, ts.ep, false)
	dir := shotDir(t)
	step, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	login := func(name string) {
		require.NoError(t, chromedp.Do(step,
			chromedp.Navigate(ts.ep.URL+motion.PathWebLogin),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), name),
			chromedp.SendKeys(chromedp.CSS(`p-password input`), demoPassword(t, name)),
			chromedp.Click(chromedp.CSS("#login-button")),
			chromedp.WaitVisible(chromedp.CSS("#agent-fullname")),
		))
	}
	login("alice")
	assert.Equal(t, "Phone: this browser", js[string](t, step, text("phone-owner")))
	assert.False(t, js[bool](t, step, `document.getElementById("webrtc-bar").hidden`))
	screenshot(t, step, dir, "desktop-webrtc.png")

	// The event, as a script injected after the page started would send it.
	js[bool](t, step, `window.dispatchEvent(new Event("`+motion.PhoneOwnerEvent+`"))`)
	assert.Equal(t, "Phone: Phonebar app", js[string](t, step, text("phone-owner")))
	assert.True(t, js[bool](t, step, `document.getElementById("webrtc-bar").hidden`))

	// The cookie, set before the page loads.
	js[string](t, step, `document.cookie = "`+motion.PhoneOwnerCookie+`=1; path=/; Secure; SameSite=Lax"`)
	require.NoError(t, chromedp.Do(step, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#agent-fullname"))))
	assert.Equal(t, "Phone: Phonebar app", js[string](t, step, text("phone-owner")))
	assert.True(t, js[bool](t, step, `document.getElementById("webrtc-bar").hidden`))
	screenshot(t, step, dir, "desktop-webrtc-phonebar.png")
}

func TestChromiumBlockedCookies(t *testing.T) {
	ts := startServer(t, Options{Now: time.Now})
	ctx := chromiumFor(t, ts.ep, true)
	dir := shotDir(t)
	step, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	require.NoError(t, chromedp.Do(step,
		chromedp.Navigate(ts.ep.URL+motion.PathWebLogin),
		chromedp.WaitVisible(chromedp.CSS("#cookie-popup")),
	))
	assert.Contains(t, js[string](t, step, text("cookie-message")), "Motion cannot work without cookies")
	assert.True(t, js[bool](t, step, `document.getElementById("login-button").disabled`))
	screenshot(t, step, dir, "login-no-cookies.png")

	// Even a form sent around the page's check fails clearly on the server.
	require.NoError(t, chromedp.Do(step,
		chromedp.SetValue(chromedp.CSS(`input[name="username"]`), "bruno"),
		chromedp.SetValue(chromedp.CSS(`p-password input`), demoPassword(t, "bruno")),
	))
	js[any](t, step, `HTMLFormElement.prototype.submit.call(document.getElementById("login-form"))`)
	waitJS(t, step, `!!document.getElementById("login-error")`, 10*time.Second)
	assert.Contains(t, js[string](t, step, text("login-error")), "Motion cannot work without cookies")
	assert.Empty(t, ts.srv.Sessions())
	data, _ := json.Marshal(ts.srv.WebRequests())
	assert.NotContains(t, string(data), `"Auth":"ok"`)
}
