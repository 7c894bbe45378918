package sipua_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

// farEnd plays the other side of calls to a registered user agent through a fakeRegistrar.
type farEnd struct {
	t        *testing.T
	c        *fakeConn
	incoming chan *sipua.Call
	ended    chan *sipua.Call
	branch   int
}

const fakeOffer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"

func startFarEnd(ctx context.Context, t *testing.T) *farEnd {
	t.Helper()
	f := newFakeRegistrar(t)
	fe := &farEnd{t: t, incoming: make(chan *sipua.Call, 8), ended: make(chan *sipua.Call, 8)}
	log := newStateLog()
	rctx, cancel := context.WithCancel(ctx)
	_, done := runUA(t, rctx, sipua.Options{
		AOR: "sip:1001@example.com", Password: "pw", URL: f.url(),
		Handler: sipua.Handler{
			State:    log.handler,
			Incoming: func(c *sipua.Call) { fe.incoming <- c },
			Ended:    func(c *sipua.Call, _ error) { fe.ended <- c },
		},
	})
	t.Cleanup(func() { cancel(); <-done })
	fe.c = f.next(ctx, t)
	log.wait(ctx, t, sipua.StateRegistered)
	return fe
}

// send writes a request from the far end; headers are extra lines.
func (fe *farEnd) send(ctx context.Context, method, callID, fromTag, toTag string, cseq int, body string, headers ...string) {
	fe.t.Helper()
	fe.branch++
	to := "<sip:1001@example.com>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s sip:1001@h.invalid;transport=ws SIP/2.0\r\n", method)
	fmt.Fprintf(&b, "Via: SIP/2.0/WS far.invalid;branch=z9hG4bKfar%d%s\r\n", fe.branch, callID)
	fmt.Fprintf(&b, "From: <sip:2002@example.com>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n", fromTag, to, callID, cseq, method)
	b.WriteString("Contact: <sip:2002@far.invalid;transport=ws>\r\nMax-Forwards: 70\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	if body != "" && method == "INVITE" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	require.NoError(fe.t, fe.c.ws.Write(ctx, websocket.MessageText, []byte(b.String())))
}

// response waits for the final answer to the far end's request of method in callID.
func (fe *farEnd) response(ctx context.Context, callID string, method sip.RequestMethod) *sip.Response {
	fe.t.Helper()
	for {
		select {
		case res := <-fe.c.responses:
			if res.CallID().Value() == callID && res.CSeq().MethodName == method && !res.IsProvisional() {
				return res
			}
		case <-ctx.Done():
			fe.t.Fatalf("no answer to %s in %s", method, callID)
		}
	}
}

// call sets up an established incoming call from the far end and returns it with its tags.
func (fe *farEnd) call(ctx context.Context, callID string) (c *sipua.Call, ourTag, theirTag string) {
	fe.t.Helper()
	theirTag = "far" + callID
	fe.send(ctx, "INVITE", callID, theirTag, "", 1, fakeOffer)
	select {
	case c = <-fe.incoming:
	case <-ctx.Done():
		fe.t.Fatal("the call never reached the handler")
	}
	require.NoError(fe.t, c.Answer(ctx, []byte(fakeOffer)))
	res := fe.response(ctx, callID, sip.INVITE)
	require.Equal(fe.t, 200, res.StatusCode)
	ourTag, _ = res.To().Params.Get("tag")
	fe.send(ctx, "ACK", callID, theirTag, ourTag, 1, "")
	fe.probe(ctx) // the ACK is handled: the call is established
	return c, ourTag, theirTag
}

// probe checks that the agent still answers and has finished with everything sent before.
func (fe *farEnd) probe(ctx context.Context) {
	fe.t.Helper()
	fe.send(ctx, "OPTIONS", "probe", "p", "", 1, "")
	assert.Equal(fe.t, 200, fe.response(ctx, "probe", sip.OPTIONS).StatusCode)
}

