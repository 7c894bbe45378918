// Package farend is a far-end phone that tests script: it registers on the test PBX (Kamailio) over
// WebSocket, answers and places calls with real WebRTC media, and answers the re-INVITEs of a call
// as the test says (accept, refuse with a code, or never answer). Its messages are built and parsed
// with sipgo's sip package; its dialog logic is a few lines per request, written for tests only, so
// that it can misbehave on purpose where a real phone library would not.
package farend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

// Silent as a re-INVITE answer means: never answer it.
const Silent = 0

// Phone is one registered far-end phone with at most one call.
type Phone struct {
	t       testing.TB
	pbx     *rtctest.PBX
	user    string
	aor     sip.Uri
	host    string
	hz      float64
	conn    sipua.Conn
	readers sync.WaitGroup

	mu        sync.Mutex
	txs       map[string]chan *sip.Response
	plan      []int
	reinvites []time.Time
	call      *Call
}

// Call is the far end's side of its call.
type Call struct {
	CallID    string
	LocalTag  string
	RemoteTag string
	Media     *rtc.Session
	Sink      *rtc.FrequencySink

	local, remote sip.Uri
	target        sip.Uri
	routes        []sip.Uri
	cseq          uint32
}

// Start registers user on pbx; the phone's media sends a tone of hz. It is closed at the test's end.
func Start(ctx context.Context, t testing.TB, pbx *rtctest.PBX, user string, hz float64) *Phone {
	t.Helper()
	dial, err := sipua.WebSocketDialer(pbx.WSURL, "")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := &Phone{t: t, pbx: pbx, user: user, hz: hz, conn: conn, host: token(6) + ".invalid", txs: map[string]chan *sip.Response{}}
	if err := sip.ParseUri(pbx.AOR(user), &p.aor); err != nil {
		t.Fatal(err)
	}
	p.readers.Add(1)
	go p.read()
	t.Cleanup(p.close)
	req := p.newRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: p.aor.Host}, p.aor, p.aor, token(8), "", token(10), 1)
	req.AppendHeader(sip.NewHeader("Expires", "600"))
	res, err := p.roundTrip(ctx, req)
	if err == nil && (res.StatusCode == 401 || res.StatusCode == 407) {
		req = p.authorized(req, res)
		res, err = p.roundTrip(ctx, req)
	}
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("far end %s does not register: %v %v", user, res, err)
	}
	return p
}

// AnswerReinvites sets how the next re-INVITEs are answered, in order: 200 accepts (the media
// follows the new direction), another code refuses, Silent never answers. Past the list, 200.
func (p *Phone) AnswerReinvites(codes ...int) {
	p.mu.Lock()
	p.plan = codes
	p.mu.Unlock()
}

// Reinvites returns when each re-INVITE arrived.
func (p *Phone) Reinvites() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.reinvites...)
}

// Current returns the phone's call, nil before one.
func (p *Phone) Current() *Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.call
}

// Hears reports whether the call's media plays a tone near hz now.
func (c *Call) Hears(hz float64) bool {
	got, _ := c.Sink.Frequency()
	return math.Abs(got-hz) < hz*0.04
}

func (p *Phone) close() {
	p.conn.Close()
	p.readers.Wait()
	if c := p.Current(); c != nil {
		c.Media.Close()
	}
}

func (p *Phone) read() {
	defer p.readers.Done()
	for {
		b, err := p.conn.Read(context.Background())
		if err != nil {
			return
		}
		if strings.TrimSpace(string(b)) == "" {
			continue
		}
		msg, err := sip.ParseMessage(b)
		if err != nil {
			continue
		}
		switch m := msg.(type) {
		case *sip.Response:
			p.mu.Lock()
			ch := p.txs[txKey(m.Via(), m.CSeq())]
			p.mu.Unlock()
			if ch != nil {
				select {
				case ch <- m:
				default:
				}
			}
		case *sip.Request:
			p.handle(m)
		}
	}
}

func txKey(via *sip.ViaHeader, cseq *sip.CSeqHeader) string {
	if via == nil || cseq == nil {
		return ""
	}
	b, _ := via.Params.Get("branch")
	return b + " " + string(cseq.MethodName)
}

func (p *Phone) send(m sip.Message) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = p.conn.Write(ctx, []byte(m.String()))
}

