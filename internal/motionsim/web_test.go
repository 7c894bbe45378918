package motionsim

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

// browser is a plain HTTP client with a cookie jar that does not follow redirects, so each step of
// the web flow is visible.
type browser struct {
	t      *testing.T
	ts     *testServer
	c      *http.Client
	jar    *cookiejar.Jar
	agent  string
	status int
	loc    string
	body   string
	resp   *http.Response
}

func newBrowser(t *testing.T, ts *testServer) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := ts.ep.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t.Cleanup(c.CloseIdleConnections)
	return &browser{t: t, ts: ts, c: c, jar: jar, agent: "TestBrowser/1.0"}
}

func (b *browser) do(method, path string, form url.Values) *browser {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.ts.ep.URL+path, body)
	require.NoError(b.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", b.agent)
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(b.t, err)
	b.status, b.loc, b.body, b.resp = resp.StatusCode, resp.Header.Get("Location"), string(data), resp
	return b
}

func (b *browser) get(path string) *browser { return b.do(http.MethodGet, path, nil) }

// hidden reads a hidden input of the last page.
func (b *browser) hidden(name string) string {
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(b.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// login opens the login page and submits it; an external agent's line question is answered
// "internal".
func (b *browser) login(name, pw string) *browser {
	b.t.Helper()
	b.loginOnly(name, pw)
	if strings.Contains(b.body, `id="line-form"`) {
		b.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {b.hidden("check")}, "ticket": {b.hidden("ticket")}, "line": {motion.LineInternal}})
	}
	return b
}

// loginOnly opens the login page and submits it, and stops at the answer.
func (b *browser) loginOnly(name, pw string) *browser {
	b.t.Helper()
	b.get(motion.PathWebLogin)
	require.Equal(b.t, http.StatusOK, b.status)
	return b.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {b.hidden("check")}, "username": {name}, "password": {pw}})
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.ts.ep.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.ts.ep.URL)
	b.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

func setCookieOf(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// byID returns the text content of the element with the id (tags inside are dropped).
func byID(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<(\w[\w-]*)[^>]*\sid="` + id + `"[^>]*>(.*?)</`).FindStringSubmatch(page)
	require.NotNil(t, m, "no element #%s", id)
	return strings.TrimSpace(m[2])
}

func TestLoginPageShape(t *testing.T) {
	ts := startServer(t, Options{})
	b := newBrowser(t, ts).get(motion.PathWebLogin)
	require.Equal(t, http.StatusOK, b.status)
	assert.Equal(t, "text/html; charset=utf-8", b.resp.Header.Get("Content-Type"))
	assert.Regexp(t, `<input type="text" id="username" name="username"`, b.body)
	assert.Regexp(t, `(?s)<p-password[^>]*>\s*<input type="password" id="password" name="password"`, b.body, "a password input inside p-password")
	assert.Equal(t, "LOGIN", byID(t, b.body, "login-button"))
	assert.Regexp(t, `<button type="submit"[^>]*id="login-button"`, b.body)
	assert.Equal(t, "Forgot Password?", byID(t, b.body, "forgot-password"))
	assert.Contains(t, b.body, `id="cookie-popup"`)
	assert.Contains(t, b.body, "Motion cannot work without cookies")
	assert.Contains(t, b.body, "navigator.cookieEnabled")

	csp := b.resp.Header.Get("Content-Security-Policy")
	m := regexp.MustCompile(`script-src 'nonce-([^']+)'`).FindStringSubmatch(csp)
	require.NotNil(t, m, csp)
	assert.Contains(t, b.body, `<script nonce="`+m[1]+`">`, "the inline script carries the page's nonce")

	check := setCookieOf(b.resp, checkCookie)
	require.NotNil(t, check)
	assert.True(t, check.Secure && check.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, check.SameSite)
	assert.Equal(t, check.Value, b.hidden("check"))

	// A second page keeps the same check value, so both forms stay valid.
	first := check.Value
	b.get(motion.PathWebLogin)
	assert.Equal(t, first, b.hidden("check"))

	// The root sends to the login page; SSO buttons only when configured.
	b.get("/")
	assert.Equal(t, http.StatusSeeOther, b.status)
	assert.Equal(t, motion.PathWebLogin, b.loc)
	assert.NotContains(t, b.get(motion.PathWebLogin).body, "Log in with Google")
	cfg := DefaultConfig()
	cfg.SSOProviders = []string{"google", "activedirectory"}
	ts2 := startServer(t, Options{Config: cfg})
	page := newBrowser(t, ts2).get(motion.PathWebLogin).body
	assert.Contains(t, page, "Log in with Google")
	assert.Contains(t, page, "Log in with Active Directory")
}

