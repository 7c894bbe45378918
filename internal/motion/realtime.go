package motion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/sirupsen/logrus"
)

// DefaultHeartbeat is assumed until the server's hello says otherwise.
const DefaultHeartbeat = 10 * time.Second

// StaleHeartbeats is how many heartbeat intervals of silence mean the socket is dead: one and a
// half, so that one missed heartbeat is enough and the agent is told within two intervals of a cut
// (a closed socket is seen at once). A late heartbeat costs one reconnection, which is cheap.
const StaleHeartbeats = 1.5

// maxEvent bounds one realtime message.
const maxEvent = 64 << 10

// Realtime is one realtime WebSocket to the server. Next returns its events in order; it is meant
// for one reading goroutine. Close may be called from any goroutine, more than once.
type Realtime struct {
	conn     *websocket.Conn
	log      logrus.FieldLogger
	host     string
	port     string
	first    time.Duration // silence allowed before the first message
	mu       sync.Mutex
	interval time.Duration // heartbeat interval (from hello)
	last     time.Time     // when the last message came
	gotFirst bool
	closed   bool
}

// DialRealtime opens PathRealtime with the session token (Authorization: Bearer) over the client's
// TLS settings. Errors are those of the REST calls: *APIError (ErrUnauthorized when the token is no
// longer good), *NetError, tlspin errors.
func (c *Client) DialRealtime(ctx context.Context) (*Realtime, error) {
	token := c.bearer()
	if token == "" {
		return nil, ErrNotLoggedIn
	}
	u := c.base.JoinPath(PathRealtime)
	u.Scheme = "wss"
	dctx, cancel := context.WithTimeout(ctx, c.dialTimeout)
	defer cancel()
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	conn, resp, err := websocket.Dial(dctx, u.String(), &websocket.DialOptions{HTTPClient: c.hc, HTTPHeader: h})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			var data []byte
			if resp.Body != nil {
				data, _ = io.ReadAll(io.LimitReader(resp.Body, maxBody))
				resp.Body.Close()
			}
			if resp.StatusCode >= 300 {
				return nil, apiError("the realtime connection", PathRealtime, resp.StatusCode, data)
			}
		}
		return nil, c.classify(ctx, err)
	}
	conn.SetReadLimit(maxEvent)
	host, p := hostPort(c.base)
	c.log.Info("motion: realtime connected")
	return &Realtime{conn: conn, log: c.log, host: host, port: p, first: c.dialTimeout, interval: DefaultHeartbeat, last: time.Now()}, nil
}

// Heartbeat returns the interval announced by the server's hello (DefaultHeartbeat before it).
func (r *Realtime) Heartbeat() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.interval
}

// Next waits for the next event. It fails with an error matching ErrRealtimeStale when nothing came
// for StaleHeartbeats heartbeat intervals (or, before the first message, for the dial timeout), with
// one matching ErrRealtimeClosed when the socket closed, or with ctx's error. After an error the
// socket is closed; dial a new one. Unknown event types are returned as they are.
func (r *Realtime) Next(ctx context.Context) (Event, error) {
	r.mu.Lock()
	wait := time.Duration(StaleHeartbeats * float64(r.interval))
	if !r.gotFirst {
		wait = r.first
	}
	deadline := r.last.Add(wait)
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return Event{}, ErrRealtimeClosed
	}
	rctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	typ, data, err := r.conn.Read(rctx)
	if err != nil {
		r.conn.CloseNow()
		switch {
		case ctx.Err() != nil:
			return Event{}, ctx.Err()
		case rctx.Err() != nil:
			return Event{}, fmt.Errorf("%w: nothing from the server for %s (%.1f heartbeats): the connection is considered lost", ErrRealtimeStale, wait, StaleHeartbeats)
		}
		if s := websocket.CloseStatus(err); s != -1 {
			return Event{}, fmt.Errorf("%w by the server (%d %s)", ErrRealtimeClosed, s, closeReason(err))
		}
		r.mu.Lock()
		wasClosed := r.closed
		r.mu.Unlock()
		if wasClosed {
			return Event{}, ErrRealtimeClosed
		}
		return Event{}, fmt.Errorf("%w: %w", ErrRealtimeClosed, classifyNet(ctx, err, r.host, r.port))
	}
	var ev Event
	if typ != websocket.MessageText || json.Unmarshal(data, &ev) != nil || ev.Type == "" {
		r.conn.CloseNow()
		return Event{}, fmt.Errorf("%w: the server sent a message that is not a Motion event", ErrRealtimeClosed)
	}
	r.mu.Lock()
	r.last = time.Now()
	r.gotFirst = true
	if ev.Type == EventHello && ev.HeartbeatMS > 0 {
		r.interval = time.Duration(ev.HeartbeatMS) * time.Millisecond
	}
	r.mu.Unlock()
	if ev.Type != EventHeartbeat {
		r.log.WithFields(logrus.Fields{"type": ev.Type, "reason": ev.Reason}).Info("motion: realtime event")
	}
	return ev, nil
}

func closeReason(err error) string {
	var ce websocket.CloseError
	if errors.As(err, &ce) && ce.Reason != "" {
		return ce.Reason
	}
	return "closed"
}

// Close closes the socket (normal closure). It returns at once if already closed.
func (r *Realtime) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	// CloseNow: a polite close waits for the peer, which a dead network never answers.
	err := r.conn.CloseNow()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}
