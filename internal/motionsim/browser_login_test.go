package motionsim

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/testenv"
)

// These Chromium tests drive the demo Omni Desktop pages through each login path of issue 3 that
// the demo server serves; the screenshots go to $MOTIONSIM_SCREENSHOTS when set.

// webStep returns a Chromium context with a one-minute budget for a test's steps.
func webStep(t *testing.T, ts *testServer, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	var ctx context.Context
	if len(opts) == 0 {
		ctx = chromiumFor(t, ts.ep, false)
	} else {
		spki := sha256.Sum256(ts.ep.Certificate.RawSubjectPublicKeyInfo)
		ctx = testenv.Chromium(t, append([]chromedp.ExecAllocatorOption{
			chromedp.UserDataDir(t.TempDir()),
			chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])),
			chromedp.WindowSize(1100, 720),
		}, opts...)...)
	}
	step, cancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel)
	return step
}

// typeLogin fills the login form and presses LOGIN.
func typeLogin(name, pw string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS("#login-button")),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), name),
		chromedp.SendKeys(chromedp.CSS(`p-password input`), pw),
		chromedp.Click(chromedp.CSS("#login-button")),
	)
}

func TestChromiumHotDesk(t *testing.T) {
	ts := startServer(t, Options{Now: time.Now, Config: hotDeskConfig(
		PhoneConfig{Name: "Desk 1 (SIP/2001)", Registered: true}, PhoneConfig{Name: "Desk 2 (SIP/2002)", Registered: true},
		PhoneConfig{Name: "Desk 3 (SIP/2003)", Registered: true, Busy: true}, PhoneConfig{Name: "Desk 4 (SIP/2004)"},
	)})
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "eric", Password: "Demo-Eric-1004", Phone: "Desk 1 (SIP/2001)"}, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	step := webStep(t, ts)
	dir := shotDir(t)
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(ts.ep.URL+motion.PathWebLogin), typeLogin("bruno", demoPassword(t, "bruno")),
		chromedp.WaitVisible(chromedp.CSS("#phone-form"))))
	assert.Equal(t, "Hot Desk: choose the telephone you are sitting at.", js[string](t, step, text("phone-question")))
	assert.Equal(t, []string{"Desk 2 (SIP/2002)"}, js[[]string](t, step, `Array.from(document.querySelectorAll('input[name="phone"]')).map(e => e.value)`),
		"Desk 1 in use by eric, Desk 3 busy, Desk 4 unregistered")
	screenshot(t, step, dir, "login-hot-desk.png")
	require.NoError(t, chromedp.Do(step, chromedp.Click(chromedp.CSS("#phone-button")), chromedp.WaitVisible(chromedp.CSS("#agent-fullname"))))
	assert.Equal(t, "Phone: Desk 2 (SIP/2002) (Hot Desk)", js[string](t, step, text("phone-owner")))
	screenshot(t, step, dir, "desktop-hot-desk.png")
	sessions := ts.srv.Sessions()
	assert.Equal(t, "Desk 2 (SIP/2002)", sessions[len(sessions)-1].Phone)
}

func TestChromiumForgotPassword(t *testing.T) {
	ts := startServer(t, Options{Now: time.Now})
	step := webStep(t, ts)
	dir := shotDir(t)
	require.NoError(t, chromedp.Do(step,
		chromedp.Navigate(ts.ep.URL+motion.PathWebLogin),
		chromedp.WaitVisible(chromedp.CSS("#forgot-password")),
		chromedp.Click(chromedp.CSS("#forgot-password")),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "chloe@demo.phonebar.test"),
		chromedp.Submit(chromedp.CSS("#email")),
		chromedp.WaitVisible(chromedp.CSS("#forgot-notice")),
	))
	assert.Contains(t, js[string](t, step, text("forgot-notice")), "If this address belongs to a user")
	screenshot(t, step, dir, "forgot-sent.png")
	out := ts.srv.Outbox()
	require.Len(t, out, 1)

	require.NoError(t, chromedp.Do(step,
		chromedp.Navigate(out[0].Link),
		chromedp.WaitVisible(chromedp.CSS("#reset-form")),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "new-chloe"),
	))
	ok := `Array.from(document.querySelectorAll("#reset-rules li.ok")).map(e => e.dataset.rule)`
	assert.Equal(t, []string{"len", "lower", "special"}, js[[]string](t, step, ok), "the rules are checked as the agent types")
	screenshot(t, step, dir, "reset-typing.png")
	require.NoError(t, chromedp.Do(step,
		chromedp.SendKeys(chromedp.CSS("#confirm-password"), "new-chloe"),
		chromedp.Click(chromedp.CSS("#reset-button")),
		chromedp.WaitVisible(chromedp.CSS("#reset-error")),
	))
	assert.Contains(t, js[string](t, step, text("reset-error")), "an uppercase letter, a digit")
	require.NoError(t, chromedp.Do(step,
		chromedp.SetValue(chromedp.CSS("#new-password"), "New-Chloe-7"),
		chromedp.SetValue(chromedp.CSS("#confirm-password"), "New-Chloe-7"),
		chromedp.Click(chromedp.CSS("#reset-button")),
		chromedp.WaitVisible(chromedp.CSS("#login-notice")),
	))
	assert.Equal(t, "Your new password is set: log in with it.", js[string](t, step, text("login-notice")))
	screenshot(t, step, dir, "reset-done.png")
	require.NoError(t, chromedp.Do(step, typeLogin("chloe", "New-Chloe-7"), chromedp.WaitVisible(chromedp.CSS("#agent-fullname"))))

	// The link worked once.
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(out[0].Link), chromedp.WaitVisible(chromedp.CSS("#reset-error"))))
	assert.Contains(t, js[string](t, step, text("reset-error")), "not valid")
	screenshot(t, step, dir, "reset-used.png")
}

