package omni

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
)

// fakeWindow records what a window process asks of its native window, in order.
type fakeWindow struct {
	mu    sync.Mutex
	calls []string
}

func (w *fakeWindow) record(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, s)
}

func (w *fakeWindow) ExecJS(script string) { w.record("js:" + script) }
func (w *fakeWindow) Show()                { w.record("show") }
func (w *fakeWindow) Hide()                { w.record("hide") }
func (w *fakeWindow) Reload()              { w.record("reload") }
func (w *fakeWindow) Quit()                { w.record("quit") }

func (w *fakeWindow) got() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.calls...)
}

func (w *fakeWindow) count(s string) int {
	n := 0
	for _, c := range w.got() {
		if c == s {
			n++
		}
	}
	return n
}

func quietLog() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// syncBuffer is an io.Writer safe for the window's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	sb strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.String()
}

func signInWindow(t *testing.T) (*SignInWindow, *io.PipeWriter, *syncBuffer, SignIn) {
	t.Helper()
	req := SignIn{Origin: origin, Provider: motion.ProviderGoogle, State: NewState(), Title: "Sign in with Google"}
	pr, pw := io.Pipe()
	t.Cleanup(func() { _ = pw.Close() })
	go func() { require.NoError(t, (sender{pw}).send(req)) }()
	out := &syncBuffer{}
	w, err := NewSignInWindow(pr, out, quietLog())
	require.NoError(t, err)
	return w, pw, out, req
}

// TestSignInWindowTakesTheCodeOnce: the placeholder goes on to the provider, the callback page takes
// the code only with this sign-in's state, writes it once, and closes the window.
func TestSignInWindowTakesTheCodeOnce(t *testing.T) {
	w, _, out, req := signInWindow(t)
	win := &fakeWindow{}
	assert.Equal(t, "Sign in with Google", w.Title())
	w.Started(win)

	page := func(path string) string {
		rec := httptest.NewRecorder()
		w.ServeHTTP(rec, httptest.NewRequest("GET", "wails://wails"+path, nil))
		assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
		return rec.Body.String()
	}
	assert.Contains(t, page("/"), "Opening the sign-in page")

	w.DOMReady(win)
	w.DOMReady(win)
	calls := win.got()
	require.Len(t, calls, 2)
	assert.Equal(t, `js:window.location.replace("`+req.AuthorizeURL()+`")`, calls[0], "the first load goes to the provider")
	assert.Equal(t, "js:"+SignInScript(req, AppOrigin), calls[1], "later loads watch for the callback")

	assert.Contains(t, page(SignInDonePath+"?code=c0de&state=forged"), "did not start here")
	assert.Empty(t, out.String(), "a callback with another state gives nothing")
	assert.Zero(t, win.count("quit"))

	assert.Contains(t, page(SignInDonePath+"?code=c0de&state="+req.State), "Signed in")
	assert.Contains(t, page(SignInDonePath+"?code=other&state="+req.State), "Signed in")
	assert.Equal(t, `{"phonebarSignIn":{"code":"c0de","state":"`+req.State+`"}}`+"\n", out.String(), "one answer, the first")
	require.Eventually(t, func() bool { return win.count("quit") >= 1 }, timeout, tick, "the window closes itself")
}

// TestSignInWindowClosesWhenThePhonebarGivesUp: closing the pipe closes the window, without a code.
func TestSignInWindowClosesWhenThePhonebarGivesUp(t *testing.T) {
	w, pw, out, _ := signInWindow(t)
	win := &fakeWindow{}
	w.Started(win)
	require.NoError(t, pw.Close())
	require.Eventually(t, func() bool { return win.count("quit") == 1 }, timeout, tick)
	assert.Empty(t, out.String())
}

// omniWindow starts an Omni Desktop window process on a form hand-off over a fake web view; the
// returned writer is the Phonebar's end of the pipe.
func omniWindow(t *testing.T, attachErr error) (*OmniWindow, *fakeWindow, *fakeView, *io.PipeWriter) {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { _ = pw.Close() })
	go func() { _ = (sender{pw}).send(handoff(config.HandoffForm)) }()
	o, err := NewOmniWindow(pr, quietLog(), nil)
	require.NoError(t, err)
	win, view := &fakeWindow{}, &fakeView{}
	o.Started(context.Background(), win, func(*Controller) (WebView, error) { return view, attachErr })
	return o, win, view, pw
}

// TestOmniWindowFollowsThePhonebar: "show" brings the window up; "close" logs the page's session
// out, clears the web view's data and quits, once.
func TestOmniWindowFollowsThePhonebar(t *testing.T) {
	o, win, view, pw := omniWindow(t, nil)
	assert.Equal(t, "Omni Desktop", o.Title())
	require.Eventually(t, func() bool { view.mu.Lock(); defer view.mu.Unlock(); return len(view.loads) == 1 }, timeout, tick, "the hand-off started")
	o.ctl.Committed(origin + "/#/dashboard")

	require.NoError(t, (sender{pw}).send(Command{Op: OpShow}))
	require.Eventually(t, func() bool { return win.count("show") == 1 }, timeout, tick)
	require.NoError(t, (sender{pw}).send(Command{Op: OpClose}))
	require.Eventually(t, func() bool { return win.count("quit") == 1 }, timeout, tick)
	calls := win.got()
	assert.Equal(t, []string{"show", "hide", "js:" + LogoutScript(handoff(config.HandoffForm)), "quit"}, calls)
	view.mu.Lock()
	assert.Equal(t, 1, view.cleared, "cookies, storage and caches cleared before quitting")
	view.mu.Unlock()
	assert.False(t, o.BeforeClose(context.Background(), win), "once leaving, the window may close")
}

// TestOmniWindowClosedByTheAgent: the first close is held until the window logged out and cleared
// its data; the Phonebar's pipe closing then changes nothing.
func TestOmniWindowClosedByTheAgent(t *testing.T) {
	o, win, view, pw := omniWindow(t, nil)
	require.Eventually(t, func() bool { view.mu.Lock(); defer view.mu.Unlock(); return len(view.loads) == 1 }, timeout, tick)
	assert.True(t, o.BeforeClose(context.Background(), win), "held open to log out first")
	require.Eventually(t, func() bool { return win.count("quit") == 1 }, timeout, tick)
	assert.Equal(t, []string{"hide", "quit"}, win.got(), "no page session to end: nothing committed on the server's origin")
	require.NoError(t, pw.Close())
	assert.Never(t, func() bool { return win.count("quit") > 1 }, 500*time.Millisecond, tick)
}

// TestOmniWindowWithoutAWebView says why on its own page when the web view cannot take the hand-off.
func TestOmniWindowWithoutAWebView(t *testing.T) {
	o, win, _, _ := omniWindow(t, errors.New("no web view here"))
	require.Eventually(t, func() bool { return win.count("reload") == 1 }, timeout, tick)
	rec := httptest.NewRecorder()
	o.ServeHTTP(rec, httptest.NewRequest("GET", "wails://wails/", nil))
	assert.Contains(t, rec.Body.String(), "cannot log the Omni Desktop in on this system (no web view here)")
	assert.Contains(t, rec.Body.String(), handoff(config.HandoffForm).LoginURL(), "and offers its own login page")
}
