package omni

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
)

// fakeView records what the controller asks of the web view, in order.
type fakeView struct {
	mu      sync.Mutex
	cookies []Cookie
	loads   []string
	scripts []string
	cleared int
}

func (v *fakeView) SetCookie(c Cookie, done func(error)) {
	v.mu.Lock()
	v.cookies = append(v.cookies, c)
	v.mu.Unlock()
	done(nil)
}

func (v *fakeView) Load(u string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.loads = append(v.loads, u)
}

func (v *fakeView) RunIsolated(s string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.scripts = append(v.scripts, s)
}

func (v *fakeView) ClearData(done func(error)) {
	v.mu.Lock()
	v.cleared++
	v.mu.Unlock()
	done(nil)
}

// fakeSessions is a REST login that answers err (nil: a token) and records the calls.
type fakeSessions struct {
	mu      sync.Mutex
	err     error
	logins  []bool // force of each login
	logouts []string
}

func (s *fakeSessions) Login(_ context.Context, force bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logins = append(s.logins, force)
	if s.err != nil && !force {
		return "", s.err
	}
	return "tok-" + strings.Repeat("x", len(s.logins)), nil
}

func (s *fakeSessions) Logout(_ context.Context, tok string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logouts = append(s.logouts, tok)
	return nil
}

const (
	origin  = "https://motion.example.com:8443"
	timeout = 5 * time.Second
	tick    = 10 * time.Millisecond
)

func handoff(mode string) Handoff {
	return Handoff{Origin: origin, Username: "chloe", Password: "Pw-secret-1", Form: Form{Handoff: mode}}
}

func TestSessionHandoffPutsNoPasswordInThePage(t *testing.T) {
	v, s := &fakeView{}, &fakeSessions{}
	c := NewController(handoff(config.HandoffSession), s, "wails://wails", nil)
	c.Start(context.Background(), v)

	assert.Equal(t, []bool{false}, s.logins)
	require.Len(t, v.cookies, 1)
	assert.Equal(t, Cookie{Name: "token", Value: "tok-x", Host: "motion.example.com", Path: "/", HTTPOnly: true, SameSite: "lax"}, v.cookies[0])
	assert.Equal(t, []string{origin + "/"}, v.loads, "the app loads after the cookie is stored")

	// Whatever the page does, nothing is ever run in it: not even on the login page.
	for _, u := range []string{origin + "/", origin + "/login", origin + "/login?m=logout"} {
		c.Committed(u)
		c.Finished()
	}
	assert.Empty(t, v.scripts)

	c.Logout(context.Background())
	assert.Equal(t, []string{"tok-x"}, s.logouts, "the web session is logged out over REST")
	assert.Equal(t, 1, v.cleared, "cookies, storage and caches are cleared")
}

func TestSessionHandoffSettingsNameTheCookie(t *testing.T) {
	h := handoff(config.HandoffSession)
	h.Form.AppPath = "/v3/"
	h.Form.SessionCookie = config.SessionCookie{Name: "__Host-motion", SameSite: "Strict", ScriptReadable: true}
	h.PhonebarOwnsPhone = true
	v := &fakeView{}
	NewController(h, &fakeSessions{}, "wails://wails", nil).Start(context.Background(), v)
	require.Len(t, v.cookies, 2)
	assert.Equal(t, Cookie{Name: "__Host-motion", Value: "tok-x", Host: "motion.example.com", Path: "/", HTTPOnly: false, SameSite: "strict"}, v.cookies[0])
	assert.Equal(t, Cookie{Name: motion.PhoneOwnerCookie, Value: "1", Host: "motion.example.com", Path: "/", SameSite: "strict"}, v.cookies[1],
		"the one-phone-per-agent signal is a cookie too")
	assert.Equal(t, []string{origin + "/v3/"}, v.loads)
}

func TestSessionHandoffAsksBeforeEndingAnotherSession(t *testing.T) {
	v, s := &fakeView{}, &fakeSessions{err: &motion.APIError{Status: 409, Code: motion.CodeSessionExists, Message: "already"}}
	c := NewController(handoff(config.HandoffSession), s, "wails://wails", nil)
	c.Start(context.Background(), v)
	assert.Equal(t, []string{"wails://wails" + LocalConflict}, v.loads)
	assert.Empty(t, v.cookies)

	page := c.Page(context.Background(), LocalConflict, nil)
	assert.Contains(t, page.Text, "already logged in")
	require.True(t, strings.HasPrefix(page.Action, LocalForce+"?"))

	// A forged answer (no nonce, or another one) logs nothing in.
	for _, q := range []url.Values{nil, {QueryNonce: {"guess"}}} {
		assert.Contains(t, c.Page(context.Background(), LocalForce, q).Text, "did not come from this window")
	}
	assert.Equal(t, []bool{false}, s.logins)
	assert.Equal(t, page, c.Page(context.Background(), LocalConflict, nil), "a forged answer leaves the question in place")

	u, err := url.Parse(page.Action)
	require.NoError(t, err)
	c.Page(context.Background(), LocalForce, u.Query())
	require.Eventually(t, func() bool {
		v.mu.Lock()
		defer v.mu.Unlock()
		return len(v.loads) == 2
	}, timeout, tick)
	assert.Equal(t, []bool{false, true}, s.logins, "the agent's answer forces the login")
	assert.Equal(t, origin+"/", v.loads[1])
}

