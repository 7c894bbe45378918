package motionsim

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

func TestPlainHTTPListener(t *testing.T) {
	ts := startServer(t, Options{HTTPListen: "127.0.0.1:0"})
	require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, ts.ep.HTTPURL)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(c.CloseIdleConnections)
	do := func(method, path string, header http.Header, form url.Values) (*http.Response, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, ts.ep.HTTPURL+path, body)
		require.NoError(t, err)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := c.Do(req)
		require.NoError(t, err)
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(data)
	}

	tests := []struct {
		name       string
		path       string
		header     http.Header
		wantStatus int
		wantBody   string
	}{
		{"the same API", motion.PathAuthProviders, nil, 200, `{"providers":[]}`},
		{"a header that is neither Basic nor Bearer", motion.PathWhoami, http.Header{"Authorization": {"undefined"}}, 401, `{"message":"Unknown authorization format"}`},
		{"a bare token", motion.PathWhoami, http.Header{"Authorization": {"abc.def"}}, 401, `{"message":"Unknown authorization format"}`},
		{"Basic still works", motion.PathWhoami, basic("chloe", demoPassword(t, "chloe")), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(http.MethodGet, tt.path, tt.header, nil)
			assert.Equal(t, tt.wantStatus, resp.StatusCode, body)
			if tt.wantBody != "" {
				assert.JSONEq(t, tt.wantBody, body)
			}
		})
	}

	// The web login over http: the check cookie is kept (not Secure), the token cookie is Secure,
	// so a browser does not keep it; the desktop then loads without its token and its API call fails.
	resp, page := do(http.MethodGet, motion.PathWebLogin, nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	check := setCookieOf(resp, checkCookie)
	require.NotNil(t, check)
	assert.False(t, check.Secure, "over http the check cookie is not Secure, or cookies would look blocked")
	m := regexp.MustCompile(`name="check" value="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m)
	resp, body := do(http.MethodPost, motion.PathWebLogin, nil, url.Values{"check": {m[1]}, "username": {"chloe"}, "password": {demoPassword(t, "chloe")}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	tok := setCookieOf(resp, motion.TokenCookie)
	require.NotNil(t, tok)
	assert.True(t, tok.Secure, "the token cookie is Secure, over http too")
	// A browser keeps a Secure cookie set over http only for a host it trusts as secure
	// (localhost): Go's jar does so for 127.0.0.1, and then the desktop works.
	resp, body = do(http.MethodGet, motion.PathWebDesktop, nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, strings.Contains(body, `id="agent-fullname"`), "with the cookie the desktop loads")
	// Anywhere else the browser drops it: the desktop loads without its token and its API call fails.
	u, _ := url.Parse(ts.ep.HTTPURL)
	jar.SetCookies(u, []*http.Cookie{{Name: motion.TokenCookie, Value: "", Path: "/", MaxAge: -1}})
	resp, body = do(http.MethodGet, motion.PathWebDesktop, nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, strings.Contains(body, `id="api-error"`), "the shell with its error box")
	assert.True(t, strings.Contains(body, `href="`+ts.ep.URL+`/login"`), "the https address is offered")
	assert.True(t, strings.Contains(body, `String(t)`), "the page sends what it has, which is no Bearer token")

	// Over https the same desktop without a session goes to the login page.
	b := newBrowser(t, ts).get(motion.PathWebDesktop)
	assert.Equal(t, http.StatusSeeOther, b.status)
}