func (p *Phone) reply(req *sip.Request, code int, reason string, body []byte, tag string) {
	res := sip.NewResponseFromRequest(req, code, reason, body)
	if _, ok := req.To().Params.Get("tag"); !ok && tag != "" {
		res.To().Params.Remove("tag")
		res.To().Params.Add("tag", tag)
	}
	if req.Method == sip.INVITE && code >= 200 && code < 300 {
		res.AppendHeader(p.contact())
	}
	if len(body) > 0 {
		ct := sip.ContentTypeHeader("application/sdp")
		res.AppendHeader(&ct)
	}
	p.send(res)
}

func (p *Phone) contact() *sip.ContactHeader {
	u := sip.Uri{Scheme: "sip", User: p.user, Host: p.host, UriParams: sip.NewParams()}
	u.UriParams.Add("transport", "ws")
	return &sip.ContactHeader{Address: u}
}

func (p *Phone) newMedia() (*rtc.Session, *rtc.FrequencySink, error) {
	sink := rtc.NewFrequencySink()
	m, err := rtc.NewSession(rtc.Options{AllowLoopback: true, Source: rtc.NewToneSource(p.hz), Sink: sink})
	return m, sink, err
}

func (p *Phone) handle(req *sip.Request) {
	toTag, _ := req.To().Params.Get("tag")
	switch {
	case req.Method == sip.INVITE && toTag == "":
		go p.answer(req)
	case req.Method == sip.INVITE:
		p.mu.Lock()
		n := len(p.reinvites)
		p.reinvites = append(p.reinvites, time.Now())
		code := 200
		if n < len(p.plan) {
			code = p.plan[n]
		}
		c := p.call
		p.mu.Unlock()
		switch {
		case code == Silent:
		case code == 200 && c != nil:
			answer, err := c.Media.Reoffer(req.Body())
			if err != nil {
				p.reply(req, 488, "Not Acceptable Here", nil, "")
				return
			}
			p.reply(req, 200, "OK", answer, "")
		default:
			p.reply(req, code, "Test Refusal", nil, "")
		}
	case req.Method == sip.ACK:
	default:
		p.reply(req, 200, "OK", nil, "")
	}
}

// answer takes an incoming call at once.
func (p *Phone) answer(req *sip.Request) {
	m, sink, err := p.newMedia()
	if err != nil {
		p.reply(req, 500, "Server Error", nil, token(8))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	answer, err := m.Answer(ctx, req.Body())
	if err != nil {
		m.Close()
		p.reply(req, 488, "Not Acceptable Here", nil, token(8))
		return
	}
	c := &Call{CallID: req.CallID().Value(), LocalTag: token(8), Media: m, Sink: sink, local: req.To().Address, remote: req.From().Address}
	c.RemoteTag, _ = req.From().Params.Get("tag")
	c.target = req.From().Address
	if ct := req.Contact(); ct != nil {
		c.target = ct.Address
	}
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			c.routes = append(c.routes, rr.Address)
		}
	}
	p.mu.Lock()
	p.call = c
	p.mu.Unlock()
	p.reply(req, 200, "OK", answer, c.LocalTag)
}

// Result is how a call placed by Call went.
type Result struct {
	Code int
	Call *Call
	Err  error
}

