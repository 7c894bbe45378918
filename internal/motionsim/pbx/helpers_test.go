package pbx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// The test accounts: SIP user → password.
var testAccounts = map[string]string{"1001": "pw-1001", "1002": "pw-1002", "1003": "pw-1003"}

func lookup(user string) (string, bool) {
	pw, ok := testAccounts[user]
	return pw, ok
}

// testPBX is a PBX served over wss by an httptest server with its own certificate.
type testPBX struct {
	*PBX
	URL  string
	Pin  tlspin.Fingerprint
	Host string
}

func checkLeaks(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

func startPBX(t testing.TB, mutate func(*Options)) *testPBX {
	t.Helper()
	opts := Options{Lookup: lookup}
	if mutate != nil {
		mutate(&opts)
	}
	p, err := New(opts)
	require.NoError(t, err)
	ts := httptest.NewUnstartedServer(p)
	ts.StartTLS()
	t.Cleanup(func() {
		p.Close()
		ts.CloseClientConnections()
		ts.Close()
	})
	host := ts.Listener.Addr().String()
	return &testPBX{PBX: p, URL: "wss://" + host + "/ws", Pin: tlspin.Of(ts.Certificate()), Host: strings.Split(host, ":")[0]}
}

// agent is a phone.Phone registered to the test PBX, sending a tone and measuring what it hears.
type agent struct {
	p      *phone.Phone
	events chan phone.Event
	done   chan error
	cancel context.CancelFunc
}

func (tp *testPBX) account(user string) phone.Account {
	return phone.Account{AOR: "sip:" + user + "@" + tp.Host, Password: testAccounts[user], WSURL: tp.URL, Fingerprint: tp.Pin}
}

// startAgent runs a phone; with wait, it returns once registered.
func startAgent(ctx context.Context, t testing.TB, acc phone.Account, hz float64, mutate func(*phone.Config)) *agent {
	t.Helper()
	a := &agent{events: make(chan phone.Event, 1024), done: make(chan error, 1)}
	cfg := phone.Config{
		Account:   acc,
		NewSource: func() rtc.Source { return rtc.NewToneSource(hz) },
		NewSink:   func() rtc.Sink { return rtc.NewFrequencySink() },
		OnEvent: func(ev phone.Event) {
			select {
			case a.events <- ev:
			default:
			}
		},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	p, err := phone.New(cfg)
	require.NoError(t, err)
	a.p = p
	rctx, cancel := context.WithCancel(ctx)
	a.cancel = cancel
	go func() { a.done <- p.Run(rctx) }()
	t.Cleanup(a.stop)
	return a
}

var stopOnce sync.Map

func (a *agent) stop() {
	if _, loaded := stopOnce.LoadOrStore(a, true); loaded {
		return
	}
	a.cancel()
	err := <-a.done
	a.done <- err
}

// registered waits for the registration, or returns the error that ended Run.
func (a *agent) registered(ctx context.Context) error {
	for {
		select {
		case ev := <-a.events:
			if ev.Kind == phone.EventRegistration && ev.Registration == sipua.StateRegistered {
				return nil
			}
		case err := <-a.done:
			a.done <- err
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (a *agent) wait(ctx context.Context, t testing.TB, match func(phone.Event) bool) phone.Event {
	t.Helper()
	for {
		select {
		case ev := <-a.events:
			if match(ev) {
				return ev
			}
		case <-ctx.Done():
			t.Fatalf("event not seen: %v", ctx.Err())
		}
	}
}

// heard waits until the call's sink hears hz (±tol) and returns what it heard last.
func heard(ctx context.Context, c *phone.Call, hz, tol float64) float64 {
	sink := c.Sink().(*rtc.FrequencySink)
	var f float64
	for {
		f, _ = sink.Frequency()
		if f > hz-tol && f < hz+tol {
			return f
		}
		select {
		case <-ctx.Done():
			return f
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// rawClient speaks SIP over a raw WebSocket to the PBX, for what a well-behaved phone never sends.
type rawClient struct {
	t  testing.TB
	ws *websocket.Conn
	in chan []byte
}

func (tp *testPBX) dialRaw(ctx context.Context, t testing.TB) *rawClient {
	t.Helper()
	ws, resp, err := websocket.Dial(ctx, tp.URL, &websocket.DialOptions{
		Subprotocols: []string{"sip"},
		HTTPClient:   &http.Client{Transport: &http.Transport{TLSClientConfig: tlspin.ClientConfig(tp.Host, nil, tp.Pin)}},
	})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	require.NoError(t, err)
	ws.SetReadLimit(1 << 20)
	r := &rawClient{t: t, ws: ws, in: make(chan []byte, 64)}
	done := make(chan struct{})
	// One reader for the connection's life: a Read whose ctx ends would close the WebSocket.
	go func() {
		defer close(done)
		defer close(r.in)
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				return
			}
			r.in <- b
		}
	}()
	t.Cleanup(func() { ws.CloseNow(); <-done })
	return r
}

// write sends raw bytes.
func (r *rawClient) write(ctx context.Context, msg string) {
	r.t.Helper()
	require.NoError(r.t, r.ws.Write(ctx, websocket.MessageText, []byte(msg)))
}

// send writes msg and returns the next response (nil if none came within 2 s).
func (r *rawClient) send(ctx context.Context, msg string) *sip.Response {
	r.t.Helper()
	r.write(ctx, msg)
	return r.next(ctx, 2*time.Second)
}

// next returns the next response other than 100 Trying, or nil after d.
func (r *rawClient) next(ctx context.Context, d time.Duration) *sip.Response {
	r.t.Helper()
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case b, ok := <-r.in:
			if !ok {
				return nil
			}
			m, err := sip.NewParser().ParseSIP(b)
			require.NoError(r.t, err, "the PBX sent an unreadable message: %q", b)
			if res, ok := m.(*sip.Response); ok && res.StatusCode != 100 {
				return res
			}
		case <-t.C:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

// request builds a request text from user 1001 with the given method, request URI and extra lines.
func request(method, ruri, callID, extra, body string) string {
	var b strings.Builder
	b.WriteString(method + " " + ruri + " SIP/2.0\r\n")
	b.WriteString("Via: SIP/2.0/WSS raw.invalid;branch=z9hG4bK" + randomToken(6) + "\r\n")
	b.WriteString("Max-Forwards: 70\r\n")
	b.WriteString("From: <sip:1001@127.0.0.1>;tag=raw1\r\n")
	b.WriteString("To: <" + ruri + ">\r\n")
	b.WriteString("Call-ID: " + callID + "\r\n")
	b.WriteString("CSeq: 1 " + method + "\r\n")
	b.WriteString("Contact: <sip:1001@raw.invalid;transport=ws>\r\n")
	b.WriteString(extra)
	if body != "" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	return b.String()
}

// register registers 1001 on the raw connection with digest credentials.
func (r *rawClient) register(ctx context.Context, user, password string) *sip.Response {
	r.t.Helper()
	ruri := "sip:127.0.0.1"
	msg := strings.Replace(request("REGISTER", ruri, "reg-"+randomToken(4), "Expires: 60\r\n", ""), "To: <sip:127.0.0.1>", "To: <sip:"+user+"@127.0.0.1>", 1)
	msg = strings.Replace(msg, "From: <sip:1001@127.0.0.1>", "From: <sip:"+user+"@127.0.0.1>", 1)
	res := r.send(ctx, msg)
	require.NotNil(r.t, res)
	require.Equal(r.t, 401, res.StatusCode)
	chal, err := digest.ParseChallenge(res.GetHeader("WWW-Authenticate").Value())
	require.NoError(r.t, err)
	cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: ruri, Username: user, Password: password, Count: 1})
	require.NoError(r.t, err)
	msg = strings.Replace(msg, "Expires: 60\r\n", "Expires: 60\r\nAuthorization: "+cred.String()+"\r\n", 1)
	msg = strings.Replace(msg, "CSeq: 1 REGISTER", "CSeq: 2 REGISTER", 1)
	return r.send(ctx, msg)
}
