package pbx

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/phonebar/phonebar/internal/sipua"
)

// maxMessage bounds one SIP message read from a connection.
const maxMessage = 64 << 10

// Transport carries whole SIP messages, one per Read: the phone side's sipua.Conn, whose real one
// (sipua.NewWSConn) is a WebSocket.
type Transport = sipua.Conn

// conn is one agent's connection: messages in, responses and our requests out.
type conn struct {
	p      *PBX
	t      Transport
	remote string
	addr   string // remote's IP address, for MaxConnectionsPerAddress
	parser *sip.Parser
	// authed is closed once the connection has authenticated (a REGISTER or a call with an
	// account's credentials): it may then stay beyond RegisterTimeout.
	authed   chan struct{}
	authOnce sync.Once

	mu   sync.Mutex
	user string // the SIP user that registered on this connection, "" before
	txs  map[string]chan *sip.Response
	down chan struct{}
}

func newConn(p *PBX, t Transport, remote, addr string) *conn {
	return &conn{p: p, t: t, remote: remote, addr: addr, parser: sip.NewParser(), authed: make(chan struct{}),
		txs: map[string]chan *sip.Response{}, down: make(chan struct{})}
}

// authenticated marks the connection as one that proved an account's credentials.
func (c *conn) authenticated() {
	c.authOnce.Do(func() { close(c.authed) })
}

// closeUnlessAuthenticated closes the connection when it has not authenticated within d: an idle
// or hostile client holds a place for a few seconds only.
func (c *conn) closeUnlessAuthenticated(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c.authed:
	case <-c.down:
	case <-t.C:
		c.p.log.Info("sip connection closed: no REGISTER with valid credentials in time", "remote", c.remote, "after", d)
		c.t.Close()
	}
}

// serve reads messages until the connection fails, then forgets the connection.
func (c *conn) serve() {
	defer func() {
		c.t.Close()
		close(c.down)
		c.p.dropConn(c)
		c.p.log.Debug("sip connection closed", "remote", c.remote)
	}()
	for {
		b, err := c.t.Read(context.Background())
		if err != nil {
			return
		}
		c.handle(b)
	}
}

// handle reads one message and acts on it. A message that cannot be read is dropped; a request
// that lacks what a response needs is dropped too (there is nowhere to answer it).
func (c *conn) handle(b []byte) {
	defer func() {
		if v := recover(); v != nil {
			c.p.log.Error("sip message handler failed", "remote", c.remote, "panic", fmt.Sprint(v))
		}
	}()
	c.handleStrict(b)
}

// handleStrict is handle without its safety net (the fuzz test wants to see panics).
func (c *conn) handleStrict(b []byte) {
	if len(strings.Trim(string(b), "\r\n")) == 0 {
		return // RFC 5626 keep-alive
	}
	msg, err := c.parser.ParseSIP(b)
	if err != nil {
		c.p.log.Debug("unreadable SIP message dropped", "remote", c.remote, "error", err, "bytes", len(b))
		return
	}
	switch m := msg.(type) {
	case *sip.Response:
		c.handleResponse(m)
	case *sip.Request:
		if bad := malformed(m); bad != "" {
			if m.Via() != nil && m.From() != nil && m.To() != nil && m.CallID() != nil && m.CSeq() != nil && m.Method != sip.ACK {
				c.respond(m, 400, "Bad Request", nil, "", warning(bad))
			}
			c.p.log.Debug("malformed SIP request dropped", "remote", c.remote, "problem", bad)
			return
		}
		m.SetSource(c.remote)
		c.p.handleRequest(c, m)
	}
}

// malformed says what makes a request unusable, or "".
func malformed(r *sip.Request) string {
	switch {
	case r.SipVersion != "SIP/2.0":
		return "not SIP/2.0"
	case r.Via() == nil || r.Via().Host == "":
		return "no Via header"
	case r.From() == nil || r.To() == nil:
		return "no From or To header"
	case r.CallID() == nil || string(*r.CallID()) == "":
		return "no Call-ID header"
	case r.CSeq() == nil:
		return "no CSeq header"
	case r.CSeq().MethodName != r.Method:
		return "the CSeq method is not the request's"
	case r.Recipient.Host == "" && !r.Recipient.Wildcard:
		return "the request URI has no host"
	}
	return ""
}