func TestWebLoginToDesktop(t *testing.T) {
	ts := startServer(t, Options{})
	b := newBrowser(t, ts)
	b.get(motion.PathWebDesktop)
	require.Equal(t, http.StatusSeeOther, b.status)
	assert.Equal(t, motion.PathWebLogin, b.loc, "no session: to the login page")

	b.login("bruno", demoPassword(t, "bruno"))
	require.Equal(t, http.StatusSeeOther, b.status, b.body)
	assert.Equal(t, motion.PathWebDesktop, b.loc)
	tok := setCookieOf(b.resp, motion.TokenCookie)
	require.NotNil(t, tok)
	assert.True(t, tok.Secure, "Secure")
	assert.True(t, tok.HttpOnly, "HttpOnly")
	assert.Equal(t, http.SameSiteLaxMode, tok.SameSite)
	assert.Equal(t, "/", tok.Path)
	assert.Contains(t, b.resp.Header.Get("Set-Cookie")+strings.Join(b.resp.Header.Values("Set-Cookie"), ";"), "SameSite=Lax")

	b.get(motion.PathWebDesktop)
	require.Equal(t, http.StatusOK, b.status)
	assert.Equal(t, "Bruno Rossi", byID(t, b.body, "agent-fullname"))
	assert.Equal(t, "External phone", byID(t, b.body, "agent-typology"))
	assert.Contains(t, b.body, `data-typology="external"`)
	assert.Equal(t, "Connecting…", byID(t, b.body, "connection-state"))
	assert.Equal(t, "Connection lost — reconnecting…", byID(t, b.body, "connection-banner"))
	assert.Equal(t, "Phone: desk telephone", byID(t, b.body, "phone-owner"))
	assert.Equal(t, "Log out", byID(t, b.body, "logout"))
	assert.NotContains(t, b.body, `id="webrtc-bar"`)

	// The records prove the desktop was reached with the web-form session.
	sessions := ts.srv.Sessions()
	require.Len(t, sessions, 1)
	s := sessions[0]
	assert.Equal(t, SessionInfo{ID: s.ID, User: "bruno", Client: motion.ClientWeb, Via: ViaWebForm, CreatedAt: ts.clock.Now(),
		RemoteAddr: "127.0.0.1", UserAgent: "TestBrowser/1.0", Line: motion.LineInternal}, s)
	var desk []WebRequest
	for _, w := range ts.srv.WebRequests() {
		if w.Path == motion.PathWebDesktop {
			desk = append(desk, w)
		}
	}
	require.Len(t, desk, 2)
	assert.Equal(t, WebAuthNone, desk[0].Auth)
	assert.Equal(t, WebAuthOK, desk[1].Auth)
	assert.Equal(t, s.ID, desk[1].SessionID)
	assert.Equal(t, "bruno", desk[1].User)

	// The token cookie is also an API credential.
	status, _ := ts.call(t, http.MethodGet, motion.PathWhoami, nil, http.Header{"Cookie": {motion.TokenCookie + "=" + b.cookie(motion.TokenCookie)}})
	assert.Equal(t, http.StatusOK, status)

	// Logging out ends the session and says so on the login page.
	b.get("/logout")
	require.Equal(t, http.StatusSeeOther, b.status)
	assert.Equal(t, "/login?m=logout", b.loc)
	assert.Empty(t, b.cookie(motion.TokenCookie))
	b.get(b.loc)
	assert.Equal(t, "You logged out.", byID(t, b.body, "login-notice"))
	assert.Equal(t, EndLogout, ts.srv.Sessions()[0].EndReason)
}

