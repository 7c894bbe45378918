package sipua

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/coder/websocket"

	"github.com/phonebar/phonebar/internal/tlspin"
)

// Conn is one message-oriented connection to the SIP server: each Read returns one whole SIP message.
// Tests replace it; the real one is a WebSocket.
type Conn interface {
	// Read blocks for the next message; an error means the connection is gone.
	Read(ctx context.Context) ([]byte, error)
	// Write sends one message. It is safe to call from several goroutines.
	Write(ctx context.Context, msg []byte) error
	// Close ends the connection; a blocked Read returns.
	Close() error
}

// DialFunc opens a Conn to the SIP server.
type DialFunc func(ctx context.Context) (Conn, error)

// maxMessage bounds one SIP message read from the network.
const maxMessage = 64 << 10

// WebSocketDialer returns a DialFunc for a ws:// or wss:// URL with the "sip" subprotocol. For wss,
// the server's certificate must verify against the system roots or match pin (see tlspin). The
// connection answers the server's pings while it reads.
func WebSocketDialer(rawURL string, pin tlspin.Fingerprint) (DialFunc, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return nil, fmt.Errorf("%w: %q is not a ws:// or wss:// URL", ErrBadAccount, rawURL)
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 15 * time.Second}
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			// net/http goes on dialling after the request was given up (to pool the connection);
			// a SIP dial that lost its race must stop with it.
			if done, ok := ctx.Value(doneKey{}).(<-chan struct{}); ok {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				defer cancel()
				stop := make(chan struct{})
				defer close(stop)
				go func() {
					select {
					case <-done:
						cancel()
					case <-stop:
					}
				}()
			}
			c, err := dialer.DialContext(ctx, network, addr)
			if err == nil {
				if p, ok := ctx.Value(peerKey{}).(*[2]net.Addr); ok {
					p[0], p[1] = c.RemoteAddr(), c.LocalAddr()
				}
			}
			return c, err
		},
		TLSHandshakeTimeout: 10 * time.Second,
	}
	if u.Scheme == "wss" {
		tr.TLSClientConfig = tlspin.ClientConfig(u.Hostname(), nil, pin)
	}
	client := &http.Client{Transport: tr}
	return func(ctx context.Context) (Conn, error) {
		var peer [2]net.Addr // remote, local
		ctx = context.WithValue(ctx, peerKey{}, &peer)
		ctx = context.WithValue(ctx, doneKey{}, ctx.Done())
		c, resp, err := websocket.Dial(ctx, u.String(), &websocket.DialOptions{
			HTTPClient:   client,
			Subprotocols: []string{"sip"},
		})
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		if err != nil {
			var untrusted *tlspin.UntrustedError
			var mismatch *tlspin.MismatchError
			if errors.As(err, &untrusted) {
				return nil, untrusted
			}
			if errors.As(err, &mismatch) {
				return nil, mismatch
			}
			return nil, fmt.Errorf("%w at %s: %w", ErrConnect, u.Redacted(), err)
		}
		if c.Subprotocol() != "sip" {
			c.CloseNow()
			return nil, fmt.Errorf("%w at %s: the server does not speak SIP over WebSocket (no \"sip\" subprotocol)", ErrConnect, u.Redacted())
		}
		c.SetReadLimit(maxMessage)
		return &wsConn{c: c, peer: peer[0], local: peer[1]}, nil
	}, nil
}

// peerKey carries, in a dial's context, where to note the address the connection reached; doneKey
// the dial's own Done channel, which net/http's dialling context no longer has.
type peerKey struct{}
type doneKey struct{}

// RemoteAddr is what a Conn may implement to say which address it reached (the server's, or an
// HTTP proxy's) and from which local address.
type RemoteAddr interface {
	RemoteAddr() net.Addr
	LocalAddr() net.Addr
}

// NewWSConn is the Conn of an open SIP WebSocket (RFC 7118), at either end: the phone's dial, or a
// server that accepted a phone (the demo PBX). Control frames are answered while it reads.
func NewWSConn(c *websocket.Conn) Conn { return &wsConn{c: c} }

type wsConn struct {
	c           *websocket.Conn
	peer, local net.Addr // nil when not known
}

// RemoteAddr is the address the connection reached, nil when not known.
func (w *wsConn) RemoteAddr() net.Addr { return w.peer }

// LocalAddr is the address the connection leaves from, nil when not known.
func (w *wsConn) LocalAddr() net.Addr { return w.local }

func (w *wsConn) Read(ctx context.Context) ([]byte, error) {
	for {
		typ, b, err := w.c.Read(ctx)
		if err != nil {
			return nil, err
		}
		if typ == websocket.MessageText || typ == websocket.MessageBinary {
			return b, nil
		}
	}
}

func (w *wsConn) Write(ctx context.Context, msg []byte) error {
	return w.c.Write(ctx, websocket.MessageText, msg)
}

func (w *wsConn) Close() error { return w.c.CloseNow() }

// Ping sends a WebSocket ping and waits for its pong (the read loop must be reading).
func (w *wsConn) Ping(ctx context.Context) error { return w.c.Ping(ctx) }