func TestIncomingRequestsRefused(t *testing.T) {
	rtctest.CheckLeaks(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	fe := startFarEnd(ctx, t)
	call, ourTag, theirTag := fe.call(ctx, "callA")

	tests := []struct {
		name    string
		method  string
		callID  string
		from    string
		to      string
		body    string
		headers []string
		code    int
		warning string
	}{
		{name: "REFER in our call: the far end may not move the agent", method: "REFER", callID: "callA", from: theirTag, to: ourTag,
			headers: []string{"Refer-To: <sip:3003@example.com>"}, code: 603, warning: "does not accept transfer"},
		{name: "REFER out of any dialog", method: "REFER", callID: "lonely", from: "x",
			headers: []string{"Refer-To: <sip:3003@example.com>"}, code: 603, warning: "does not accept transfer"},
		{name: "REFER in a dialog we do not have", method: "REFER", callID: "callA", from: theirTag, to: "nottag",
			headers: []string{"Refer-To: <sip:3003@example.com>"}, code: 481},
		{name: "INVITE without an offer (late offer)", method: "INVITE", callID: "late", from: "l1", code: 488, warning: "late offer"},
		{name: "Replaces naming an unknown dialog", method: "INVITE", callID: "r1", from: "r1", body: fakeOffer,
			headers: []string{"Replaces: nosuchcall;to-tag=a;from-tag=b"}, code: 481},
		{name: "Replaces with the tags swapped", method: "INVITE", callID: "r2", from: "r2", body: fakeOffer,
			headers: []string{"Replaces: callA;to-tag=" + theirTag + ";from-tag=" + ourTag}, code: 481},
		{name: "Replaces early-only on an established call", method: "INVITE", callID: "r3", from: "r3", body: fakeOffer,
			headers: []string{"Replaces: callA;to-tag=" + ourTag + ";from-tag=" + theirTag + ";early-only"}, code: 486},
		{name: "malformed Replaces", method: "INVITE", callID: "r4", from: "r4", body: fakeOffer,
			headers: []string{"Replaces: callA;to-tag=" + ourTag}, code: 400},
		{name: "NOTIFY of another event package", method: "NOTIFY", callID: "callA", from: theirTag, to: ourTag,
			headers: []string{"Event: presence", "Subscription-State: active"}, code: 489},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe.send(ctx, tt.method, tt.callID, tt.from, tt.to, 2, tt.body, tt.headers...)
			res := fe.response(ctx, tt.callID, sip.RequestMethod(tt.method))
			assert.Equal(t, tt.code, res.StatusCode)
			if tt.warning != "" {
				w := res.GetHeader("Warning")
				require.NotNil(t, w, "a Warning says why")
				assert.Contains(t, w.Value(), tt.warning)
				assert.True(t, strings.HasPrefix(w.Value(), "399 "), w.Value())
			}
			if tt.method == "INVITE" {
				toTag, _ := res.To().Params.Get("tag")
				fe.send(ctx, "ACK", tt.callID, tt.from, toTag, 2, "")
			}
			fe.probe(ctx)
			select {
			case c := <-fe.incoming:
				t.Fatalf("a refused request made a call: %s", c.ID())
			default:
			}
			select {
			case <-call.Done():
				t.Fatal("the established call ended")
			default:
			}
		})
	}
}