// Call places a call to user with extra headers (a Replaces, say) and waits for the final answer;
// a 2xx is ACKed and its media set up. It returns the final status code.
func (p *Phone) Call(ctx context.Context, user string, extra ...sip.Header) Result {
	m, sink, err := p.newMedia()
	if err != nil {
		return Result{Err: err}
	}
	offer, err := m.Offer(ctx)
	if err != nil {
		m.Close()
		return Result{Err: err}
	}
	var to sip.Uri
	_ = sip.ParseUri(p.pbx.AOR(user), &to)
	c := &Call{CallID: token(12), LocalTag: token(8), Media: m, Sink: sink, local: p.aor, remote: to, target: to, cseq: 1}
	build := func() *sip.Request {
		req := p.newRequest(sip.INVITE, to, p.aor, to, c.LocalTag, "", c.CallID, c.cseq)
		req.AppendHeader(p.contact())
		for _, h := range extra {
			req.AppendHeader(h)
		}
		ct := sip.ContentTypeHeader("application/sdp")
		req.AppendHeader(&ct)
		req.SetBody(offer)
		return req
	}
	req := build()
	res, err := p.roundTrip(ctx, req)
	if err == nil && (res.StatusCode == 401 || res.StatusCode == 407) {
		p.send(sipua.NewAckNon2xx(req, res))
		c.cseq++
		req = p.authorized(build(), res)
		res, err = p.roundTrip(ctx, req)
	}
	if err != nil {
		m.Close()
		return Result{Err: err}
	}
	if !res.IsSuccess() {
		p.send(sipua.NewAckNon2xx(req, res))
		m.Close()
		return Result{Code: res.StatusCode}
	}
	c.RemoteTag, _ = res.To().Params.Get("tag")
	if ct := res.Contact(); ct != nil {
		c.target = ct.Address
	}
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
			c.routes = append(c.routes, h.Address)
		}
	}
	ack := p.inDialog(c, sip.ACK)
	ack.CSeq().SeqNo = req.CSeq().SeqNo
	p.send(ack)
	if err := m.SetAnswer(res.Body()); err != nil {
		m.Close()
		return Result{Code: res.StatusCode, Err: err}
	}
	p.mu.Lock()
	p.call = c
	p.mu.Unlock()
	return Result{Code: res.StatusCode, Call: c}
}

func (p *Phone) inDialog(c *Call, method sip.RequestMethod) *sip.Request {
	if method != sip.ACK {
		c.cseq++
	}
	req := p.newRequest(method, c.target, c.local, c.remote, c.LocalTag, c.RemoteTag, c.CallID, c.cseq)
	for _, r := range c.routes {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	return req
}

func (p *Phone) newRequest(method sip.RequestMethod, ruri, from, to sip.Uri, fromTag, toTag, callID string, seq uint32) *sip.Request {
	req := sip.NewRequest(method, ruri)
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "WS", Host: p.host, Params: sip.NewParams()}
	via.Params.Add("branch", sip.RFC3261BranchMagicCookie+token(10))
	via.Params.Add("rport", "")
	req.AppendHeader(via)
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	fh := &sip.FromHeader{Address: from, Params: sip.NewParams()}
	fh.Params.Add("tag", fromTag)
	req.AppendHeader(fh)
	th := &sip.ToHeader{Address: to, Params: sip.NewParams()}
	if toTag != "" {
		th.Params.Add("tag", toTag)
	}
	req.AppendHeader(th)
	cid := sip.CallIDHeader(callID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	if method == sip.REGISTER {
		req.AppendHeader(p.contact())
	}
	req.SetBody(nil)
	return req
}

func (p *Phone) authorized(req *sip.Request, res *sip.Response) *sip.Request {
	chName, credName := "WWW-Authenticate", "Authorization"
	if res.StatusCode == 407 {
		chName, credName = "Proxy-Authenticate", "Proxy-Authorization"
	}
	h := res.GetHeader(chName)
	if h == nil {
		return req
	}
	chal, err := digest.ParseChallenge(h.Value())
	if err != nil {
		return req
	}
	cred, err := digest.Digest(chal, digest.Options{Method: string(req.Method), URI: req.Recipient.String(), Username: p.user, Password: rtctest.Password, Count: 1})
	if err != nil {
		return req
	}
	// A new transaction: a new branch, the next CSeq for a REGISTER.
	next := req.Clone()
	next.Via().Params.Remove("branch")
	next.Via().Params.Add("branch", sip.RFC3261BranchMagicCookie+token(10))
	if req.Method == sip.REGISTER {
		next.CSeq().SeqNo++
	}
	next.AppendHeader(sip.NewHeader(credName, cred.String()))
	return next
}

// roundTrip sends req and returns its final answer.
func (p *Phone) roundTrip(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	key := txKey(req.Via(), req.CSeq())
	ch := make(chan *sip.Response, 8)
	p.mu.Lock()
	p.txs[key] = ch
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.txs, key)
		p.mu.Unlock()
	}()
	if err := p.conn.Write(ctx, []byte(req.String())); err != nil {
		return nil, err
	}
	for {
		select {
		case res := <-ch:
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-ctx.Done():
			return nil, fmt.Errorf("far end: no answer to %s: %w", req.Method, ctx.Err())
		}
	}
}

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
