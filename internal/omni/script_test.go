package omni

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/testenv"
)

// loginSite is a server with a login page shaped like Motion's (a PrimeNG password component, rendered
// late by a script) that records every submitted form.
type loginSite struct {
	*httptest.Server
	mu    sync.Mutex
	posts []string
}

func newLoginSite(t *testing.T, redirectTo func() string) *loginSite {
	s := &loginSite{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><body><div id="root"></div><script>
setTimeout(function () {
  document.getElementById("root").innerHTML =
    '<form method="post" action="/login">' +
    '<input name="username" type="text">' +
    '<p-password><input type="password" name="password"></p-password>' +
    '<button type="submit">LOGIN</button></form>';
}, 300);
</script></body></html>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.posts = append(s.posts, r.PostFormValue("username")+":"+r.PostFormValue("password"))
		s.mu.Unlock()
		http.Redirect(w, r, "/desktop", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /desktop", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><body><h1 id="desk">Desktop</h1></body></html>`)
	})
	mux.HandleFunc("GET /other", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><body><form method="post" action="/login"><input name="username"><input type="password" name="password"><button type="submit">Go</button></form></body></html>`)
	})
	mux.HandleFunc("GET /moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, redirectTo(), http.StatusFound)
	})
	s.Server = httptest.NewTLSServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *loginSite) submitted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.posts...)
}

// TestScriptInRealBrowser runs the login script in Chromium against real pages: it fills and submits the
// configured origin's login page once, and gives nothing to any other origin or page, including one
// reached by a redirect.
func TestScriptInRealBrowser(t *testing.T) {
	var other *loginSite
	motion := newLoginSite(t, func() string { return other.URL + "/login" })
	other = newLoginSite(t, func() string { return "/login" })
	// The browser is only a harness for the script here; certificate trust is tested elsewhere.
	ctx := testenv.Chromium(t, chromedp.Flag("ignore-certificate-errors", true))

	const user, pass = "alice", `Pa$$"w0rd</script>`
	h := Handoff{Origin: motion.URL, Username: user, Password: pass}
	require.NoError(t, h.Validate())
	script := Script(h)

	run := func(t *testing.T, url string) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(url)))
		_, err := chromedp.Run(tctx, chromedp.Evaluate[any](script))
		require.NoError(t, err)
	}
	location := func(t *testing.T) string {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		loc, err := chromedp.Run(tctx, chromedp.Location())
		require.NoError(t, err)
		return loc
	}
	// filled returns what the page's inputs hold: a page that must get nothing must not even see
	// the credentials in its fields.
	filled := func(t *testing.T) string {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(tctx, chromedp.Evaluate[string](
			`Array.from(document.querySelectorAll("input")).map(function (i) { return i.value; }).join("")`))
		require.NoError(t, err)
		return v
	}
	// settle gives a script that should do nothing the time it would need to do something (the
	// late form appears after 300 ms; the submit follows 50 ms after filling).
	settle := func() { time.Sleep(1200 * time.Millisecond) }

	t.Run("fills and submits the configured login page once", func(t *testing.T) {
		run(t, motion.URL+"/login")
		require.Eventually(t, func() bool { return len(motion.submitted()) == 1 }, 10*time.Second, 50*time.Millisecond)
		assert.Equal(t, []string{user + ":" + pass}, motion.submitted())
		require.Eventually(t, func() bool { return strings.HasSuffix(location(t), "/desktop") }, 10*time.Second, 50*time.Millisecond)
	})
	t.Run("a login page shown again in the same window is not submitted again", func(t *testing.T) {
		run(t, motion.URL+"/login")
		settle()
		assert.Len(t, motion.submitted(), 1)
	})
	t.Run("another page of the same origin gets nothing", func(t *testing.T) {
		run(t, motion.URL+"/other")
		settle()
		assert.Len(t, motion.submitted(), 1)
		assert.Empty(t, filled(t))
	})
	t.Run("another origin gets nothing", func(t *testing.T) {
		run(t, other.URL+"/login")
		settle()
		assert.Empty(t, other.submitted())
		assert.Empty(t, filled(t))
	})
	t.Run("a sign-in code opens the callback instead of filling the form", func(t *testing.T) {
		// A fresh tab: the once-per-window flag of the password runs above is in sessionStorage.
		tab, cancel := chromedp.NewContext(ctx)
		defer cancel()
		tctx, cancel2 := context.WithTimeout(tab, 20*time.Second)
		defer cancel2()
		code := Script(Handoff{Origin: motion.URL, Username: user, SignInCode: "c0de&x=1"})
		require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(motion.URL+"/login")))
		_, err := chromedp.Run(tctx, chromedp.Evaluate[any](code))
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			loc, err := chromedp.Run(tctx, chromedp.Location())
			return err == nil && loc == motion.URL+"/sso/callback?code=c0de%26x%3D1"
		}, 10*time.Second, 50*time.Millisecond)
		assert.Len(t, motion.submitted(), 1, "the form is not submitted")
	})
	t.Run("a redirect to another origin gets nothing", func(t *testing.T) {
		run(t, motion.URL+"/moved")
		settle()
		assert.Equal(t, other.URL+"/login", location(t))
		assert.Empty(t, other.submitted())
		assert.Empty(t, filled(t))
	})
}

func TestHandoffValidate(t *testing.T) {
	ok := Handoff{Origin: "https://motion.example.com:8443", Username: "a", Password: "b"}
	tests := []struct {
		name    string
		edit    func(h *Handoff)
		wantErr bool
	}{
		{"valid", func(*Handoff) {}, false},
		{"http origin", func(h *Handoff) { h.Origin = "http://motion.example.com" }, true},
		{"origin with a path", func(h *Handoff) { h.Origin = "https://motion.example.com/x" }, true},
		{"origin with user info", func(h *Handoff) { h.Origin = "https://u@motion.example.com" }, true},
		{"no password", func(h *Handoff) { h.Password = "" }, true},
		{"a sign-in code instead of the password", func(h *Handoff) { h.Password, h.SignInCode = "", "c0de" }, false},
		{"both a password and a sign-in code", func(h *Handoff) { h.SignInCode = "c0de" }, true},
		{"relative login path", func(h *Handoff) { h.Form.LoginPath = "login" }, true},
		{"login path with a query", func(h *Handoff) { h.Form.LoginPath = "/login?next=x" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := ok
			tt.edit(&h)
			err := h.Validate()
			if tt.wantErr {
				assert.ErrorIs(t, err, ErrBadHandoff)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestReceiverReadsHandoffThenCommands(t *testing.T) {
	var buf strings.Builder
	h := Handoff{Origin: "https://motion.example.com", Username: "a", Password: "b", Form: Form{LoginPath: "/v3/login"}}
	require.NoError(t, (sender{&buf}).send(h))
	require.NoError(t, (sender{&buf}).send(Command{Op: OpShow}))
	rx := NewReceiver(strings.NewReader(buf.String()))
	got, err := rx.Handoff()
	require.NoError(t, err)
	assert.Equal(t, h, got)
	assert.Equal(t, "https://motion.example.com/v3/login", got.LoginURL())
	c, err := rx.Next()
	require.NoError(t, err)
	assert.Equal(t, OpShow, c.Op)
	_, err = rx.Next()
	assert.Error(t, err)
}

func TestReceiverRefusesUnknownFields(t *testing.T) {
	rx := NewReceiver(strings.NewReader(`{"origin":"https://a","username":"u","password":"p","evil":1}`))
	_, err := rx.Handoff()
	assert.ErrorIs(t, err, ErrBadHandoff)
}
