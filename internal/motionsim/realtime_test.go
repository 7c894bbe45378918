package motionsim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

// dialRealtime opens the realtime socket with the given headers.
func (ts *testServer) dialRealtime(ctx context.Context, t *testing.T, h http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	u := "wss" + strings.TrimPrefix(ts.ep.URL, "https") + motion.PathRealtime
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: ts.client, HTTPHeader: h})
	if c != nil {
		t.Cleanup(func() { c.CloseNow() })
	}
	return c, resp, err
}

func readEvent(ctx context.Context, t *testing.T, c *websocket.Conn) motion.Event {
	t.Helper()
	typ, data, err := c.Read(ctx)
	require.NoError(t, err)
	require.Equal(t, websocket.MessageText, typ)
	var ev motion.Event
	require.NoError(t, json.Unmarshal(data, &ev), string(data))
	return ev
}

func TestRealtimeHelloAndHeartbeats(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ts := startServer(t, Options{HeartbeatMS: 50})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))

	tests := []struct {
		name   string
		header http.Header
	}{
		{"bearer header", bearer(lr.Token)},
		{"token cookie", http.Header{"Cookie": {motion.TokenCookie + "=" + lr.Token}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := ts.dialRealtime(ctx, t, tt.header)
			require.NoError(t, err)
			assert.Equal(t, motion.Event{Type: motion.EventHello, HeartbeatMS: 50}, readEvent(ctx, t, c))
			start := time.Now()
			for range 3 {
				assert.Equal(t, motion.Event{Type: motion.EventHeartbeat}, readEvent(ctx, t, c))
			}
			elapsed := time.Since(start)
			assert.Greater(t, elapsed, 100*time.Millisecond, "heartbeats are paced")
			assert.Less(t, elapsed, 2*time.Second)
			assert.Equal(t, 1, ts.srv.RealtimeSockets("chloe"))
			require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
			require.Eventually(t, func() bool { return ts.srv.RealtimeSockets("chloe") == 0 }, 5*time.Second, 10*time.Millisecond)
		})
	}
	var rt []WebRequest
	for _, w := range ts.srv.WebRequests() {
		if w.Path == motion.PathRealtime {
			rt = append(rt, w)
		}
	}
	require.Len(t, rt, 2)
	for _, w := range rt {
		assert.Equal(t, WebAuthOK, w.Auth)
		assert.Equal(t, "chloe", w.User)
	}
}

func TestRealtimeDefaultHeartbeat(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ts := startServer(t, Options{})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	c, _, err := ts.dialRealtime(ctx, t, bearer(lr.Token))
	require.NoError(t, err)
	assert.Equal(t, 1000, readEvent(ctx, t, c).HeartbeatMS)
}

func TestRealtimeRefusals(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var refuse atomic.Bool
	refuse.Store(true)
	ts := startServer(t, Options{Hooks: Hooks{AllowRealtime: func(*http.Request) error {
		if refuse.Load() {
			return errors.New("realtime refused by the test")
		}
		return nil
	}}})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	tests := []struct {
		name       string
		header     http.Header
		wantStatus int
	}{
		{"no token", nil, http.StatusUnauthorized},
		{"unknown token", bearer("nope"), http.StatusUnauthorized},
		{"basic is not a session", basic("chloe", demoPassword(t, "chloe")), http.StatusUnauthorized},
		{"unknown scheme", http.Header{"Authorization": {"Token x"}}, http.StatusUnauthorized},
		{"refused by the hook", bearer(lr.Token), http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := ts.dialRealtime(ctx, t, tt.header)
			require.Error(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
		})
	}
	refuse.Store(false)
	_, resp, err := ts.dialRealtime(ctx, t, http.Header{"Cookie": {motion.TokenCookie + "=" + lr.Token}, "Origin": {"https://evil.example"}})
	require.Error(t, err, "a page of another site cannot use the agent's cookie")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	c, _, err := ts.dialRealtime(ctx, t, bearer(lr.Token))
	require.NoError(t, err)
	assert.Equal(t, motion.EventHello, readEvent(ctx, t, c).Type)
}