func TestWebLoginErrors(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxLoginAttempts = 2
	ts := startServer(t, Options{Config: cfg})

	t.Run("wrong password shows the login again", func(t *testing.T) {
		b := newBrowser(t, ts).login("chloe", "Wrong-1")
		assert.Equal(t, http.StatusUnauthorized, b.status)
		assert.Contains(t, byID(t, b.body, "login-error"), "Wrong login name or password. 1 attempt left")
		assert.Contains(t, b.body, `value="chloe"`, "the username is kept")
		assert.Contains(t, b.body, `id="login-button"`)
		assert.Empty(t, b.cookie(motion.TokenCookie))
	})
	t.Run("lock after the limit", func(t *testing.T) {
		b := newBrowser(t, ts).login("chloe", "Wrong-2")
		assert.Equal(t, http.StatusLocked, b.status)
		assert.Contains(t, byID(t, b.body, "login-error"), "Account locked after 2 failed attempts: ask your administrator to unlock it, or wait 15 minutes.")
	})
	t.Run("no cookies", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.c.Jar = nil // a browser that refuses cookies
		b.get(motion.PathWebLogin)
		b.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {b.hidden("check")}, "username": {"bruno"}, "password": {demoPassword(t, "bruno")}})
		assert.Equal(t, http.StatusBadRequest, b.status)
		assert.Contains(t, byID(t, b.body, "login-error"), "Motion cannot work without cookies")
		assert.Regexp(t, `id="cookie-popup" role="alertdialog" aria-labelledby="cookie-title" >`, b.body, "the popup is shown (not hidden)")
		assert.Empty(t, ts.srv.Sessions(), "no session without cookies")
	})
	t.Run("forged form", func(t *testing.T) {
		b := newBrowser(t, ts)
		b.get(motion.PathWebLogin)
		b.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {"other"}, "username": {"bruno"}, "password": {demoPassword(t, "bruno")}})
		assert.Equal(t, http.StatusBadRequest, b.status)
		assert.Contains(t, byID(t, b.body, "login-error"), "expired")
	})
	t.Run("empty fields", func(t *testing.T) {
		b := newBrowser(t, ts).login("", "")
		assert.Equal(t, http.StatusBadRequest, b.status)
		assert.Contains(t, byID(t, b.body, "login-error"), "Type your username and password")
	})
	t.Run("odd name", func(t *testing.T) {
		b := newBrowser(t, ts).login("<script>", "x")
		assert.Equal(t, http.StatusUnauthorized, b.status)
		assert.NotContains(t, b.body, `value="<script>"`, "escaped")
		assert.Contains(t, b.body, `value="&lt;script&gt;"`)
	})
}

func TestWebSessionExistsAsksThenForces(t *testing.T) {
	ts := startServer(t, Options{})
	pw := demoPassword(t, "alice")
	first := newBrowser(t, ts).login("alice", pw)
	require.Equal(t, http.StatusSeeOther, first.status)

	// The Phonebar's own session does not conflict with the web one.
	ts.login(t, "alice", pw)

	second := newBrowser(t, ts).login("alice", pw)
	require.Equal(t, http.StatusConflict, second.status)
	assert.Contains(t, byID(t, second.body, "session-exists"), "already logged in")
	assert.Equal(t, "LOG IN HERE", byID(t, second.body, "force-button"))
	ticket := second.hidden("ticket")
	require.NotEmpty(t, ticket)
	assert.NotContains(t, second.body, pw, "the password is never echoed")

	second.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {second.hidden("check")}, "ticket": {ticket}})
	require.Equal(t, http.StatusSeeOther, second.status, second.body)
	assert.Equal(t, motion.PathWebDesktop, second.loc)

	first.get(motion.PathWebDesktop)
	assert.Equal(t, http.StatusSeeOther, first.status)
	assert.Equal(t, "/login?m=SESSION_EXISTS", first.loc)
	first.get(first.loc)
	assert.Contains(t, byID(t, first.body, "login-notice"), "someone logged in with your credentials")

	// A ticket works once.
	second.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {second.cookie(checkCookie)}, "ticket": {ticket}})
	assert.Equal(t, http.StatusBadRequest, second.status)

	var web, ended int
	for _, s := range ts.srv.Sessions() {
		if s.Client == motion.ClientWeb {
			web++
			if s.EndReason == motion.CodeSessionExists {
				ended++
			}
		}
	}
	assert.Equal(t, 2, web)
	assert.Equal(t, 1, ended)
}

