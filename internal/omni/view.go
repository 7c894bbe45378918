package omni

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
)

// This file is the Omni Desktop window's hand-off, decided in Go: which cookies the web view gets,
// where it goes, and whether (form fallback) the login form is filled. The platform code reports the
// URL each load committed (a same-document history change commits nothing, so a page cannot
// pretend to be the login page), and every decision reads state kept here, never page state.

// Cookie is one cookie given to the window's web view before a page loads. It is always Secure and a
// session cookie (gone when the window process ends, and cleared at logout).
type Cookie struct {
	Name, Value string
	// Host is the host the cookie is sent to (host only, no subdomains, any port).
	Host string
	Path string
	// HTTPOnly hides the cookie from page scripts (document.cookie).
	HTTPOnly bool
	// SameSite is "lax", "strict" or "none".
	SameSite string
}

// WebView is the window's web view as the platform code drives it. Every method may be called from
// any goroutine; callbacks may arrive on any goroutine.
type WebView interface {
	// SetCookie stores c and calls done once the web view's cookie store holds it.
	SetCookie(c Cookie, done func(error))
	// Load navigates the main frame to url.
	Load(url string)
	// RunIsolated runs script in the main frame's document in a script world of its own: the
	// page's scripts share the DOM with it but not their JavaScript objects (prototypes, globals).
	RunIsolated(script string)
	// ClearData deletes every site's cookies, local and session storage, IndexedDB, service
	// workers and caches, then calls done.
	ClearData(done func(error))
}

// Sessions logs the Omni Desktop's web session in and out over REST.
type Sessions interface {
	// Login logs in as a web client and returns the session token; force ends another web
	// session of the same user (Motion forbids two).
	Login(ctx context.Context, force bool) (token string, err error)
	// Logout ends the session of token.
	Logout(ctx context.Context, token string) error
}

// Local pages of the window, on its own (app) origin: the page's scripts cannot reach them.
const (
	LocalOpening  = "/"
	LocalConflict = "/conflict"
	LocalFailed   = "/failed"
	// LocalForce answers "yes, end the other session" from LocalConflict; it must carry the
	// controller's nonce as QueryNonce.
	LocalForce = "/force"
	QueryNonce = "n"
)

// LocalPage is what the window shows on its own origin.
type LocalPage struct {
	Text string
	// Action, when set, is a local link (with its label) the page offers; Alt a second one.
	Action, ActionLabel string
	Alt, AltLabel       string
}

// Controller runs one window's hand-off. Make it with NewController, give it the web view with
// Start, and feed it the platform's load events.
type Controller struct {
	// Describe writes the sentence the agent reads for an error (internal/problem in the window
	// process); nil uses the error's own text.
	Describe func(error) string

	h        Handoff
	f        Form
	sessions Sessions
	log      logrus.FieldLogger
	local    string // the window's own origin

	mu       sync.Mutex
	view     WebView
	token    string // the web session logged in here (HandoffSession)
	filled   bool   // the form was filled once (HandoffForm): never again in this window
	armed    int    // load number whose commit was the login page, not yet filled; 0: none
	loads    int    // committed loads so far
	current  string // URL of the last committed load
	nonce    string // for LocalForce
	page     LocalPage
	starting bool // a login is under way
	// showingPage: a page of ShowPage is shown in place of the Omni Desktop.
	showingPage bool
}

// NewController returns the controller of h. sessions is used only for config.HandoffSession;
// localOrigin is the origin of the window's own pages ("wails://wails" in WebKitGTK).
func NewController(h Handoff, sessions Sessions, localOrigin string, log logrus.FieldLogger) *Controller {
	if log == nil {
		log = logrus.StandardLogger()
	}
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return &Controller{
		h: h, f: withDefaults(h.Form), sessions: sessions, log: log, local: strings.TrimSuffix(localOrigin, "/"),
		nonce: base64.RawURLEncoding.EncodeToString(b),
		page:  LocalPage{Text: "Opening the Omni Desktop…"},
	}
}

// Mode returns config.HandoffSession or config.HandoffForm (always HandoffSession for a sign-in
// code: the code is a session hand-off of its own).
func (c *Controller) Mode() string {
	if c.h.SignInCode != "" {
		return config.HandoffSession
	}
	return c.f.Handoff
}