func TestSessionHandoffFailureOffersTheLoginPage(t *testing.T) {
	v := &fakeView{}
	c := NewController(handoff(config.HandoffSession), &fakeSessions{err: &motion.APIError{Status: 401, Code: motion.CodeInvalidCredentials}}, "wails://wails", nil)
	c.Describe = func(err error) string {
		if errors.Is(err, motion.ErrInvalidCredentials) {
			return "Wrong username or password."
		}
		return "?"
	}
	c.Start(context.Background(), v)
	assert.Equal(t, []string{"wails://wails" + LocalFailed}, v.loads)
	p := c.Page(context.Background(), LocalFailed, nil)
	assert.Contains(t, p.Text, "could not log you in: Wrong username or password. You can log in", "the sentence Describe writes")
	assert.Equal(t, origin+"/login", p.Action)
	assert.NotContains(t, p.Text, "Pw-secret-1")
}

// TestFormHandoffDecidesFromCommittedLoads: the fill runs once, only when the last committed load
// is the login page of the origin; page state (history changes, storage) is never consulted.
func TestFormHandoffDecidesFromCommittedLoads(t *testing.T) {
	tests := []struct {
		name  string
		steps []string // committed URLs, each followed by a finished load; "-" is a finish without a commit
		fills int
	}{
		{"the login page", []string{origin + "/login"}, 1},
		{"the login page with a query and a trailing slash", []string{origin + "/login/?m=logout"}, 1},
		{"once per window", []string{origin + "/login", origin + "/desktop", origin + "/login"}, 1},
		{"another page of the origin", []string{origin + "/uploads/x.html"}, 0},
		{"another page that replaceStates to the login path commits nothing", []string{origin + "/uploads/x.html", "-", "-"}, 0},
		{"another origin's login page", []string{"https://evil.example.com:8443/login"}, 0},
		{"another port of the same host", []string{"https://motion.example.com:9443/login"}, 0},
		{"plain http", []string{"http://motion.example.com:8443/login"}, 0},
		{"user info", []string{"https://x@motion.example.com:8443/login"}, 0},
		{"the window's own page", []string{"wails://wails/login"}, 0},
		{"a path that only starts like it", []string{origin + "/login2", origin + "/loginx/"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &fakeView{}
			s := &fakeSessions{}
			c := NewController(handoff(config.HandoffForm), s, "wails://wails", nil)
			c.Start(context.Background(), v)
			assert.Equal(t, []string{origin + "/login"}, v.loads)
			for _, u := range tt.steps {
				if u != "-" {
					c.Committed(u)
				}
				c.Finished()
			}
			assert.Len(t, v.scripts, tt.fills)
			assert.Empty(t, s.logins, "the form fallback logs nothing in over REST")
			for _, sc := range v.scripts {
				assert.Equal(t, FillScript(handoff(config.HandoffForm)), sc)
			}
		})
	}
}

func TestFormHandoffNeedsTheFinishOfTheSameLoad(t *testing.T) {
	v := &fakeView{}
	c := NewController(handoff(config.HandoffForm), &fakeSessions{}, "wails://wails", nil)
	c.Start(context.Background(), v)
	c.Committed(origin + "/login")
	c.Committed(origin + "/uploads/x.html") // left before the login page finished loading
	c.Finished()
	assert.Empty(t, v.scripts)
}

func TestSignInCodeOpensTheCallback(t *testing.T) {
	v, s := &fakeView{}, &fakeSessions{}
	h := Handoff{Origin: origin, Username: "sam", SignInCode: "c0de&x=1"}
	c := NewController(h, s, "wails://wails", nil)
	c.Start(context.Background(), v)
	assert.Equal(t, []string{origin + "/sso/callback?code=c0de%26x%3D1"}, v.loads)
	c.Committed(origin + "/login")
	c.Finished()
	assert.Empty(t, v.scripts)
	assert.Empty(t, s.logins)
}