func TestRealtimeForcedLoginSendsLogout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ts := startServer(t, Options{HeartbeatMS: 20})
	pw := demoPassword(t, "alice")
	first := ts.login(t, "alice", pw)
	c, _, err := ts.dialRealtime(ctx, t, bearer(first.Token))
	require.NoError(t, err)
	require.Equal(t, motion.EventHello, readEvent(ctx, t, c).Type)

	status, _ := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "alice", Password: pw, Force: true}, nil)
	require.Equal(t, http.StatusOK, status)
	var ev motion.Event
	for ev = readEvent(ctx, t, c); ev.Type == motion.EventHeartbeat; ev = readEvent(ctx, t, c) {
	}
	assert.Equal(t, motion.EventLogout, ev.Type)
	assert.Equal(t, motion.CodeSessionExists, ev.Reason)
	assert.Contains(t, ev.Message, "someone logged in with your credentials")
	_, _, err = c.Read(ctx)
	assert.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(err), "closed after the logout: %v", err)

	// Reconnecting with the ended token is refused.
	_, resp, err := ts.dialRealtime(ctx, t, bearer(first.Token))
	require.Error(t, err)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestRealtimeKeepsTheSessionAliveAndItsLossEndsIt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := DefaultConfig()
	cfg.DisconnectionTimeoutMinutes = 2
	ts := startServer(t, Options{Config: cfg, HeartbeatMS: 20})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	c, _, err := ts.dialRealtime(ctx, t, bearer(lr.Token))
	require.NoError(t, err)
	readEvent(ctx, t, c)

	ts.clock.Advance(time.Hour)
	ts.srv.Sweep()
	status, _ := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status, "a connected session does not time out")

	c.CloseNow()
	require.Eventually(t, func() bool { return ts.srv.RealtimeSockets("chloe") == 0 }, 5*time.Second, 10*time.Millisecond)
	ts.clock.Advance(time.Minute + 59*time.Second)
	ts.srv.Sweep()
	status, _ = ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status, "not yet")
	ts.clock.Advance(time.Second)
	ts.srv.Sweep()
	status, body := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, motion.CodeSessionEnded, errBody(t, body).Code)
	assert.Equal(t, motion.CodeSessionEnded, ts.srv.Sessions()[0].EndReason)
}

func TestRealtimeDropAndLogout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ts := startServer(t, Options{HeartbeatMS: 20})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	c, _, err := ts.dialRealtime(ctx, t, bearer(lr.Token))
	require.NoError(t, err)
	readEvent(ctx, t, c)
	assert.Equal(t, 1, ts.srv.DropRealtime())
	for {
		if _, _, err = c.Read(ctx); err != nil {
			break
		}
	}
	assert.Equal(t, websocket.StatusCode(-1), websocket.CloseStatus(err), "dropped without a close frame: %v", err)
	status, _ := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	assert.Equal(t, http.StatusOK, status, "the session survives a drop")

	c2, _, err := ts.dialRealtime(ctx, t, bearer(lr.Token))
	require.NoError(t, err)
	readEvent(ctx, t, c2)
	status, _ = ts.call(t, http.MethodPost, motion.PathLogout, nil, bearer(lr.Token))
	require.Equal(t, http.StatusNoContent, status)
	var ev motion.Event
	for ev = readEvent(ctx, t, c2); ev.Type == motion.EventHeartbeat; ev = readEvent(ctx, t, c2) {
	}
	assert.Equal(t, motion.EventLogout, ev.Type)
	assert.Equal(t, EndLogout, ev.Reason)
}

func TestCloseEndsRealtimeSockets(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := New(Options{BcryptCost: 4, HeartbeatMS: 20})
	require.NoError(t, err)
	ep, err := srv.Start(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	ts := &testServer{srv: srv, ep: ep, client: ep.Client()}
	defer ts.client.CloseIdleConnections()
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	c, _, err := ts.dialRealtime(ctx, t, bearer(lr.Token))
	require.NoError(t, err)
	readEvent(ctx, t, c)
	done := make(chan struct{})
	go func() {
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Close waited for a client that does not answer the close handshake")
	}
	for {
		if _, _, err = c.Read(ctx); err != nil {
			break
		}
	}
	assert.Equal(t, websocket.StatusGoingAway, websocket.CloseStatus(err), "%v", err)
}

func TestPauseRealtimeSilencesSockets(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ts := startServer(t, Options{HeartbeatMS: 20})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	c, _, err := ts.dialRealtime(ctx, t, bearer(lr.Token))
	require.NoError(t, err)
	readEvent(ctx, t, c)
	readEvent(ctx, t, c)
	ts.srv.PauseRealtime(true)
	time.Sleep(40 * time.Millisecond) // a heartbeat already on its way has arrived
	quiet, cancelQuiet := context.WithTimeout(ctx, 300*time.Millisecond)
	n := 0
	for {
		if _, _, err := c.Read(quiet); err != nil {
			break
		}
		n++
	}
	cancelQuiet()
	assert.LessOrEqual(t, n, 1, "at 20 ms a running socket would have sent about 15 heartbeats")
	c2, resp, err := ts.dialRealtime(ctx, t, bearer(lr.Token))
	require.Error(t, err, "new sockets are refused while paused")
	assert.Nil(t, c2)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	ts.srv.PauseRealtime(false)
	c3, _, err := ts.dialRealtime(ctx, t, bearer(lr.Token))
	require.NoError(t, err)
	assert.Equal(t, motion.EventHello, readEvent(ctx, t, c3).Type)
}
