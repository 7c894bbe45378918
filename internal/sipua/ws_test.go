package sipua_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/emiago/sipgo/sip"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRegistrar is a SIP-over-WebSocket server that accepts every REGISTER and hands each connection
// to the test.
type fakeRegistrar struct {
	srv   *httptest.Server
	conns chan *fakeConn
}

type fakeConn struct {
	ws        *websocket.Conn
	requests  chan *sip.Request
	responses chan *sip.Response
	closed    chan struct{}
}

func newFakeRegistrar(t *testing.T) *fakeRegistrar {
	f := &fakeRegistrar{conns: make(chan *fakeConn, 16)}
	var wg sync.WaitGroup
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"sip"}})
		if err != nil {
			return
		}
		wg.Add(1)
		defer wg.Done()
		c := &fakeConn{ws: ws, requests: make(chan *sip.Request, 64), responses: make(chan *sip.Response, 64), closed: make(chan struct{})}
		f.conns <- c
		defer close(c.closed)
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				return
			}
			msg, err := sip.ParseMessage(b)
			if err != nil {
				continue
			}
			if res, ok := msg.(*sip.Response); ok {
				c.responses <- res
				continue
			}
			req := msg.(*sip.Request)
			if req.Method == sip.REGISTER {
				res := sip.NewResponseFromRequest(req, 200, "OK", nil)
				_ = ws.Write(context.Background(), websocket.MessageText, []byte(res.String()))
			}
			c.requests <- req
		}
	}))
	t.Cleanup(func() {
		f.srv.CloseClientConnections()
		f.srv.Close()
		wg.Wait()
	})
	return f
}

func (f *fakeRegistrar) url() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/" }

func (f *fakeRegistrar) next(ctx context.Context, t *testing.T) *fakeConn {
	t.Helper()
	select {
	case c := <-f.conns:
		return c
	case <-ctx.Done():
		t.Fatal("no connection came")
		return nil
	}
}

func (c *fakeConn) request(ctx context.Context, t *testing.T, method sip.RequestMethod) *sip.Request {
	t.Helper()
	for {
		select {
		case r := <-c.requests:
			if r.Method == method {
				return r
			}
		case <-ctx.Done():
			t.Fatalf("no %s came", method)
			return nil
		}
	}
}

func TestWebSocketPingAnswered(t *testing.T) {
	rtctest.CheckLeaks(t)
	f := newFakeRegistrar(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log := newStateLog()
	_, done := runUA(t, ctx, sipua.Options{AOR: "sip:1001@example.com", Password: "pw", URL: f.url(), Handler: sipua.Handler{State: log.handler}})
	c := f.next(ctx, t)
	log.wait(ctx, t, sipua.StateRegistered)
	for i := range 3 {
		pctx, pcancel := context.WithTimeout(ctx, 3*time.Second)
		err := c.ws.Ping(pctx)
		pcancel()
		require.NoError(t, err, "ping %d not answered", i)
	}
	cancel()
	require.NoError(t, <-done)
}

func TestReconnectAfterDrop(t *testing.T) {
	rtctest.CheckLeaks(t)
	f := newFakeRegistrar(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log := newStateLog()
	_, done := runUA(t, ctx, sipua.Options{AOR: "sip:1001@example.com", Password: "pw", URL: f.url(), Handler: sipua.Handler{State: log.handler}})
	first := f.next(ctx, t)
	reg := first.request(ctx, t, sip.REGISTER)
	log.wait(ctx, t, sipua.StateRegistered)
	first.ws.CloseNow()
	log.wait(ctx, t, sipua.StateWaiting)
	second := f.next(ctx, t)
	again := second.request(ctx, t, sip.REGISTER)
	log.wait(ctx, t, sipua.StateRegistered)
	assert.Equal(t, reg.CallID().Value(), again.CallID().Value(), "a re-registration keeps its Call-ID")
	assert.Greater(t, again.CSeq().SeqNo, reg.CSeq().SeqNo)
	cancel()
	require.NoError(t, <-done)
	<-second.closed
	unreg := second.request(context.Background(), t, sip.REGISTER)
	assert.Equal(t, "0", unreg.GetHeader("Expires").Value(), "Run unregisters on the way out")
}

func TestHostileMessagesIgnored(t *testing.T) {
	rtctest.CheckLeaks(t)
	f := newFakeRegistrar(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log := newStateLog()
	_, done := runUA(t, ctx, sipua.Options{AOR: "sip:1001@example.com", Password: "pw", URL: f.url(), Handler: sipua.Handler{State: log.handler}})
	c := f.next(ctx, t)
	log.wait(ctx, t, sipua.StateRegistered)
	hostile := []string{
		"",
		"\r\n\r\n",
		"garbage",
		"INVITE sip:x SIP/2.0\r\n\r\n",
		"INVITE sip:1001@example.com SIP/2.0\r\nVia: SIP/2.0/WS x;branch=z9hG4bK1\r\nContent-Length: 99999\r\n\r\nv=0",
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/WS x;branch=nope\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n",
		"BYE sip:1001@example.com SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bKbye\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:1001@example.com>;tag=2\r\nCall-ID: unknown\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n",
	}
	for _, m := range hostile {
		require.NoError(t, c.ws.Write(ctx, websocket.MessageText, []byte(m)))
	}
	// The agent still answers: an OPTIONS gets its 200 on the same connection.
	opts := "OPTIONS sip:1001@example.com SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bKopt\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:1001@example.com>\r\nCall-ID: probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	require.NoError(t, c.ws.Write(ctx, websocket.MessageText, []byte(opts)))
	for {
		select {
		case res := <-c.responses:
			if res.CallID().Value() != "probe" {
				continue
			}
			assert.Equal(t, 200, res.StatusCode)
		case <-ctx.Done():
			t.Fatal("the agent stopped answering after hostile messages")
		}
		break
	}
	// A message over the size limit ends the connection; the agent reconnects and registers again.
	require.NoError(t, c.ws.Write(ctx, websocket.MessageText, []byte(strings.Repeat("A", 70000))))
	f.next(ctx, t).request(ctx, t, sip.REGISTER)
	cancel()
	require.NoError(t, <-done)
}