func TestDesktopOnePhonePerAgent(t *testing.T) {
	ts := startServer(t, Options{})
	pw := demoPassword(t, "alice")

	b := newBrowser(t, ts).login("alice", pw)
	require.Equal(t, http.StatusSeeOther, b.status)
	b.get(motion.PathWebDesktop)
	assert.Equal(t, "Phone: this browser", byID(t, b.body, "phone-owner"))
	assert.Regexp(t, `<div class="rtcbar" id="webrtc-bar" data-sip-user="1001" data-sip-domain="127.0.0.1" data-sip-ws="wss://`+regexp.QuoteMeta(ts.ep.Addr.String())+`/ws" >`, b.body, "the WebRTC bar is shown")
	assert.Contains(t, byID(t, b.body, "webrtc-hint"), "would register 1001@127.0.0.1")
	assert.NotContains(t, b.body, "sip-Alice-1001", "no SIP password in the page")
	assert.Equal(t, "WebRTC", byID(t, b.body, "agent-typology"))
	b.get("/logout")

	// The Phonebar's signal: the cookie, set before the login.
	b = newBrowser(t, ts)
	b.setCookie(motion.PhoneOwnerCookie, "1")
	b.login("alice", pw)
	require.Equal(t, http.StatusSeeOther, b.status)
	b.get(motion.PathWebDesktop)
	assert.Equal(t, "Phone: Phonebar app", byID(t, b.body, "phone-owner"))
	assert.Regexp(t, `id="webrtc-bar"[^>]*hidden>`, b.body)
	assert.Contains(t, byID(t, b.body, "webrtc-hint"), "does not register 1001")
	sessions := ts.srv.Sessions()
	assert.False(t, sessions[0].PhonebarOwnsPhone)
	assert.True(t, sessions[1].PhonebarOwnsPhone)

	// The page also honours the flag and the event at run time.
	assert.Contains(t, b.body, `data-phone-flag="phonebarOwnsPhone"`)
	assert.Contains(t, b.body, `data-phone-event="phonebar:owns-phone"`)
	assert.Contains(t, b.body, `data-phone-cookie="phonebar-phone"`)

	// A phonebar agent's phone is the Phonebar app; an admin has none.
	b = newBrowser(t, ts).login("chloe", demoPassword(t, "chloe"))
	b.get(motion.PathWebDesktop)
	assert.Equal(t, "Phone: Phonebar app", byID(t, b.body, "phone-owner"))
	b = newBrowser(t, ts).login("admin", demoPassword(t, "admin"))
	b.get(motion.PathWebDesktop)
	assert.Equal(t, "Administrator", byID(t, b.body, "agent-role"))
	assert.Equal(t, "No phone (not an agent)", byID(t, b.body, "phone-owner"))
	assert.Equal(t, "Administration", byID(t, b.body, "admin-link"), "an admin reaches the admin page")
}

func TestDesktopNoticesAndPasswordChange(t *testing.T) {
	clock := newFakeClock()
	cfg := DefaultConfig()
	cfg.LicenseExpiresAt = clock.Now().Add(3 * 24 * 3600e9).Format("2006-01-02T15:04:05Z07:00")
	cfg.Users[1].PasswordChangedAt = clock.Now().Add(-85 * 24 * 3600e9).Format("2006-01-02T15:04:05Z07:00")
	cfg.Users[2].MustChangePassword = true
	ts := startServer(t, Options{Config: cfg, Now: clock.Now})

	b := newBrowser(t, ts).login("bruno", demoPassword(t, "bruno"))
	b.get(motion.PathWebDesktop)
	assert.Equal(t, "Your password expires in 5 days: change it soon.", byID(t, b.body, "password-expiry"))
	assert.Contains(t, byID(t, b.body, "license-notice"), "1 December 2026 (3 days left)")

	b = newBrowser(t, ts).login("chloe", demoPassword(t, "chloe"))
	b.get(motion.PathWebDesktop)
	assert.Contains(t, b.body, `id="change-password"`)
	assert.NotContains(t, b.body, `id="agent-fullname"`, "nothing else before the change")
	b.do(http.MethodPost, "/password", url.Values{"oldPassword": {demoPassword(t, "chloe")}, "newPassword": {"weak"}})
	assert.Equal(t, http.StatusUnprocessableEntity, b.status)
	assert.Contains(t, byID(t, b.body, "password-error"), "an uppercase letter")
	b.do(http.MethodPost, "/password", url.Values{"oldPassword": {demoPassword(t, "chloe")}, "newPassword": {"Brand-New-2027"}})
	require.Equal(t, http.StatusSeeOther, b.status, b.body)
	b.get(motion.PathWebDesktop)
	assert.Equal(t, "Chloé Dubois", byID(t, b.body, "agent-fullname"))
}

func TestForgotPasswordPage(t *testing.T) {
	ts := startServer(t, Options{})
	b := newBrowser(t, ts).get("/forgot-password")
	require.Equal(t, http.StatusOK, b.status)
	assert.Contains(t, b.body, `name="email"`)
	b.do(http.MethodPost, "/forgot-password", url.Values{"email": {"nobody@example.com"}})
	assert.Equal(t, http.StatusOK, b.status)
	assert.Contains(t, byID(t, b.body, "forgot-notice"), "valid for one hour")
	b.do(http.MethodPost, "/forgot-password", url.Values{"email": {"nope"}})
	assert.Equal(t, http.StatusBadRequest, b.status)
	assert.Contains(t, byID(t, b.body, "forgot-error"), "email address")
}
