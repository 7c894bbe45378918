package motion

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/tlspin"
)

const (
	testPassword = "Zq9!secret-PASS-42"
	testToken    = "tok-3f1c9e-SECRET-token"
)

// fakeMotion is a small stand-in for a Motion server: it answers the routes it was given and fails
// the test loudly on any other.
type fakeMotion struct {
	t      *testing.T
	mu     sync.Mutex
	routes map[string]http.HandlerFunc // "METHOD /path"
	seen   []*http.Request
	bodies []string
}

func (f *fakeMotion) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	f.mu.Lock()
	f.seen = append(f.seen, r)
	f.bodies = append(f.bodies, string(b))
	h, ok := f.routes[r.Method+" "+r.URL.Path]
	f.mu.Unlock()
	if !ok {
		f.t.Errorf("fake Motion: unexpected %s %s", r.Method, r.URL.Path)
		http.Error(w, "unexpected", http.StatusTeapot)
		return
	}
	h(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func loginOK(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	if json.NewDecoder(r.Body).Decode(&req) != nil || req.Name != "agent" || req.Password != testPassword {
		writeJSON(w, 401, ErrorBody{Code: CodeInvalidCredentials, Message: "Invalid credentials"})
		return
	}
	writeJSON(w, 200, LoginResponse{Token: testToken, User: User{ID: 7, Name: "agent", Role: RoleAgent}})
}

func whoamiOK(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		writeJSON(w, 401, ErrorBody{Code: CodeUnauthorized, Message: "no token"})
		return
	}
	writeJSON(w, 200, User{ID: 7, Name: "agent", Fullname: "Agent One", Role: RoleAgent, Typology: TypologyWebRTC})
}

// newFake starts an HTTPS fake and a Client that trusts its certificate through Roots (like a
// certificate the system trusts).
func newFake(t *testing.T, routes map[string]http.HandlerFunc, mod func(*Options)) (*fakeMotion, *httptest.Server, *Client) {
	t.Helper()
	f := &fakeMotion{t: t, routes: routes}
	srv := startTLS(t, f)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	opts := Options{BaseURL: mustURL(t, srv.URL), Roots: roots}
	if mod != nil {
		mod(&opts)
	}
	c, err := New(opts)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return f, srv, c
}

// startTLS starts an HTTPS test server whose handshake complaints (expected here) are not logged.
func startTLS(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func TestNewRefusesHTTP(t *testing.T) {
	_, err := New(Options{BaseURL: mustURL(t, "http://motion.example.com")})
	require.ErrorIs(t, err, ErrNotHTTPS)
	assert.Contains(t, err.Error(), "https://motion.example.com")
	_, err = New(Options{})
	require.ErrorIs(t, err, ErrBadURL)
}

func TestLoginWhoamiLogout(t *testing.T) {
	f, _, c := newFake(t, map[string]http.HandlerFunc{
		"POST " + PathAuthLocal: loginOK,
		"GET " + PathWhoami:     whoamiOK,
		"POST " + PathLogout: func(w http.ResponseWriter, r *http.Request) {
			assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusNoContent)
		},
	}, nil)
	ctx := context.Background()

	_, err := c.Whoami(ctx)
	require.ErrorIs(t, err, ErrNotLoggedIn)

	resp, err := c.Login(ctx, LoginRequest{Name: "agent", Password: testPassword})
	require.NoError(t, err)
	assert.Equal(t, testToken, resp.Token)
	assert.True(t, c.LoggedIn())

	u, err := c.Whoami(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Agent One", u.Fullname)
	assert.Equal(t, TypologyWebRTC, u.Typology)

	require.NoError(t, c.Logout(ctx))
	assert.False(t, c.LoggedIn())
	require.NoError(t, c.Logout(ctx), "a second logout is a no-op")

	f.mu.Lock()
	defer f.mu.Unlock()
	var req LoginRequest
	require.NoError(t, json.Unmarshal([]byte(f.bodies[0]), &req))
	assert.Equal(t, ClientPhonebar, req.Client, "the client kind defaults to phonebar")
	assert.Equal(t, "application/json", f.seen[0].Header.Get("Content-Type"))
	assert.Empty(t, f.seen[0].Header.Get("Authorization"), "login sends no token")
}

func TestOtherCalls(t *testing.T) {
	var mu sync.Mutex
	var got []string
	record := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, strings.TrimSpace(r.Method+" "+r.URL.Path+" "+string(b)))
		mu.Unlock()
		switch r.URL.Path {
		case PathPhones:
			writeJSON(w, 200, PhoneList{Count: 1, Rows: []Phone{{Name: "desk-1", Registered: true}}})
		case PathForgotPassword:
			w.WriteHeader(http.StatusAccepted)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}
	_, _, c := newFake(t, map[string]http.HandlerFunc{
		"POST " + PathAuthLocal:      loginOK,
		"PUT " + PathChangePassword:  record,
		"POST " + PathForgotPassword: record,
		"GET " + PathPhones:          record,
	}, nil)
	ctx := context.Background()
	require.NoError(t, c.ForgotPassword(ctx, "agent@example.com"))
	l, err := c.Phones(ctx)
	require.NoError(t, err)
	assert.Equal(t, "desk-1", l.Rows[0].Name)
	require.ErrorIs(t, c.ChangePassword(ctx, "a", "b"), ErrNotLoggedIn)
	_, err = c.Login(ctx, LoginRequest{Name: "agent", Password: testPassword})
	require.NoError(t, err)
	require.NoError(t, c.ChangePassword(ctx, testPassword, "New-pass-1!"))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{
		`POST /api/auth/forgot {"email":"agent@example.com"}`,
		`GET /api/phones`,
		`PUT /api/users/password {"oldPassword":"` + testPassword + `","newPassword":"New-pass-1!"}`,
	}, got)
}