func TestIncomingReplacesEstablishedCall(t *testing.T) {
	rtctest.CheckLeaks(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	fe := startFarEnd(ctx, t)
	old, ourTag, theirTag := fe.call(ctx, "callB")

	fe.send(ctx, "INVITE", "newcall", "n1", "", 1, fakeOffer, "Replaces: callB;to-tag="+ourTag+";from-tag="+theirTag)
	var nc *sipua.Call
	select {
	case nc = <-fe.incoming:
	case <-ctx.Done():
		t.Fatal("the replacing call never reached the handler")
	}
	assert.Same(t, old, nc.Replaces())
	require.NoError(t, nc.Answer(ctx, []byte(fakeOffer)))
	assert.Equal(t, 200, fe.response(ctx, "newcall", sip.INVITE).StatusCode)
	hung := make(chan error, 1)
	go func() { hung <- old.Hangup(ctx) }()
	bye := fe.c.request(ctx, t, sip.BYE)
	assert.Equal(t, "callB", bye.CallID().Value())
	require.NoError(t, fe.c.ws.Write(ctx, websocket.MessageText, []byte(sip.NewResponseFromRequest(bye, 200, "OK", nil).String())))
	require.NoError(t, <-hung)
	select {
	case <-old.Done():
	case <-ctx.Done():
		t.Fatal("the replaced call did not end")
	}
}

func TestTransferToOutcomes(t *testing.T) {
	rtctest.CheckLeaks(t)
	tests := []struct {
		name     string
		referTo  int      // our answer to the REFER
		notifies []string // sipfrags sent after a 2xx
		lastSub  string   // Subscription-State of the last NOTIFY
		check    func(t *testing.T, err error)
	}{
		{name: "completed", referTo: 202, notifies: []string{"SIP/2.0 100 Trying", "SIP/2.0 180 Ringing", "SIP/2.0 200 OK"}, lastSub: "terminated;reason=noresource",
			check: func(t *testing.T, err error) { assert.NoError(t, err) }},
		{name: "target busy", referTo: 202, notifies: []string{"SIP/2.0 100 Trying", "SIP/2.0 486 Busy Here"}, lastSub: "terminated",
			check: func(t *testing.T, err error) {
				var te *sipua.TransferError
				require.ErrorAs(t, err, &te)
				assert.False(t, te.Refused)
				assert.Equal(t, 486, te.Code)
				assert.Contains(t, te.Message(), "busy")
			}},
		{name: "REFER refused", referTo: 603,
			check: func(t *testing.T, err error) {
				var te *sipua.TransferError
				require.ErrorAs(t, err, &te)
				assert.True(t, te.Refused)
				assert.Equal(t, 603, te.Code)
			}},
		{name: "subscription ends without an outcome", referTo: 202, notifies: []string{"SIP/2.0 100 Trying"}, lastSub: "terminated;reason=timeout",
			check: func(t *testing.T, err error) { assert.ErrorIs(t, err, sipua.ErrTransferNoReport) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			fe := startFarEnd(ctx, t)
			a, aOurs, aTheirs := fe.call(ctx, "callA")
			b, bOurs, bTheirs := fe.call(ctx, "callB")
			res := make(chan error, 1)
			go func() { res <- a.TransferTo(ctx, b) }()

			refer := fe.c.request(ctx, t, sip.REFER)
			assert.Equal(t, "callA", refer.CallID().Value())
			uri, r, err := sipua.ReplacesFromReferTo(refer.GetHeader("Refer-To").Value())
			require.NoError(t, err)
			assert.Equal(t, "sip:2002@example.com", uri, "Refer-To names the consultation call's party")
			assert.Equal(t, sipua.Replaces{CallID: "callB", ToTag: bTheirs, FromTag: bOurs}, r, "tags as the target sees them")
			assert.NotNil(t, refer.GetHeader("Referred-By"))
			ans := sip.NewResponseFromRequest(refer, tt.referTo, "X", nil)
			require.NoError(t, fe.c.ws.Write(ctx, websocket.MessageText, []byte(ans.String())))
			for i, frag := range tt.notifies {
				sub := "active;expires=60"
				if i == len(tt.notifies)-1 {
					sub = tt.lastSub
				}
				fe.send(ctx, "NOTIFY", "callA", aTheirs, aOurs, 10+i, frag,
					"Event: refer;id="+fmt.Sprint(refer.CSeq().SeqNo), "Subscription-State: "+sub, "Content-Type: message/sipfrag;version=2.0")
				assert.Equal(t, 200, fe.response(ctx, "callA", sip.NOTIFY).StatusCode)
			}
			select {
			case err := <-res:
				tt.check(t, err)
			case <-ctx.Done():
				t.Fatal("TransferTo never returned")
			}
			for _, c := range []*sipua.Call{a, b} {
				select {
				case <-c.Done():
					t.Fatalf("TransferTo ended call %s by itself", c.ID())
				default:
				}
			}
		})
	}
}