func (c *conn) handleResponse(res *sip.Response) {
	via, cseq := res.Via(), res.CSeq()
	if via == nil || cseq == nil {
		return
	}
	branch, _ := via.Params.Get("branch")
	c.mu.Lock()
	ch := c.txs[txKey(branch, string(cseq.MethodName))]
	c.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- res:
	default:
	}
}

func txKey(branch, method string) string { return branch + " " + method }

// send writes one message.
func (c *conn) send(msg sip.Message) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.t.Write(ctx, []byte(msg.String()))
}

// roundTrip sends one of our requests and returns its final answer; provisional answers go to
// onProvisional. It gives up when ctx ends or the connection drops.
func (c *conn) roundTrip(ctx context.Context, req *sip.Request, onProvisional func(*sip.Response)) (*sip.Response, error) {
	branch, _ := req.Via().Params.Get("branch")
	key := txKey(branch, string(req.Method))
	ch := make(chan *sip.Response, 8)
	c.mu.Lock()
	c.txs[key] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.txs, key)
		c.mu.Unlock()
	}()
	if err := c.send(req); err != nil {
		return nil, err
	}
	for {
		select {
		case res := <-ch:
			if res.IsProvisional() {
				if onProvisional != nil {
					onProvisional(res)
				}
				continue
			}
			return res, nil
		case <-c.down:
			return nil, fmt.Errorf("the agent's connection closed")
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// respond answers req. tag goes on To when it has none (a dialog's tag, or a fresh one for a
// refusal); extra headers are appended.
func (c *conn) respond(req *sip.Request, code int, reason string, body []byte, tag string, extra ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	if to := res.To(); to != nil {
		if _, had := req.To().Params.Get("tag"); !had {
			to.Params.Remove("tag")
			if code > 100 {
				to.Params.Add("tag", cmpTag(tag))
			}
		}
	}
	res.AppendHeader(sip.NewHeader("Server", serverName))
	for _, h := range extra {
		if h != nil {
			res.AppendHeader(h)
		}
	}
	if len(body) > 0 {
		ct := sip.ContentTypeHeader("application/sdp")
		res.AppendHeader(&ct)
	}
	res.SetBody(body)
	// A request the parser accepted may carry headers that cannot be read back once copied into
	// the answer: such an answer is not sent.
	if _, err := sip.NewParser().ParseSIP([]byte(res.String())); err != nil {
		c.p.log.Debug("answer to a malformed request not sent", "remote", c.remote, "code", code, "error", err)
		return
	}
	if err := c.send(res); err != nil {
		c.p.log.Debug("response not sent", "remote", c.remote, "code", code, "error", err)
	}
}

func cmpTag(tag string) string {
	if tag == "" {
		return randomToken(8)
	}
	return tag
}

const serverName = "Phonebar demo PBX"

const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER"

// warning is a Warning header (RFC 3261 20.43) with our agent name and text.
func warning(text string) sip.Header {
	return sip.NewHeader("Warning", fmt.Sprintf("399 phonebar-pbx %q", strings.ReplaceAll(text, `"`, "'")))
}

// reasonHeader is a Reason header (RFC 3326) for a SIP status.
func reasonHeader(code int, text string) sip.Header {
	return sip.NewHeader("Reason", fmt.Sprintf("SIP;cause=%d;text=%q", code, strings.ReplaceAll(text, `"`, "'")))
}

// registeredUser returns the SIP user that registered on this connection.
func (c *conn) registeredUser() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

func (c *conn) setUser(u string) {
	c.mu.Lock()
	c.user = u
	c.mu.Unlock()
}
