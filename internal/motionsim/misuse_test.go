package motionsim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/motion"
)

// This file holds the tests of the demo server under misuse: what trainees and CI runs may send
// it, on purpose or not (issue 9, part 6).

// hostRequest makes one request with the Host header set to host.
func hostRequest(t *testing.T, client *http.Client, method, u, host string, body io.Reader, ct string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	require.NoError(t, err)
	req.Host = host
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, data
}

func TestResetLinksComeFromThePublicAddressNotTheHostHeader(t *testing.T) {
	const public = "https://motion.example.test:8443"
	tests := []struct {
		name      string
		publicURL string
		web       bool // the forgot-password page's form instead of the API
		plain     bool // over the plain-http listener
		want      func(ep Endpoint) string
	}{
		{name: "API, listen address", want: func(ep Endpoint) string { return ep.URL }},
		{name: "web form, listen address", web: true, want: func(ep Endpoint) string { return ep.URL }},
		{name: "plain http, the https listen address", plain: true, want: func(ep Endpoint) string { return ep.URL }},
		{name: "API, public address", publicURL: public, want: func(Endpoint) string { return public }},
		{name: "web form, public address with a slash", publicURL: public + "/", web: true, want: func(Endpoint) string { return public }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.PublicURL = tt.publicURL
			opts := Options{Config: cfg}
			if tt.plain {
				opts.HTTPListen = "127.0.0.1:0"
			}
			ts := startServer(t, opts)
			base, client := ts.ep.URL, ts.client
			if tt.plain {
				base, client = ts.ep.HTTPURL, &http.Client{Timeout: 10 * time.Second}
				defer client.CloseIdleConnections()
			}
			var status int
			var body []byte
			if tt.web {
				form := url.Values{"email": {"chloe@demo.phonebar.test"}}.Encode()
				status, body = hostRequest(t, client, http.MethodPost, base+pathWebForgot, "attacker.example", strings.NewReader(form), "application/x-www-form-urlencoded")
				require.Equal(t, http.StatusOK, status, string(body))
			} else {
				status, body = hostRequest(t, client, http.MethodPost, base+motion.PathForgotPassword, "attacker.example:443",
					strings.NewReader(`{"email":"chloe@demo.phonebar.test"}`), "application/json")
				require.Equal(t, http.StatusAccepted, status, string(body))
			}
			out := ts.srv.Outbox()
			require.Len(t, out, 1)
			assert.True(t, strings.HasPrefix(out[0].Link, tt.want(ts.ep)+motion.PathWebResetPassword+"?token="), out[0].Link)
			assert.NotContains(t, out[0].Body, "attacker")
		})
	}
}

func TestPublicURLNamesTheSIPDefaults(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PublicURL = "https://motion.example.test:8443"
	ts := startServer(t, Options{Config: cfg})
	req, err := http.NewRequest(http.MethodGet, ts.ep.URL+motion.PathWhoami, nil)
	require.NoError(t, err)
	req.Host = "attacker.example"
	req.SetBasicAuth("alice", demoPassword(t, "alice"))
	resp, err := ts.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var u motion.User
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&u))
	require.NotNil(t, u.SIP)
	assert.Equal(t, "wss://motion.example.test:8443/ws", u.SIP.WSURI)
	assert.Equal(t, "motion.example.test", u.SIP.Domain)
}

func TestPublicURLValidation(t *testing.T) {
	tests := []struct {
		v       string
		problem string // "" valid
	}{
		{"", ""},
		{"https://motion.example.test", ""},
		{"https://motion.example.test:8443/", ""},
		{"https://[::1]:8443", ""},
		{"http://motion.example.test", "https://"},
		{"motion.example.test:8443", "https://"},
		{"https://", "no host"},
		{"https://user:pw@motion.example.test", "user name"},
		{"https://motion.example.test/motion", "no path"},
		{"https://motion.example.test/?x=1", "no path"},
		{"https://motion.example.test:99999", "port"},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.PublicURL = tt.v
			err := cfg.Validate()
			if tt.problem == "" {
				assert.NoError(t, err)
				return
			}
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "publicUrl", ce.Field)
			assert.Contains(t, ce.Problem, tt.problem)
			assert.Contains(t, ce.Problem, "such as https://", "says what to give")
		})
	}
}

