package pbx

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// closedWithin reports whether the PBX closed the raw connection within d.
func (r *rawClient) closedWithin(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case _, ok := <-r.in:
			if !ok {
				return true
			}
		case <-t.C:
			return false
		}
	}
}

// tryDial opens a SIP WebSocket and returns the HTTP status of a refusal (0 when it opened).
func (tp *testPBX) tryDial(ctx context.Context, t *testing.T) (*websocket.Conn, int) {
	t.Helper()
	ws, resp, err := websocket.Dial(ctx, tp.URL, &websocket.DialOptions{
		Subprotocols: []string{"sip"},
		HTTPClient:   &http.Client{Transport: &http.Transport{TLSClientConfig: tlspin.ClientConfig(tp.Host, nil, tp.Pin)}},
	})
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

// TestIdleConnectionsAreClosed: a connection that does not register within RegisterTimeout is
// closed; one that registered stays.
func TestIdleConnectionsAreClosed(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, func(o *Options) { o.RegisterTimeout = 300 * time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	idle := tp.dialRaw(ctx, t)
	registered := tp.dialRaw(ctx, t)
	res := registered.register(ctx, "1001", testAccounts["1001"])
	require.NotNil(t, res)
	require.Equal(t, 200, res.StatusCode)
	wrong := tp.dialRaw(ctx, t)
	res = wrong.register(ctx, "1002", "wrong")
	require.NotNil(t, res)
	require.Equal(t, 401, res.StatusCode)

	assert.True(t, idle.closedWithin(5*time.Second), "an idle connection is closed")
	assert.True(t, wrong.closedWithin(5*time.Second), "wrong credentials do not keep a connection")
	assert.False(t, registered.closedWithin(time.Second), "a registered connection stays")
	res = registered.send(ctx, request("OPTIONS", "sip:"+ExtEcho+"@127.0.0.1", "c-alive", "", ""))
	require.NotNil(t, res)
	assert.Equal(t, 200, res.StatusCode)
}

// TestConnectionsPerAddressAreCapped: beyond MaxConnectionsPerAddress from one address, new
// WebSockets are refused with 503 (idle ones are also closed after RegisterTimeout, which frees
// their places).
func TestConnectionsPerAddressAreCapped(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, func(o *Options) { o.MaxConnectionsPerAddress = 3; o.RegisterTimeout = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var open []*websocket.Conn
	for range 3 {
		ws, status := tp.tryDial(ctx, t)
		require.Zero(t, status)
		open = append(open, ws)
	}
	for range 5 {
		_, status := tp.tryDial(ctx, t)
		assert.Equal(t, http.StatusServiceUnavailable, status)
	}
	// A registered phone of the same address still gets in once a place is free.
	open[0].CloseNow()
	require.Eventually(t, func() bool {
		tp.mu.Lock()
		defer tp.mu.Unlock()
		return tp.perAddr["127.0.0.1"] == 2
	}, 5*time.Second, 10*time.Millisecond)
	a := startAgent(ctx, t, tp.account("1001"), 440, nil)
	require.NoError(t, a.registered(ctx))
}

// TestCallsPerUserAreCapped: an agent's calls beyond MaxCallsPerUser are refused 486, and a
// customer call to an agent who has them fails with ErrBusy.
func TestCallsPerUserAreCapped(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, func(o *Options) { o.MaxCallsPerUser = 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := startAgent(ctx, t, tp.account("1001"), 440, nil)
	require.NoError(t, a.registered(ctx))
	for range 2 {
		_, err := a.p.Dial(ctx, ExtEcho)
		require.NoError(t, err)
	}
	_, err := a.p.Dial(ctx, ExtEcho)
	var se *sipua.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 486, se.Code)
	_, err = tp.CallAgent(ctx, CustomerCall{Agent: "1001"})
	assert.True(t, errors.Is(err, ErrBusy), "%v", err)

	b := startAgent(ctx, t, tp.account("1002"), 440, nil)
	require.NoError(t, b.registered(ctx))
	_, err = b.p.Dial(ctx, ExtEcho)
	assert.NoError(t, err, "another agent's calls are not counted")
}
