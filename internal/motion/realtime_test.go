package motion

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// realtimeFake serves PathRealtime with script, after checking the bearer token.
func realtimeFake(t *testing.T, script func(ctx context.Context, c *websocket.Conn)) *Client {
	t.Helper()
	_, _, c := newFake(t, map[string]http.HandlerFunc{
		"POST " + PathAuthLocal: loginOK,
		"GET " + PathRealtime: func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+testToken {
				writeJSON(w, 401, ErrorBody{Code: CodeUnauthorized, Message: "no token"})
				return
			}
			conn, err := websocket.Accept(w, r, nil)
			if !assert.NoError(t, err) {
				return
			}
			defer conn.CloseNow()
			script(r.Context(), conn)
		},
	}, nil)
	return c
}

// leakCheck verifies, after every cleanup of t (servers included), that no goroutine was left.
func leakCheck(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

func send(ctx context.Context, c *websocket.Conn, ev Event) error {
	b, _ := json.Marshal(ev)
	return c.Write(ctx, websocket.MessageText, b)
}

func login(t *testing.T, c *Client) {
	t.Helper()
	_, err := c.Login(context.Background(), LoginRequest{Name: "agent", Password: testPassword})
	require.NoError(t, err)
}

func TestRealtimeEventsInOrder(t *testing.T) {
	leakCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := realtimeFake(t, func(ctx context.Context, conn *websocket.Conn) {
		_ = send(ctx, conn, Event{Type: EventHello, HeartbeatMS: 40})
		for range 3 {
			_ = send(ctx, conn, Event{Type: EventHeartbeat})
		}
		_ = send(ctx, conn, Event{Type: "something-new"})
		_ = send(ctx, conn, Event{Type: EventLogout, Reason: CodeSessionExists, Message: "logged in elsewhere"})
		_, _, _ = conn.Read(ctx) // until the client closes
	})
	defer c.CloseIdleConnections()
	login(t, c)
	rt, err := c.DialRealtime(ctx)
	require.NoError(t, err)
	var got []string
	for range 6 {
		ev, err := rt.Next(ctx)
		require.NoError(t, err)
		got = append(got, ev.Type+":"+ev.Reason)
	}
	assert.Equal(t, []string{"hello:", "heartbeat:", "heartbeat:", "heartbeat:", "something-new:", "logout:SESSION_EXISTS"}, got)
	assert.Equal(t, 40*time.Millisecond, rt.Heartbeat())
	require.NoError(t, rt.Close())
	require.NoError(t, rt.Close(), "Close is idempotent")
	_, err = rt.Next(ctx)
	assert.ErrorIs(t, err, ErrRealtimeClosed)
}

func TestRealtimeDetectsSilence(t *testing.T) {
	leakCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := realtimeFake(t, func(ctx context.Context, conn *websocket.Conn) {
		_ = send(ctx, conn, Event{Type: EventHello, HeartbeatMS: 50})
		_, _, _ = conn.Read(ctx) // then silence, socket open until the client drops it
	})
	defer c.CloseIdleConnections()
	login(t, c)
	rt, err := c.DialRealtime(ctx)
	require.NoError(t, err)
	defer rt.Close()
	ev, err := rt.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, EventHello, ev.Type)
	start := time.Now()
	_, err = rt.Next(ctx)
	elapsed := time.Since(start)
	require.ErrorIs(t, err, ErrRealtimeStale)
	assert.GreaterOrEqual(t, elapsed, 70*time.Millisecond, "one and a half heartbeats of 50 ms")
	assert.Less(t, elapsed, 2*time.Second)
	assert.Contains(t, err.Error(), "considered lost")
}

func TestRealtimeServerCloses(t *testing.T) {
	leakCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := realtimeFake(t, func(ctx context.Context, conn *websocket.Conn) {
		_ = send(ctx, conn, Event{Type: EventHello, HeartbeatMS: 1000})
		_ = conn.Close(websocket.StatusGoingAway, "restarting")
	})
	defer c.CloseIdleConnections()
	login(t, c)
	rt, err := c.DialRealtime(ctx)
	require.NoError(t, err)
	defer rt.Close()
	_, err = rt.Next(ctx)
	require.NoError(t, err)
	_, err = rt.Next(ctx)
	require.ErrorIs(t, err, ErrRealtimeClosed)
	assert.Contains(t, err.Error(), "restarting")
}

func TestRealtimeDialErrors(t *testing.T) {
	leakCheck(t)
	ctx := context.Background()
	c := realtimeFake(t, func(context.Context, *websocket.Conn) {})
	defer c.CloseIdleConnections()
	_, err := c.DialRealtime(ctx)
	require.ErrorIs(t, err, ErrNotLoggedIn)

	login(t, c)
	c.setToken("stale-token")
	_, err = c.DialRealtime(ctx)
	require.ErrorIs(t, err, ErrUnauthorized)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 401, ae.Status)
}