func TestChromiumAdminUnlock(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxLoginAttempts, cfg.UnlockAfterMinutes = 2, 0
	ts := startServer(t, Options{Now: time.Now, Config: cfg})
	step := webStep(t, ts)
	dir := shotDir(t)
	for range 2 {
		ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "chloe", Password: "Wrong-Pass-1"}, nil)
	}
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(ts.ep.URL+motion.PathWebLogin), typeLogin("chloe", demoPassword(t, "chloe")),
		chromedp.WaitVisible(chromedp.CSS("#login-error"))))
	assert.Equal(t, "Account locked after 2 failed attempts: ask your administrator to unlock it.", js[string](t, step, text("login-error")))
	screenshot(t, step, dir, "login-locked.png")

	require.NoError(t, chromedp.Do(step, chromedp.Navigate(ts.ep.URL+motion.PathWebLogin), typeLogin("admin", demoPassword(t, "admin")),
		chromedp.WaitVisible(chromedp.CSS("#admin-link")), chromedp.Click(chromedp.CSS("#admin-link")),
		chromedp.WaitVisible(chromedp.CSS("#unlock-chloe"))))
	assert.Equal(t, "Locked", js[string](t, step, text("state-chloe")))
	screenshot(t, step, dir, "admin-locked.png")
	require.NoError(t, chromedp.Do(step, chromedp.Click(chromedp.CSS("#unlock-chloe")), chromedp.WaitVisible(chromedp.CSS("#admin-notice"))))
	assert.Equal(t, "Account unlocked.", js[string](t, step, text("admin-notice")))
	assert.Equal(t, "Active", js[string](t, step, text("state-chloe")))
	screenshot(t, step, dir, "admin-unlocked.png")
	assert.False(t, ts.srv.Users()[2].Locked)

	// The settings form: the disconnection timeout changes at run time.
	require.NoError(t, chromedp.Do(step,
		chromedp.SetValue(chromedp.CSS("#disconnectionTimeoutMinutes"), "7"),
		chromedp.Click(chromedp.CSS("#settings-save")),
	))
	// The page before the click has a notice too: wait for the new one.
	waitJS(t, step, `(document.getElementById("admin-notice") || {}).textContent === "Settings saved."`, 10*time.Second)
	assert.Equal(t, 7, ts.srv.Settings().DisconnectionTimeoutMinutes)
}

func TestChromiumSSO(t *testing.T) {
	ts := startServer(t, Options{Now: time.Now, Config: ssoConfig("activedirectory", "google")})
	step := webStep(t, ts)
	dir := shotDir(t)
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(ts.ep.URL+motion.PathWebLogin), chromedp.WaitVisible(chromedp.CSS("#sso-buttons"))))
	assert.Equal(t, []string{"Log in with Active Directory", "Log in with Google"},
		js[[]string](t, step, `Array.from(document.querySelectorAll("#sso-buttons a")).map(e => e.textContent.trim())`))
	screenshot(t, step, dir, "login-sso.png")
	require.NoError(t, chromedp.Do(step, chromedp.Click(chromedp.CSS("#sso-google")), chromedp.WaitVisible(chromedp.CSS("#sso-form")),
		chromedp.SendKeys(chromedp.CSS("#sso-account"), "alice@demo.phonebar.test"),
		chromedp.SendKeys(chromedp.CSS("#sso-password"), "Wrong-Pass-1"),
		chromedp.Click(chromedp.CSS("#sso-button")),
		chromedp.WaitVisible(chromedp.CSS("#sso-error"))))
	assert.Equal(t, "Google", js[string](t, step, text("sso-provider")))
	screenshot(t, step, dir, "sso-google-error.png")
	require.NoError(t, chromedp.Do(step,
		chromedp.SetValue(chromedp.CSS("#sso-password"), demoPassword(t, "alice")),
		chromedp.Click(chromedp.CSS("#sso-button")),
		chromedp.WaitVisible(chromedp.CSS("#agent-fullname"))))
	assert.Equal(t, "Alice Martin", js[string](t, step, text("agent-fullname")))
	s := ts.srv.Sessions()
	require.Len(t, s, 1)
	assert.Equal(t, ViaSSO, s[0].Via)

	// Turned off by the administrator: the buttons are gone.
	status, body := ts.call(t, http.MethodPut, motion.PathAdminSettings, `{"ssoProviders":[]}`, basic("admin", demoPassword(t, "admin")))
	require.Equal(t, http.StatusOK, status, string(body))
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(ts.ep.URL+motion.PathWebLogin), chromedp.WaitVisible(chromedp.CSS("#login-button"))))
	assert.False(t, js[bool](t, step, `!!document.getElementById("sso-buttons")`))
	screenshot(t, step, dir, "login-no-sso.png")
}