func intp(i int) *int { return &i }

func TestAPIErrors(t *testing.T) {
	unlock := time.Now().Add(10 * time.Minute).Truncate(time.Second)
	tests := []struct {
		name   string
		path   string // login when empty
		status int
		body   string
		is     []error
		code   string
		msg    []string
	}{
		{"wrong password with attempts", "", 401, `{"code":"INVALID_CREDENTIALS","message":"Invalid credentials","attemptsLeft":2}`,
			[]error{ErrInvalidCredentials}, CodeInvalidCredentials, []string{"401 Unauthorized INVALID_CREDENTIALS", "attempts left: 2"}},
		{"wrong password one attempt", "", 401, `{"code":"INVALID_CREDENTIALS","message":"x","attemptsLeft":1}`,
			[]error{ErrInvalidCredentials}, CodeInvalidCredentials, []string{"attempts left: 1"}},
		{"wrong password no limit", "", 401, `{"code":"INVALID_CREDENTIALS","message":"x"}`,
			[]error{ErrInvalidCredentials}, CodeInvalidCredentials, []string{"INVALID_CREDENTIALS"}},
		{"locked with time", "", 423, `{"code":"ACCOUNT_LOCKED","message":"locked","unlockAt":"` + unlock.UTC().Format(time.RFC3339) + `"}`,
			[]error{ErrAccountLocked}, CodeAccountLocked, []string{"ACCOUNT_LOCKED", "unlock at " + unlock.UTC().Format(time.RFC3339)}},
		{"locked admin only", "", 423, `{"code":"ACCOUNT_LOCKED","message":"locked"}`,
			[]error{ErrAccountLocked}, CodeAccountLocked, []string{"423 Locked ACCOUNT_LOCKED"}},
		{"session exists", "", 409, `{"code":"SESSION_EXISTS","message":"already"}`,
			[]error{ErrSessionExists}, CodeSessionExists, []string{"SESSION_EXISTS"}},
		{"plain 401 message only", "", 401, `{"message":"Unauthorized"}`,
			[]error{ErrInvalidCredentials}, CodeInvalidCredentials, []string{`401 Unauthorized INVALID_CREDENTIALS: "Unauthorized"`}},
		{"plain 401 no json", "", 401, `<html>401</html>`,
			[]error{ErrInvalidCredentials}, CodeInvalidCredentials, []string{"401 Unauthorized INVALID_CREDENTIALS"}},
		{"plain 403 message only", "", 403, `{"message":"Forbidden for this role"}`,
			nil, "", []string{`motion: login: 403 Forbidden: "Forbidden for this role"`}},
		{"plain 403 empty", "", 403, ``, nil, "", []string{"403 Forbidden"}},
		{"unknown authorization format", "", 401, `{"message":"Unknown authorization format"}`,
			[]error{ErrUnknownAuthFormat}, "", []string{"Unknown authorization format"}},
		{"server error", "", 500, `oops`, []error{ErrServer}, "", []string{"motion: login: 500 Internal Server Error"}},
		{"not found", "", 404, `Cannot POST`, nil, CodeNotFound, []string{"404 Not Found NOT_FOUND"}},
		{"token expired", PathWhoami, 401, `{"message":"jwt expired"}`, []error{ErrUnauthorized}, CodeUnauthorized, []string{"jwt expired"}},
		{"session ended", PathWhoami, 401, `{"code":"SESSION_ENDED","message":"replaced"}`, []error{ErrUnauthorized, ErrSessionEnded}, CodeSessionEnded, []string{"SESSION_ENDED", "replaced"}},
		{"password expired", PathWhoami, 403, `{"code":"PASSWORD_EXPIRED","message":"expired"}`, []error{ErrPasswordExpired}, CodePasswordExpired, []string{"PASSWORD_EXPIRED"}},
		{"password rules", PathChangePassword, 422, `{"code":"PASSWORD_RULES","message":"rules","rules":["at least 8 characters","a digit"]}`,
			[]error{ErrPasswordRules}, CodePasswordRules, []string{"at least 8 characters; a digit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = PathAuthLocal
			}
			method := map[string]string{PathAuthLocal: "POST", PathWhoami: "GET", PathChangePassword: "PUT"}[path]
			routes := map[string]http.HandlerFunc{
				method + " " + path: func(w http.ResponseWriter, _ *http.Request) {
					w.WriteHeader(tt.status)
					io.WriteString(w, tt.body)
				},
			}
			if path != PathAuthLocal {
				routes["POST "+PathAuthLocal] = loginOK
			}
			_, _, c := newFake(t, routes, nil)
			ctx := context.Background()
			var err error
			switch path {
			case PathAuthLocal:
				_, err = c.Login(ctx, LoginRequest{Name: "agent", Password: testPassword})
			case PathWhoami:
				_, lerr := c.Login(ctx, LoginRequest{Name: "agent", Password: testPassword})
				require.NoError(t, lerr)
				_, err = c.Whoami(ctx)
			case PathChangePassword:
				_, lerr := c.Login(ctx, LoginRequest{Name: "agent", Password: testPassword})
				require.NoError(t, lerr)
				err = c.ChangePassword(ctx, testPassword, "x")
			}
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.Status)
			assert.Equal(t, tt.code, ae.Code)
			for _, target := range tt.is {
				assert.ErrorIs(t, err, target)
			}
			for _, other := range []error{ErrInvalidCredentials, ErrAccountLocked, ErrSessionExists, ErrUnknownAuthFormat, ErrServer} {
				if !contains(tt.is, other) {
					assert.NotErrorIs(t, err, other)
				}
			}
			for _, m := range tt.msg {
				assert.Contains(t, err.Error(), m)
			}
			assert.NotContains(t, err.Error(), testPassword)
		})
	}
}