// Start gives the controller its web view and starts the hand-off. It may block on the network
// (the REST login): call it off the UI thread.
func (c *Controller) Start(ctx context.Context, v WebView) {
	c.mu.Lock()
	c.view = v
	c.mu.Unlock()
	switch {
	case c.h.SignInCode != "":
		// A provider sign-in: the one-time code logs this window in at the server's callback.
		c.withPhoneCookie(func() {
			v.Load(strings.TrimSuffix(c.h.Origin, "/") + motion.PathSSOCallback + "?" + motion.QueryCode + "=" + url.QueryEscape(c.h.SignInCode))
		})
	case c.f.Handoff == config.HandoffForm:
		c.withPhoneCookie(func() { v.Load(c.h.LoginURL()) })
	default:
		c.loginAndLoad(ctx, false)
	}
}

// withPhoneCookie gives the web view the one-phone-per-agent cookie (not a secret: the page's own
// scripts read it) when the Phonebar owns the phone, then calls next.
func (c *Controller) withPhoneCookie(next func()) {
	if !c.h.PhonebarOwnsPhone {
		next()
		return
	}
	c.view.SetCookie(Cookie{Name: motion.PhoneOwnerCookie, Value: "1", Host: hostOnly(c.h.Host()), Path: "/", SameSite: "strict"}, func(err error) {
		if err != nil {
			c.log.WithError(err).Warn("omni: the one-phone-per-agent cookie was not stored")
		}
		next()
	})
}

// loginAndLoad logs the web session in over REST, gives it to the web view as its session cookie,
// then loads the Omni Desktop. A login refused because the agent is logged in elsewhere shows the
// question page; any other failure the failure page.
func (c *Controller) loginAndLoad(ctx context.Context, force bool) {
	c.mu.Lock()
	if c.starting {
		c.mu.Unlock()
		return
	}
	c.starting = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.starting = false
		c.mu.Unlock()
	}()
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	start := time.Now()
	token, err := c.sessions.Login(lctx, force)
	if err != nil {
		c.loginFailed(err)
		return
	}
	c.log.WithField("ms", time.Since(start).Milliseconds()).Info("omni: web session logged in over REST")
	old := c.swapToken(token)
	if old != "" {
		go c.logoutToken(old)
	}
	sc := c.f.SessionCookie
	cookie := Cookie{
		Name: sc.Name, Value: token, Host: hostOnly(c.h.Host()), Path: sc.Path,
		HTTPOnly: !sc.ScriptReadable, SameSite: strings.ToLower(sc.SameSite),
	}
	c.view.SetCookie(cookie, func(err error) {
		if err != nil {
			c.loginFailed(fmt.Errorf("the web view refused the session cookie: %w", err))
			return
		}
		c.withPhoneCookie(func() { c.view.Load(c.AppURL()) })
	})
}

func (c *Controller) swapToken(t string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.token
	c.token = t
	return old
}

func (c *Controller) logoutToken(tok string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.sessions.Logout(ctx, tok); err != nil {
		c.log.WithError(err).Warn("omni: the web session could not be logged out")
	}
}

// loginFailed shows why the web session could not be logged in.
func (c *Controller) loginFailed(err error) {
	c.mu.Lock()
	switch {
	case errors.Is(err, motion.ErrSessionExists):
		c.page = LocalPage{
			Text:   "You are already logged in to the Omni Desktop elsewhere (another browser or computer). Log in here and end that session?",
			Action: LocalForce + "?" + QueryNonce + "=" + url.QueryEscape(c.nonce), ActionLabel: "Log in here",
		}
		c.mu.Unlock()
		c.log.Info("omni: the agent is logged in to the Omni Desktop elsewhere: asking")
		c.view.Load(c.local + LocalConflict)
		return
	default:
		why := err.Error()
		if c.Describe != nil {
			why = strings.TrimSuffix(c.Describe(err), ".")
		}
		c.page = LocalPage{
			Text: "The Omni Desktop could not log you in: " + why +
				". You can log in on the Omni Desktop's own page instead.",
			Action: c.h.LoginURL(), ActionLabel: "Open the login page",
		}
	}
	c.mu.Unlock()
	c.log.WithError(err).Warn("omni: the web session could not be logged in")
	c.view.Load(c.local + LocalFailed)
}

