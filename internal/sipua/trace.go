package sipua

import (
	"context"
	"net"
)

// TraceFunc receives every SIP message sent (out) and received on the connection, as it travels:
// secrets included, so it must redact before it keeps anything (see logging.RedactSIP). It must
// not keep msg after it returns.
type TraceFunc func(out bool, msg []byte)

// tracedDial wraps each connection of dial so that trace sees its messages.
func tracedDial(dial DialFunc, trace TraceFunc) DialFunc {
	return func(ctx context.Context) (Conn, error) {
		c, err := dial(ctx)
		if err != nil {
			return nil, err
		}
		t := &tracedConn{Conn: c, trace: trace}
		if p, ok := c.(Pinger); ok {
			return &tracedPinger{tracedConn: t, p: p}, nil
		}
		return t, nil
	}
}

type tracedConn struct {
	Conn
	trace TraceFunc
}

func (t *tracedConn) Read(ctx context.Context) ([]byte, error) {
	b, err := t.Conn.Read(ctx)
	if err == nil {
		t.trace(false, b)
	}
	return b, err
}

func (t *tracedConn) Write(ctx context.Context, msg []byte) error {
	t.trace(true, msg)
	return t.Conn.Write(ctx, msg)
}

// RemoteAddr and LocalAddr pass on what the connection says (see the RemoteAddr interface).
func (t *tracedConn) RemoteAddr() net.Addr {
	if ra, ok := t.Conn.(RemoteAddr); ok {
		return ra.RemoteAddr()
	}
	return nil
}

func (t *tracedConn) LocalAddr() net.Addr {
	if ra, ok := t.Conn.(RemoteAddr); ok {
		return ra.LocalAddr()
	}
	return nil
}

// tracedPinger keeps the keep-alives of a connection that has them.
type tracedPinger struct {
	*tracedConn
	p Pinger
}

func (t *tracedPinger) Ping(ctx context.Context) error { return t.p.Ping(ctx) }