func contains(list []error, e error) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

func TestNetworkErrors(t *testing.T) {
	t.Run("unreachable names host and port", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().(*net.TCPAddr)
		require.NoError(t, ln.Close())
		c, err := New(Options{BaseURL: mustURL(t, fmt.Sprintf("https://127.0.0.1:%d", addr.Port))})
		require.NoError(t, err)
		_, err = c.Login(context.Background(), LoginRequest{Name: "agent", Password: testPassword})
		require.ErrorIs(t, err, ErrUnreachable)
		var ne *NetError
		require.ErrorAs(t, err, &ne)
		assert.Equal(t, NetUnreachable, ne.Kind)
		assert.Contains(t, err.Error(), "127.0.0.1")
		assert.Contains(t, err.Error(), fmt.Sprintf("port %d:", addr.Port))
		assert.Contains(t, err.Error(), "connection refused")
	})
	t.Run("unknown host", func(t *testing.T) {
		c, err := New(Options{BaseURL: mustURL(t, "https://motion.invalid:8443"), DialTimeout: 2 * time.Second})
		require.NoError(t, err)
		_, err = c.Login(context.Background(), LoginRequest{Name: "agent", Password: testPassword})
		require.ErrorIs(t, err, ErrUnreachable)
		assert.Contains(t, err.Error(), "motion.invalid port 8443")
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		_, _, c := newFake(t, map[string]http.HandlerFunc{
			"POST " + PathAuthLocal: func(http.ResponseWriter, *http.Request) { <-release },
		}, func(o *Options) { o.RequestTimeout = 100 * time.Millisecond })
		defer close(release)
		_, err := c.Login(context.Background(), LoginRequest{Name: "agent", Password: testPassword})
		require.ErrorIs(t, err, ErrTimeout)
		assert.Contains(t, err.Error(), "no answer in time")
	})
	t.Run("caller cancels", func(t *testing.T) {
		release := make(chan struct{})
		_, _, c := newFake(t, map[string]http.HandlerFunc{
			"POST " + PathAuthLocal: func(http.ResponseWriter, *http.Request) { <-release },
		}, nil)
		defer close(release)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := c.Login(ctx, LoginRequest{Name: "agent", Password: testPassword})
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("plain http on the https port", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		c, err := New(Options{BaseURL: mustURL(t, strings.Replace(srv.URL, "http://", "https://", 1))})
		require.NoError(t, err)
		_, err = c.Login(context.Background(), LoginRequest{Name: "agent", Password: testPassword})
		require.ErrorIs(t, err, ErrNotMotion)
		assert.Contains(t, err.Error(), "does not speak HTTPS")
	})
	t.Run("answer that is not json", func(t *testing.T) {
		_, _, c := newFake(t, map[string]http.HandlerFunc{
			"POST " + PathAuthLocal: func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "<html>welcome</html>") },
		}, nil)
		_, err := c.Login(context.Background(), LoginRequest{Name: "agent", Password: testPassword})
		require.ErrorIs(t, err, ErrNotMotion)
	})
}

