package omni

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/config"
)

// Window is what the window processes need of their native window: app/ implements it over the
// Wails runtime, tests with a recorder. Every method may be called from any goroutine.
type Window interface {
	// ExecJS runs script in the page's JavaScript world.
	ExecJS(script string)
	// Show brings the window to the front (shown and not minimised).
	Show()
	Hide()
	// Reload loads the window's own first page again.
	Reload()
	// Quit closes the window and ends the process's window loop.
	Quit()
}

//go:embed omniwindow.html
var omniPageText string

// omniPage is the Omni Desktop window's own page (the app origin): "opening", a question, or why it
// failed.
var omniPage = template.Must(template.New("omni").Parse(omniPageText))

// signInPage is the sign-in window's own page: the placeholder before the provider's page loads,
// and the last page once the code is back.
var signInPage = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
  html, body { height: 100%; margin: 0; font-family: "Segoe UI", system-ui, "DejaVu Sans", sans-serif; background: #f4f6f9; color: #18202b; }
  body { display: grid; place-items: center; }
  p { font-size: 15px; color: #5b6675; }
</style></head>
<body><p>{{.Text}}</p></body></html>`))

// ownPage writes one of a window's own pages, never cached.
func ownPage(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = t.Execute(w, data)
}

// quitDelay is how long the sign-in window shows its last page before it closes.
const quitDelay = 300 * time.Millisecond

// SignInWindow is the single sign-on window process (the sso-window subcommand) without its
// toolkit. It reads a SignIn from in, shows the provider's sign-in page of the server, and once the
// sign-in ends at the server's callback writes the code to out and closes. Closing in (the Phonebar
// gave up) or the window (the agent did) ends it without a code.
type SignInWindow struct {
	req    SignIn
	in     io.Reader
	out    io.Writer
	log    logrus.FieldLogger
	script string
	loads  atomic.Bool // the first page was sent on to the provider
	win    chan Window // the window, once started
	mu     sync.Mutex
	done   bool
}

// NewSignInWindow reads the sign-in request from in.
func NewSignInWindow(in io.Reader, out io.Writer, log logrus.FieldLogger) (*SignInWindow, error) {
	req, err := ReadSignIn(in)
	if err != nil {
		return nil, err
	}
	return &SignInWindow{req: req, in: in, out: out, log: log, script: SignInScript(req, AppOrigin), win: make(chan Window, 1)}, nil
}

// Title is the window's title.
func (s *SignInWindow) Title() string {
	if s.req.Title == "" {
		return "Sign in"
	}
	return s.req.Title
}

// Trust makes the window's web view accept the server's pinned certificate.
func (s *SignInWindow) Trust() error { return s.req.Trust() }

// Started is called once the window exists: it closes the window when the Phonebar closes the pipe
// (it stopped waiting).
func (s *SignInWindow) Started(win Window) {
	s.win <- win
	go func() {
		_, _ = io.Copy(io.Discard, s.in)
		win.Quit()
	}()
}

// DOMReady is called at every page load: the first (the window's own placeholder) goes on to the
// provider, every later one runs the script that watches for the callback.
func (s *SignInWindow) DOMReady(win Window) {
	s.log.Info("sign-in window: page loaded") // what the window tests wait for before typing
	if !s.loads.Swap(true) {
		win.ExecJS(fmt.Sprintf("window.location.replace(%q)", s.req.AuthorizeURL()))
		return
	}
	win.ExecJS(s.script)
}

// ServeHTTP serves the window's own origin: the placeholder, and the callback page that takes the
// code (once, and only with this sign-in's state) and closes the window.
func (s *SignInWindow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	page := func(text string) { ownPage(w, signInPage, struct{ Title, Text string }{s.Title(), text}) }
	if r.URL.Path != SignInDonePath {
		page("Opening the sign-in page…")
		return
	}
	q := r.URL.Query()
	code, state := q.Get("code"), q.Get("state")
	if !s.req.Check(code, state) {
		s.log.Warn("sign-in: the callback did not carry this sign-in's state; ignored")
		page("This sign-in did not start here. Close this window and sign in again from the Phonebar.")
		return
	}
	s.mu.Lock()
	first := !s.done
	s.done = true
	s.mu.Unlock()
	if first {
		if err := WriteSignInResult(s.out, SignInResult{Code: code, State: state}); err != nil {
			s.log.WithError(err).Warn("sign-in: the Phonebar is gone")
		}
	}
	page("Signed in. Going back to the Phonebar…")
	go func() {
		win := <-s.win
		s.win <- win
		time.Sleep(quitDelay)
		win.Quit()
	}()
}

// logoutWait is how long the page's own logout gets before the web view's data is cleared.
const logoutWait = 400 * time.Millisecond

// OmniWindow is the Omni Desktop window process (the omni-window subcommand) without its toolkit.
// It reads the handoff from the pipe; a Controller, fed the web view's committed loads, hands the
// login over. It ends when the Phonebar closes the pipe or asks it to close, or the agent closes the
// window: the web session is logged out and the web view's cookies, storage and caches cleared
// first.
type OmniWindow struct {
	rx  *Receiver
	h   Handoff
	ctl *Controller
	log logrus.FieldLogger

	mu      sync.Mutex
	ctx     context.Context // the window's, once started
	leaving bool
}

// NewOmniWindow reads the handoff from pipe. describe writes the sentence the agent reads for an
// error (Controller.Describe).
func NewOmniWindow(pipe io.Reader, log logrus.FieldLogger, describe func(error) string) (*OmniWindow, error) {
	rx := NewReceiver(pipe)
	h, err := rx.Handoff()
	if err != nil {
		return nil, err
	}
	ctl := NewController(h, RESTSessions(h, log), AppOrigin, log)
	ctl.Describe = describe
	return &OmniWindow{rx: rx, h: h, ctl: ctl, log: log, ctx: context.Background()}, nil
}

// Title is the window's title.
func (o *OmniWindow) Title() string {
	if o.h.Title == "" {
		return "Omni Desktop"
	}
	return o.h.Title
}

// Trust makes the window's web view accept the server's pinned certificate.
func (o *OmniWindow) Trust() error { return TrustPinned(o.h) }

// Geometry is where the window opens: beside the bar when the hand-off says where the bar is and
// the screen has the room (ok), else at the default size where the system puts it.
func (o *OmniWindow) Geometry() (r Rect, ok bool) {
	if o.h.Beside != nil {
		if r, ok := o.h.Beside.Beside(); ok {
			return r, true
		}
	}
	return Rect{W: WindowWidth, H: WindowHeight}, false
}

// mover is a window that can be moved (the Wails window; test recorders may not).
type mover interface{ SetPosition(x, y int) }

// ServeHTTP serves the window's own origin: the Controller's local pages.
func (o *OmniWindow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	ctx := o.ctx
	o.mu.Unlock()
	ownPage(w, omniPage, o.ctl.Page(ctx, r.URL.Path, r.URL.Query()))
}

// Started is called once the window exists, with the window's context: it attaches the web view
// (attach, AttachWebView in the process) and starts the hand-off, and follows the Phonebar's
// commands on the pipe until it closes.
func (o *OmniWindow) Started(ctx context.Context, win Window, attach func(*Controller) (WebView, error)) {
	o.mu.Lock()
	o.ctx = ctx
	o.mu.Unlock()
	if r, ok := o.Geometry(); ok {
		if m, can := win.(mover); can {
			m.SetPosition(r.X, r.Y)
		}
	}
	go func() {
		v, err := attach(o.ctl)
		if err != nil {
			o.log.WithError(err).Error("omni: no login hand-off in this window")
			o.ctl.Unsupported(err)
			win.Reload()
			return
		}
		o.ctl.Start(ctx, v)
	}()
	go func() {
		for {
			c, err := o.rx.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					o.log.WithError(err).Warn("omni: pipe to the Phonebar broken")
				}
				o.leave(ctx, win)
				return
			}
			switch c.Op {
			case OpShow:
				o.ctl.BackFromPage()
				win.Show()
			case OpShowPage:
				if o.ctl.ShowPage(c.URL) {
					win.Show()
				}
			case OpClose:
				o.leave(ctx, win)
				return
			}
		}
	}()
}

// BeforeClose is called when the agent closes the window: it says whether to keep it open for now
// (true the first time: the window logs out and clears its data first, then closes itself).
func (o *OmniWindow) BeforeClose(ctx context.Context, win Window) bool {
	o.mu.Lock()
	done := o.leaving
	o.mu.Unlock()
	if done {
		return false
	}
	go o.leave(ctx, win)
	return true
}

// leave ends the web session, clears the web view's data, then closes the window; once.
func (o *OmniWindow) leave(ctx context.Context, win Window) {
	o.mu.Lock()
	already := o.leaving
	o.leaving = true
	o.mu.Unlock()
	if already {
		return
	}
	win.Hide()
	if o.ctl.Mode() == config.HandoffForm && o.ctl.OnOrigin(o.ctl.Current()) {
		// A session the window did not log in itself: the page's cookie ends it.
		win.ExecJS(LogoutScript(o.h))
		time.Sleep(logoutWait)
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	o.ctl.Logout(lctx)
	cancel()
	win.Quit()
}