func TestChromiumUnknownAuthorizationFormat(t *testing.T) {
	ts := startServer(t, Options{Now: time.Now, HTTPListen: "127.0.0.1:0"})
	// Chromium keeps Secure cookies over http for localhost; a real host name does not.
	step := webStep(t, ts, chromedp.Flag("host-resolver-rules", "MAP motion.test 127.0.0.1"))
	dir := shotDir(t)
	u, err := url.Parse(ts.ep.HTTPURL)
	require.NoError(t, err)
	plain := "http://motion.test:" + u.Port()
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(plain+motion.PathWebLogin)))
	assert.True(t, js[bool](t, step, `document.getElementById("cookie-popup").hidden`), "cookies work over http")
	require.NoError(t, chromedp.Do(step, typeLogin("chloe", demoPassword(t, "chloe")), chromedp.WaitVisible(chromedp.CSS("#api-error"))))
	assert.Equal(t, motion.UnknownAuthorizationFormat, js[string](t, step, text("api-error")))
	assert.Equal(t, "401", js[string](t, step, `document.getElementById("api-error").dataset.status`))
	assert.True(t, strings.HasPrefix(js[string](t, step, `document.getElementById("https-link").href`), ts.ep.URL))
	screenshot(t, step, dir, "desktop-http-unknown-authorization-format.png")

	// Over https the same login works (the session made over http is still there: the page asks
	// to end it).
	require.NoError(t, chromedp.Do(step, chromedp.Navigate(ts.ep.URL+motion.PathWebLogin), typeLogin("chloe", demoPassword(t, "chloe")),
		chromedp.WaitVisible(chromedp.CSS("#force-button")), chromedp.Click(chromedp.CSS("#force-button")),
		chromedp.WaitVisible(chromedp.CSS("#agent-fullname"))))
	waitJS(t, step, `document.getElementById("connection-state").dataset.state === "connected"`, 10*time.Second)
}

// TestChromiumReadyNeedsMicrophone (path 2, the browser way): a WebRTC agent whose phone is the
// Omni Desktop page must allow the microphone before going ready. Refused, the page says what to do
// and the agent stays not ready on the server; allowed, the agent is ready.
func TestChromiumReadyNeedsMicrophone(t *testing.T) {
	for _, tt := range []struct {
		name  string
		flag  string
		ready bool
	}{
		{"refused", "deny-permission-prompts", false},
		{"allowed", "use-fake-ui-for-media-stream", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, Options{Now: time.Now})
			step := webStep(t, ts, chromedp.Flag(tt.flag, true), chromedp.Flag("use-fake-device-for-media-stream", true))
			dir := shotDir(t)
			require.NoError(t, chromedp.Do(step, chromedp.Navigate(ts.ep.URL+motion.PathWebLogin), typeLogin("alice", demoPassword(t, "alice")),
				chromedp.WaitVisible(chromedp.CSS("#ready-toggle"))))
			assert.Equal(t, "browser", js[string](t, step, `document.getElementById("phone-owner").dataset.owner`))
			assert.Equal(t, "NOT READY", js[string](t, step, text("ready-toggle")))
			require.NoError(t, chromedp.Do(step, chromedp.Click(chromedp.CSS("#ready-toggle"))))
			if tt.ready {
				require.NoError(t, chromedp.Do(step, chromedp.WaitVisible(chromedp.CSS(`#ready-toggle[data-ready="true"]`))))
				assert.True(t, ts.srv.AgentReady("alice", motion.ClientWeb))
				assert.True(t, js[bool](t, step, `document.getElementById("ready-message").hidden`))
			} else {
				require.NoError(t, chromedp.Do(step, chromedp.WaitVisible(chromedp.CSS("#ready-message"))))
				assert.Contains(t, js[string](t, step, text("ready-message")), "Allow the microphone for this site")
				assert.Equal(t, "NOT READY", js[string](t, step, text("ready-toggle")))
				assert.False(t, ts.srv.AgentReady("alice", motion.ClientWeb))
			}
			screenshot(t, step, dir, "desktop-ready-"+tt.name+".png")
		})
	}
}