func TestCertificates(t *testing.T) {
	newSrv := func(t *testing.T) *httptest.Server {
		return startTLS(t, http.HandlerFunc(loginOK))
	}
	login := func(t *testing.T, o Options) error {
		c, err := New(o)
		require.NoError(t, err)
		defer c.CloseIdleConnections()
		_, err = c.Login(context.Background(), LoginRequest{Name: "agent", Password: testPassword})
		return err
	}
	t.Run("untrusted gives the fingerprint", func(t *testing.T) {
		srv := newSrv(t)
		err := login(t, Options{BaseURL: mustURL(t, srv.URL)})
		var ue *tlspin.UntrustedError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, tlspin.Of(srv.Certificate()), ue.Fingerprint)
		assert.Equal(t, "127.0.0.1", ue.Host)
		assert.Contains(t, err.Error(), ue.Fingerprint.Pretty())
	})
	t.Run("untrusted with a caller's HTTP client still gives the fingerprint", func(t *testing.T) {
		srv := newSrv(t)
		err := login(t, Options{BaseURL: mustURL(t, srv.URL), HTTPClient: &http.Client{}})
		var ue *tlspin.UntrustedError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, tlspin.Of(srv.Certificate()), ue.Fingerprint)
	})
	t.Run("pinned match", func(t *testing.T) {
		srv := newSrv(t)
		require.NoError(t, login(t, Options{BaseURL: mustURL(t, srv.URL), Pin: tlspin.Of(srv.Certificate())}))
	})
	t.Run("pinned mismatch", func(t *testing.T) {
		srv := newSrv(t)
		other := tlspin.Fingerprint(strings.Repeat("ab", 32))
		err := login(t, Options{BaseURL: mustURL(t, srv.URL), Pin: other})
		var me *tlspin.MismatchError
		require.ErrorAs(t, err, &me)
		assert.Equal(t, other, me.Pinned)
		assert.Equal(t, tlspin.Of(srv.Certificate()), me.Got)
		var ue *tlspin.UntrustedError
		assert.False(t, errors.As(err, &ue))
	})
	t.Run("trusted by roots", func(t *testing.T) {
		srv := newSrv(t)
		roots := x509.NewCertPool()
		roots.AddCert(srv.Certificate())
		require.NoError(t, login(t, Options{BaseURL: mustURL(t, srv.URL), Roots: roots}))
	})
}