// heapAfterGC is the live heap, in bytes, after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestHeaderFloodKeepsMemoryBounded sends 150 requests with a 1 MB User-Agent (refused: headers
// too large) and 150 with a 30 KB one (served, recorded clipped): the server's heap grows by less
// than 16 MiB. (Before the limits, the first 150 alone kept 150 MB.)
func TestHeaderFloodKeepsMemoryBounded(t *testing.T) {
	ts := startServer(t, Options{})
	before := heapAfterGC()
	send := func(ua string) int {
		req, err := http.NewRequest(http.MethodGet, ts.ep.URL+motion.PathWebLogin, nil)
		require.NoError(t, err)
		req.Header.Set("User-Agent", ua)
		resp, err := ts.client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	huge, big := strings.Repeat("a", 1<<20), strings.Repeat("b", 30<<10)
	for range 150 {
		require.Equal(t, http.StatusRequestHeaderFieldsTooLarge, send(huge))
	}
	for range 150 {
		require.Equal(t, http.StatusOK, send(big))
	}
	ts.client.CloseIdleConnections()
	after := heapAfterGC()
	growth := int64(after) - int64(before)
	t.Logf("heap before %.1f MiB, after 300 flooding requests %.1f MiB (growth %.1f MiB)",
		float64(before)/(1<<20), float64(after)/(1<<20), float64(growth)/(1<<20))
	assert.Less(t, growth, int64(16<<20), "the server keeps what clients send")
	reqs := ts.srv.WebRequests()
	require.NotEmpty(t, reqs)
	assert.LessOrEqual(t, len(reqs[len(reqs)-1].UserAgent), maxRecordedText+len("…"))
}

// serveDirect runs one request through the handler without a network.
func serveDirect(srv *Server, method, target string, body string, h http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func newDirect(t *testing.T, mutate func(*Config)) *Server {
	t.Helper()
	cfg := DefaultConfig()
	if mutate != nil {
		mutate(cfg)
	}
	srv, err := New(Options{Config: cfg, BcryptCost: bcrypt.MinCost})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return srv
}

func TestRecordsSessionsAndOutboxAreBounded(t *testing.T) {
	srv := newDirect(t, func(c *Config) { c.PhonebarMultiLogin = true })
	var seen []Record
	srv.hooks.OnRecord = func(r Record) { seen = append(seen, r) }
	ua := http.Header{"User-Agent": {strings.Repeat("é", 5000)}}
	for range maxRecords + 100 {
		require.Equal(t, http.StatusSeeOther, serveDirect(srv, http.MethodGet, "/", "", ua).Code)
	}
	recs := srv.Records()
	require.Len(t, recs, maxRecords)
	assert.Equal(t, maxRecords+100, recs[len(recs)-1].Seq, "Seq keeps counting")
	assert.Equal(t, 101, recs[0].Seq, "the oldest went first")
	assert.Len(t, seen, maxRecords+100, "the hook saw every record, in order")
	for i, r := range seen {
		require.Equal(t, i+1, r.Seq)
	}
	assert.LessOrEqual(t, len(recs[0].Web.UserAgent), maxRecordedText+len("…"))
	assert.True(t, strings.HasSuffix(recs[0].Web.UserAgent, "é…"), "clipped on a character boundary")

	// Sessions: the log keeps the latest; one user holds at most maxSessionsPerUser live ones.
	login := `{"name":"chloe","password":"` + demoPassword(t, "chloe") + `"}`
	for range 3 {
		require.Equal(t, http.StatusOK, serveDirect(srv, http.MethodPost, motion.PathAuthLocal, login, nil).Code)
	}
	func() { // the rest without bcrypt, as logins whose password was checked
		srv.mu.Lock()
		defer srv.mu.Unlock()
		for range maxSessionLog + 7 {
			_, res := srv.loginVerifiedLocked(srv.st.byName["chloe"], loginRequest{name: "chloe", client: motion.ClientPhonebar, via: ViaAPI})
			require.Nil(t, res.err)
		}
	}()
	sessions := srv.Sessions()
	require.Len(t, sessions, maxSessionLog)
	assert.Equal(t, fmt.Sprintf("s%d", maxSessionLog+10), sessions[len(sessions)-1].ID)
	live := 0
	for _, s := range sessions {
		if s.EndedAt.IsZero() {
			live++
		} else {
			assert.Equal(t, EndTooManySessions, s.EndReason)
		}
	}
	assert.Equal(t, maxSessionsPerUser, live)
	srv.mu.Lock()
	assert.Len(t, srv.st.sessions, maxSessionsPerUser)
	assert.LessOrEqual(t, len(srv.st.ended), maxEnded)
	srv.mu.Unlock()

	// The outbox keeps the latest; a user has at most maxResetsPerUser live links.
	for range maxOutbox + 20 {
		require.Equal(t, http.StatusAccepted, serveDirect(srv, http.MethodPost, motion.PathForgotPassword, `{"email":"alice@demo.phonebar.test"}`, nil).Code)
	}
	out := srv.Outbox()
	require.Len(t, out, maxOutbox)
	assert.Equal(t, maxOutbox+20, out[len(out)-1].ID)
	srv.mu.Lock()
	assert.Len(t, srv.st.resets, maxResetsPerUser)
	srv.mu.Unlock()
	status, _ := resetDirect(srv, tokenOfLink(t, out[len(out)-maxResetsPerUser-1].Link), "New-Alice-1")
	assert.Equal(t, http.StatusBadRequest, status, "an older link was retired")
	status, body := resetDirect(srv, tokenOfLink(t, out[len(out)-1].Link), "New-Alice-1")
	assert.Equal(t, http.StatusNoContent, status, body)
}

func resetDirect(srv *Server, tok, pw string) (int, string) {
	data, _ := json.Marshal(motion.ResetPasswordRequest{Token: tok, NewPassword: pw})
	rec := serveDirect(srv, http.MethodPost, motion.PathResetPassword, string(data), nil)
	return rec.Code, rec.Body.String()
}

func TestUnknownNamesAreForgottenBeyondTheBound(t *testing.T) {
	srv := newDirect(t, nil)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for i := range maxGhosts + 50 {
		res := srv.decideLocked(nil, fmt.Sprintf("nobody%d", i), false, false, false, false)
		require.Equal(t, motion.CodeInvalidCredentials, res.err.Body.Code)
	}
	assert.Len(t, srv.st.ghosts, maxGhosts)
	// The newest names are still counted; the oldest start again.
	res := srv.decideLocked(nil, fmt.Sprintf("nobody%d", maxGhosts+49), false, false, false, false)
	assert.Equal(t, 3, *res.err.Body.AttemptsLeft)
	res = srv.decideLocked(nil, "nobody0", false, false, false, false)
	assert.Equal(t, 4, *res.err.Body.AttemptsLeft)
}

func basicToken(name, pw string) string {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(name, pw)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

// TestUnknownNameAnswersLikeAKnownOne: wrong passwords for an existing and for an unknown login
// name get the same answers, attempt after attempt, through each way of logging in.
func TestUnknownNameAnswersLikeAKnownOne(t *testing.T) {
	type answer struct {
		Status int
		Body   motion.ErrorBody
	}
	tries := func(t *testing.T, ts *testServer, name string, via string) []answer {
		var out []answer
		for range 6 {
			var status int
			var body []byte
			switch via {
			case "api":
				status, body = ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: name, Password: "Wrong-Pass-1"}, nil)
			case "basic":
				status, body = ts.call(t, http.MethodGet, motion.PathWhoami, nil, basic(name, "Wrong-Pass-1"))
			}
			out = append(out, answer{status, errBody(t, body)})
		}
		return out
	}
	for _, via := range []string{"api", "basic"} {
		t.Run(via, func(t *testing.T) {
			ts := startServer(t, Options{})
			known := tries(t, ts, "chloe", via)
			unknown := tries(t, ts, "nobody", via)
			assert.Equal(t, known, unknown)
			require.NotNil(t, unknown[0].Body.AttemptsLeft, "the count is there for both")
			assert.Equal(t, 4, *unknown[0].Body.AttemptsLeft)
			assert.Equal(t, http.StatusLocked, unknown[5].Status)
		})
	}
}

func TestUnknownNameCostsABcryptOfTheServersCost(t *testing.T) {
	srv, err := New(Options{BcryptCost: 6})
	require.NoError(t, err)
	defer srv.Close()
	cost, err := bcrypt.Cost(srv.dummy())
	require.NoError(t, err)
	assert.Equal(t, 6, cost, "an unknown name's check does the work of an account's")
}

// BenchmarkLoginWrongPassword times a refused login of a known and of an unknown name at the
// default bcrypt cost: the two should be alike.
func BenchmarkLoginWrongPassword(b *testing.B) {
	cfg := DefaultConfig()
	cfg.MaxLoginAttempts = 0
	srv, err := New(Options{Config: cfg})
	require.NoError(b, err)
	defer srv.Close()
	for _, name := range []string{"chloe", "nobody"} {
		b.Run(name, func(b *testing.B) {
			body := `{"name":"` + name + `","password":"Wrong-Pass-1"}`
			for b.Loop() {
				if rec := serveDirect(srv, http.MethodPost, motion.PathAuthLocal, body, nil); rec.Code != http.StatusUnauthorized {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}

// parallel runs f n times at once (released together) and returns the statuses.
func parallel(n int, f func(i int) int) []int {
	statuses := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = f(i)
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

func count(statuses []int, status int) int {
	n := 0
	for _, s := range statuses {
		if s == status {
			n++
		}
	}
	return n
}

// parallelClient is a client for the tests that send requests at once: a connection each, and
// time enough for bcrypt under the race detector on a loaded machine.
func parallelClient(ts *testServer, n int) *http.Client {
	c := ts.ep.Client()
	c.Timeout = 3 * time.Minute
	c.Transport.(*http.Transport).MaxIdleConnsPerHost = n
	return c
}

// TestResetLinkHasOneWinner uses one reset link from several requests at once: exactly one sets
// its password. A bcrypt cost of 6 (not the tests' 4) widens the window a race needs.
func TestResetLinkHasOneWinner(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxLoginAttempts = 0
	ts := startServer(t, Options{Config: cfg, BcryptCost: 6})
	status, _ := ts.call(t, http.MethodPost, motion.PathForgotPassword, motion.ForgotPasswordRequest{Email: "chloe@demo.phonebar.test"}, nil)
	require.Equal(t, http.StatusAccepted, status)
	tok := tokenOfLink(t, ts.srv.Outbox()[0].Link)
	const n = 4
	client := parallelClient(ts, n)
	defer client.CloseIdleConnections()
	pw := func(i int) string { return fmt.Sprintf("Winner-%d-Pass", i) }
	statuses := parallel(n, func(i int) int {
		req, _ := http.NewRequest(http.MethodPost, ts.ep.URL+motion.PathResetPassword,
			strings.NewReader(fmt.Sprintf(`{"token":%q,"newPassword":%q}`, tok, pw(i))))
		resp, err := client.Do(req)
		if err != nil {
			t.Log(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	})
	require.Equal(t, 1, count(statuses, http.StatusNoContent), "%v", statuses)
	assert.Equal(t, n-1, count(statuses, http.StatusBadRequest), "%v", statuses)
	for i, st := range statuses {
		status, _ := ts.call(t, http.MethodGet, motion.PathWhoami, nil, basic("chloe", pw(i)))
		if st == http.StatusNoContent {
			assert.Equal(t, http.StatusOK, status, "the winner's password is the one set")
		} else {
			assert.Equal(t, http.StatusUnauthorized, status, "a loser's password was not set")
		}
	}
}

// TestPasswordChangeHasOneWinner changes the password from several Basic requests at once, all
// with the right current password: exactly one succeeds.
func TestPasswordChangeHasOneWinner(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxLoginAttempts = 0
	ts := startServer(t, Options{Config: cfg, BcryptCost: 6})
	old := demoPassword(t, "chloe")
	client := parallelClient(ts, 4)
	defer client.CloseIdleConnections()
	statuses := parallel(4, func(i int) int {
		req, _ := http.NewRequest(http.MethodPut, ts.ep.URL+motion.PathChangePassword,
			strings.NewReader(fmt.Sprintf(`{"oldPassword":%q,"newPassword":"Changed-%d-Pass"}`, old, i)))
		req.SetBasicAuth("chloe", old)
		resp, err := client.Do(req)
		if err != nil {
			t.Log(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	})
	require.Equal(t, 1, count(statuses, http.StatusNoContent), "%v", statuses)
	for _, st := range statuses {
		if st != http.StatusNoContent {
			assert.Contains(t, []int{http.StatusConflict, http.StatusUnauthorized}, st, "a loser is told the password changed or is wrong now")
		}
	}
}

// TestPasswordChangeEndsTheOtherSessions: a change ends every other session of the user (their
// realtime sockets are told why); the session that changed it goes on. A reset link ends them all.
func TestPasswordChangeEndsTheOtherSessions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := DefaultConfig()
	cfg.PhonebarMultiLogin = true
	ts := startServer(t, Options{Config: cfg, HeartbeatMS: 60_000})
	pw := demoPassword(t, "chloe")
	changer := ts.login(t, "chloe", pw)
	other := ts.login(t, "chloe", pw)
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "chloe", Password: pw, Client: motion.ClientWeb}, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	var web motion.LoginResponse
	require.NoError(t, json.Unmarshal(body, &web))
	bystander := ts.login(t, "admin", demoPassword(t, "admin"))

	sockets := map[string]string{"other": other.Token, "web": web.Token, "changer": changer.Token}
	conns := map[string]*websocket.Conn{}
	for name, tok := range sockets {
		c, _, err := ts.dialRealtime(ctx, t, bearer(tok))
		require.NoError(t, err)
		require.Equal(t, motion.EventHello, readEvent(ctx, t, c).Type)
		conns[name] = c
	}

	status, body = ts.call(t, http.MethodPut, motion.PathChangePassword,
		motion.ChangePasswordRequest{OldPassword: pw, NewPassword: "Changed-Chloe-1"}, bearer(changer.Token))
	require.Equal(t, http.StatusNoContent, status, string(body))

	for _, name := range []string{"other", "web"} {
		ev := readEvent(ctx, t, conns[name])
		assert.Equal(t, motion.EventLogout, ev.Type, name)
		assert.Equal(t, motion.CodePasswordChanged, ev.Reason, name)
		assert.Contains(t, ev.Message, "password", name)
		status, body := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(sockets[name]))
		assert.Equal(t, http.StatusUnauthorized, status, name)
		assert.Equal(t, motion.CodeSessionEnded, errBody(t, body).Code, name)
	}
	status, _ = ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(changer.Token))
	assert.Equal(t, http.StatusOK, status, "the session that changed the password goes on")
	status, _ = ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(bystander.Token))
	assert.Equal(t, http.StatusOK, status, "another user's session is untouched")
	assert.Equal(t, 1, ts.srv.RealtimeSockets("chloe"))

	// A reset link (no session made it) ends every session of the user.
	status, _ = ts.call(t, http.MethodPost, motion.PathForgotPassword, motion.ForgotPasswordRequest{Email: "chloe@demo.phonebar.test"}, nil)
	require.Equal(t, http.StatusAccepted, status)
	status, body = ts.call(t, http.MethodPost, motion.PathResetPassword,
		motion.ResetPasswordRequest{Token: tokenOfLink(t, ts.srv.Outbox()[0].Link), NewPassword: "Changed-Chloe-2"}, nil)
	require.Equal(t, http.StatusNoContent, status, string(body))
	ev := readEvent(ctx, t, conns["changer"])
	assert.Equal(t, motion.CodePasswordChanged, ev.Reason)
	status, _ = ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(changer.Token))
	assert.Equal(t, http.StatusUnauthorized, status)
}

// TestRealtimeSocketsPerSessionAreBounded: a session's newest sockets stay, the oldest beyond the
// bound is closed.
func TestRealtimeSocketsPerSessionAreBounded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ts := startServer(t, Options{HeartbeatMS: 60_000})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	var conns []*websocket.Conn
	for range maxSocketsPerSession + 1 {
		c, _, err := ts.dialRealtime(ctx, t, bearer(lr.Token))
		require.NoError(t, err)
		require.Equal(t, motion.EventHello, readEvent(ctx, t, c).Type)
		conns = append(conns, c)
	}
	_, _, err := conns[0].Read(ctx)
	require.Error(t, err, "the oldest socket was closed")
	require.Eventually(t, func() bool { return ts.srv.RealtimeSockets("chloe") == maxSocketsPerSession }, 5*time.Second, 10*time.Millisecond)
	status, _ := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	assert.Equal(t, http.StatusOK, status, "the session stays")
}

// TestIdleSIPWebSocketsDoNotShutThePBX: the flood that took the PBX down (idle WebSockets) is
// refused beyond pbx.maxConnectionsPerAddress, the idle ones are closed after pbx.registerSeconds,
// and a WebRTC agent registers afterwards.
func TestIdleSIPWebSocketsDoNotShutThePBX(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := DefaultConfig()
	cfg.PBX.RegisterSeconds, cfg.PBX.MaxConnectionsPerAddress = 1, 4
	ts := startServer(t, Options{Config: cfg, Now: time.Now})
	dial := func() (*websocket.Conn, int) {
		ws, resp, err := websocket.Dial(ctx, "wss"+strings.TrimPrefix(ts.ep.URL, "https")+PathSIPWebSocket,
			&websocket.DialOptions{Subprotocols: []string{"sip"}, HTTPClient: ts.client})
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		if err != nil {
			require.NotNil(t, resp, "%v", err)
			return nil, resp.StatusCode
		}
		t.Cleanup(func() { ws.CloseNow() })
		return ws, 0
	}
	var idle []*websocket.Conn
	refused := 0
	for range 20 {
		ws, status := dial()
		if ws != nil {
			idle = append(idle, ws)
			continue
		}
		assert.Equal(t, http.StatusServiceUnavailable, status)
		refused++
	}
	assert.Len(t, idle, 4)
	assert.Equal(t, 16, refused)
	for _, ws := range idle {
		_, _, err := ws.Read(ctx)
		assert.Error(t, err, "the idle connection was closed")
	}
	_, err := startSoftphone(ctx, t, ts.sipAccount(t, "alice"), 440)
	require.NoError(t, err, "the agent registers once the idle connections are gone")
}