// Page returns what the window's own page at path shows. path LocalForce with the right nonce
// starts the forced login (the agent answered "log in here") and returns the opening page.
func (c *Controller) Page(ctx context.Context, path string, query url.Values) LocalPage {
	if path == LocalForce {
		c.mu.Lock()
		ok := subtle.ConstantTimeCompare([]byte(query.Get(QueryNonce)), []byte(c.nonce)) == 1 && c.Mode() == config.HandoffSession && c.h.SignInCode == ""
		if ok {
			c.page = LocalPage{Text: "Opening the Omni Desktop…"}
		}
		c.mu.Unlock()
		if !ok {
			return LocalPage{Text: "This question did not come from this window."}
		}
		go c.loginAndLoad(ctx, true)
		return LocalPage{Text: "Opening the Omni Desktop…"}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.page
}

// AppURL is where the window goes once it holds the web session.
func (c *Controller) AppURL() string {
	return strings.TrimSuffix(c.h.Origin, "/") + c.f.AppPath
}

// Committed is told the URL of each load the main frame committed (a new document), in order.
func (c *Controller) Committed(uri string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loads++
	c.current = uri
	c.armed = 0
	if c.Mode() == config.HandoffForm && !c.filled && c.isLoginPage(uri) {
		c.armed = c.loads
	}
}

// Finished is told when the main frame's current load finished. On the login page, committed as
// such and not left since, it fills the form once per window (HandoffForm), from a script world the
// page cannot reach.
func (c *Controller) Finished() {
	c.mu.Lock()
	fill := c.armed != 0 && c.armed == c.loads && !c.filled
	if fill {
		c.filled = true
		c.armed = 0
	}
	v := c.view
	c.mu.Unlock()
	if fill && v != nil {
		c.log.Info("omni: filling the login form once, from the Phonebar's own script world")
		v.RunIsolated(FillScript(c.h))
	}
}

// Current returns the URL of the last committed load.
func (c *Controller) Current() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current
}

// OnOrigin reports whether uri is a page of the handoff's origin.
func (c *Controller) OnOrigin(uri string) bool {
	u, err := url.Parse(uri)
	return err == nil && u.Scheme == "https" && sameHost(u.Host, c.h.Host())
}

// isLoginPage reports whether uri is the login page of the handoff's origin (any query).
func (c *Controller) isLoginPage(uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "https" || !sameHost(u.Host, c.h.Host()) || u.User != nil {
		return false
	}
	p := u.EscapedPath()
	return p == c.f.LoginPath || p == c.f.LoginPath+"/"
}

// Logout ends the web session the window logged in (REST) and clears every cookie, storage and
// cache of the web view, waiting at most until ctx ends.
func (c *Controller) Logout(ctx context.Context) {
	tok := c.swapToken("")
	if tok != "" {
		lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		if err := c.sessions.Logout(lctx, tok); err != nil {
			c.log.WithError(err).Warn("omni: the web session could not be logged out")
		}
		cancel()
	}
	c.mu.Lock()
	v := c.view
	c.mu.Unlock()
	if v == nil {
		return
	}
	done := make(chan error, 1)
	v.ClearData(func(err error) { done <- err })
	select {
	case err := <-done:
		if err != nil {
			c.log.WithError(err).Warn("omni: the window's web data could not be cleared")
		} else {
			c.log.Info("omni: the window's cookies, storage and cache are cleared")
		}
	case <-ctx.Done():
		c.log.Warn("omni: clearing the window's web data took too long")
	}
}

// sameHost compares host[:port] values, ignoring case and the default https port.
func sameHost(a, b string) bool {
	norm := func(h string) string { return strings.TrimSuffix(strings.ToLower(h), ":443") }
	return norm(a) == norm(b)
}

// hostOnly drops the port of host[:port] (cookies are per host, not per port) and IPv6 brackets.
func hostOnly(hostport string) string {
	u := url.URL{Host: hostport}
	return u.Hostname()
}

// Unsupported shows, when the platform's web view code is missing, why nothing was handed over and
// offers the server's login page (the agent types the password there).
func (c *Controller) Unsupported(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.page = LocalPage{
		Text:   "The Phonebar cannot log the Omni Desktop in on this system (" + err.Error() + "). Log in on its own page.",
		Action: c.h.LoginURL(), ActionLabel: "Open the login page",
	}
}