// TestNoSecretInErrorsOrLogs logs in with a known password through every failure the client knows
// and checks that neither the password nor the token shows up in an error text or a log line.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	var logBuf bytes.Buffer
	logger := logrus.New()
	logger.SetOutput(&logBuf)
	logger.SetLevel(logrus.TraceLevel)
	logger.SetFormatter(&logrus.JSONFormatter{})

	statuses := []struct {
		status int
		body   string
	}{
		{401, `{"code":"INVALID_CREDENTIALS","message":"Invalid credentials","attemptsLeft":3}`},
		{423, `{"code":"ACCOUNT_LOCKED","message":"locked"}`},
		{409, `{"code":"SESSION_EXISTS","message":"exists"}`},
		{401, `{"message":"Unknown authorization format"}`},
		{403, `not json`},
		{500, ``},
		{200, `{"token":""}`},
	}
	var errs []error
	for _, st := range statuses {
		_, _, c := newFake(t, map[string]http.HandlerFunc{
			"POST " + PathAuthLocal: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(st.status); io.WriteString(w, st.body) },
		}, func(o *Options) { o.Logger = logger })
		_, err := c.Login(context.Background(), LoginRequest{Name: "agent", Password: testPassword})
		require.Error(t, err)
		errs = append(errs, err)
	}
	// A successful login, then calls that fail, so the token is in play too.
	_, _, c := newFake(t, map[string]http.HandlerFunc{
		"POST " + PathAuthLocal: loginOK,
		"GET " + PathWhoami:     func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 401, ErrorBody{Message: "jwt expired"}) },
		"PUT " + PathChangePassword: func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 422, ErrorBody{Code: CodePasswordRules, Message: "no"})
		},
	}, func(o *Options) { o.Logger = logger })
	_, err := c.Login(context.Background(), LoginRequest{Name: "agent", Password: testPassword})
	require.NoError(t, err)
	_, err = c.Whoami(context.Background())
	errs = append(errs, err)
	errs = append(errs, c.ChangePassword(context.Background(), testPassword, testPassword+"-new"))

	// Network failures.
	for _, o := range []Options{
		{BaseURL: mustURL(t, "https://127.0.0.1:1")},
		{BaseURL: mustURL(t, "https://motion.invalid")},
	} {
		o.Logger = logger
		c, err := New(o)
		require.NoError(t, err)
		_, err = c.Login(context.Background(), LoginRequest{Name: "agent", Password: testPassword})
		errs = append(errs, err)
	}
	require.NotEmpty(t, logBuf.String(), "the client must log something, or this test proves nothing")
	assert.Contains(t, logBuf.String(), `"user":"agent"`)
	for _, err := range errs {
		require.Error(t, err)
		assert.NotContains(t, err.Error(), testPassword)
		assert.NotContains(t, err.Error(), testToken)
		assert.NotContains(t, fmt.Sprintf("%+v", err), testPassword)
	}
	assert.NotContains(t, logBuf.String(), testPassword)
	assert.NotContains(t, logBuf.String(), testToken)
}

// TestPhoneRequiredAndPhonesFor: a hot-desk login without a phone is refused with PHONE_REQUIRED
// (also inferred from a bare 428); the list is then read with the login's credentials as Basic.
func TestPhoneRequiredAndPhonesFor(t *testing.T) {
	var gotAuth string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case PathAuthLocal:
			w.WriteHeader(http.StatusPreconditionRequired)
		case PathPhones:
			gotAuth = r.Header.Get("Authorization")
			_, _ = w.Write([]byte(`{"count":1,"rows":[{"name":"desk-12","registered":true}]}`))
		}
	}))
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := New(Options{BaseURL: u, Roots: pool})
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	_, err = c.Login(context.Background(), LoginRequest{Name: "bruno", Password: "pw"})
	require.ErrorIs(t, err, ErrPhoneRequired)
	assert.Contains(t, err.Error(), "PHONE_REQUIRED")
	l, err := c.PhonesFor(context.Background(), "bruno", "pw")
	require.NoError(t, err)
	assert.Equal(t, []Phone{{Name: "desk-12", Registered: true}}, l.Rows)
	assert.Equal(t, "Basic YnJ1bm86cHc=", gotAuth)
}

// TestProviders: the enabled sign-in providers are read without credentials; a server without the
// route has none.
func TestProviders(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   []string
	}{
		{"enabled", 200, `{"providers":["google","activedirectory"]}`, []string{ProviderGoogle, ProviderActiveDirectory}},
		{"none", 200, `{"providers":[]}`, []string{}},
		{"older server", 404, `{"message":"no such route"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var auth string
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				require.Equal(t, PathAuthProviders, r.URL.Path)
				auth = r.Header.Get("Authorization")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			u, err := url.Parse(srv.URL)
			require.NoError(t, err)
			pool := x509.NewCertPool()
			pool.AddCert(srv.Certificate())
			c, err := New(Options{BaseURL: u, Roots: pool})
			require.NoError(t, err)
			defer c.CloseIdleConnections()
			got, err := c.Providers(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Empty(t, auth)
		})
	}
}
