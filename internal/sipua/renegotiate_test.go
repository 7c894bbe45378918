package sipua_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

// write sends a raw SIP message to the user agent.
func (c *fakeConn) write(ctx context.Context, t *testing.T, m sip.Message) {
	t.Helper()
	require.NoError(t, c.ws.Write(ctx, websocket.MessageText, []byte(m.String())))
}

// reply answers req from the far end, with its tag on To.
func (c *fakeConn) reply(ctx context.Context, t *testing.T, req *sip.Request, code int, body []byte) {
	t.Helper()
	res := sip.NewResponseFromRequest(req, code, fmt.Sprintf("Status %d", code), body)
	if _, ok := res.To().Params.Get("tag"); !ok {
		res.To().Params.Add("tag", "fartag")
	}
	if code >= 200 && code < 300 {
		res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "2000", Host: "far.invalid"}})
	}
	c.write(ctx, t, res)
}

// established sets up a call through the fake server: one we place (outgoing) or one we take.
func established(ctx context.Context, t *testing.T, ua *sipua.UA, conn *fakeConn, dir sipua.Direction, incoming <-chan *sipua.Call) *sipua.Call {
	t.Helper()
	if dir == sipua.DirectionOutgoing {
		type res struct {
			c   *sipua.Call
			err error
		}
		done := make(chan res, 1)
		go func() { c, err := ua.Invite(ctx, "2000", []byte("offer 1"), nil); done <- res{c, err} }()
		inv := conn.request(ctx, t, sip.INVITE)
		conn.reply(ctx, t, inv, 200, []byte("answer 1"))
		r := <-done
		require.NoError(t, r.err)
		conn.request(ctx, t, sip.ACK)
		return r.c
	}
	inv := "INVITE sip:1001@ua.invalid;transport=ws SIP/2.0\r\n" +
		"Via: SIP/2.0/WS far.invalid;branch=z9hG4bKinvite1\r\n" +
		"From: <sip:2000@example.com>;tag=fartag\r\nTo: <sip:1001@example.com>\r\n" +
		"Call-ID: theirs-" + fmt.Sprint(time.Now().UnixNano()) + "\r\nCSeq: 1 INVITE\r\n" +
		"Contact: <sip:2000@far.invalid;transport=ws>\r\nContent-Type: application/sdp\r\n" +
		"Content-Length: 7\r\n\r\noffer 1"
	require.NoError(t, conn.ws.Write(ctx, websocket.MessageText, []byte(inv)))
	var c *sipua.Call
	select {
	case c = <-incoming:
	case <-ctx.Done():
		t.Fatal("the incoming call never came")
	}
	require.NoError(t, c.Answer(ctx, []byte("answer 1")))
	var ok *sip.Response
	for ok == nil {
		select {
		case r := <-conn.responses:
			if r.StatusCode == 200 && r.CSeq().MethodName == sip.INVITE {
				ok = r
			}
		case <-ctx.Done():
			t.Fatal("no 200 to the INVITE")
		}
	}
	tag, _ := ok.To().Params.Get("tag")
	ack := "ACK sip:1001@ua.invalid;transport=ws SIP/2.0\r\nVia: SIP/2.0/WS far.invalid;branch=z9hG4bKack1\r\n" +
		"From: <sip:2000@example.com>;tag=fartag\r\nTo: <sip:1001@example.com>;tag=" + tag + "\r\n" +
		"Call-ID: " + c.ID() + "\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
	require.NoError(t, conn.ws.Write(ctx, websocket.MessageText, []byte(ack)))
	require.Eventually(t, func() bool { return c.DialogState() == sipua.DialogConfirmed }, 5*time.Second, 5*time.Millisecond)
	return c
}

// Renegotiate at the transaction seam: a far end that refuses, answers 491 once, or never
// answers. Every failure rolls back exactly once and leaves the dialog confirmed with the session
// it had; a 491 is tried again once, after the wait RFC 3261 section 14.1 gives to whoever owns the
// Call-ID.
func TestRenegotiateRefusals(t *testing.T) {
	rtctest.CheckLeaks(t)
	var mu sync.Mutex
	var waited []time.Duration
	defer sipua.SetGlareWait(func(_ context.Context, d time.Duration) error {
		mu.Lock()
		waited = append(waited, d)
		mu.Unlock()
		return nil
	})()
	const (
		silent = 0 // 100 Trying, then nothing until the CANCEL
	)
	tests := []struct {
		name       string
		dir        sipua.Direction
		answers    []int
		wantCode   int
		wantErr    error
		wantOffers int
		minWait    time.Duration
		maxWait    time.Duration
		ended      bool
	}{
		{name: "488", dir: sipua.DirectionOutgoing, answers: []int{488}, wantCode: 488, wantOffers: 1},
		{name: "500", dir: sipua.DirectionIncoming, answers: []int{500}, wantCode: 500, wantOffers: 1},
		{name: "491 then accepted, our Call-ID", dir: sipua.DirectionOutgoing, answers: []int{491, 200}, wantOffers: 2, minWait: 2100 * time.Millisecond, maxWait: 4 * time.Second},
		{name: "491 then accepted, their Call-ID", dir: sipua.DirectionIncoming, answers: []int{491, 200}, wantOffers: 2, maxWait: 2 * time.Second},
		{name: "491 twice", dir: sipua.DirectionOutgoing, answers: []int{491, 491}, wantCode: 491, wantOffers: 2, minWait: 2100 * time.Millisecond, maxWait: 4 * time.Second},
		{name: "no answer", dir: sipua.DirectionOutgoing, answers: []int{silent}, wantErr: sipua.ErrTimeout, wantOffers: 1},
		{name: "481 ends the call", dir: sipua.DirectionIncoming, answers: []int{481}, wantCode: 481, wantOffers: 1, ended: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			waited = nil
			mu.Unlock()
			f := newFakeRegistrar(t)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			log := newStateLog()
			incoming := make(chan *sipua.Call, 1)
			ua, done := runUA(t, ctx, sipua.Options{
				AOR: "sip:1001@example.com", Password: "pw", URL: f.url(), ReinviteTimeout: 300 * time.Millisecond,
				Handler: sipua.Handler{State: log.handler, Incoming: func(c *sipua.Call) { incoming <- c }},
			})
			conn := f.next(ctx, t)
			log.wait(ctx, t, sipua.StateRegistered)
			c := established(ctx, t, ua, conn, tt.dir, incoming)

			before := string(c.RemoteSDP())
			offers, rollbacks := 0, 0
			type result struct {
				answer []byte
				err    error
			}
			res := make(chan result, 1)
			go func() {
				a, err := c.Renegotiate(ctx, func() ([]byte, error) {
					offers++
					return []byte(fmt.Sprintf("offer %d", offers+1)), nil
				}, func() { rollbacks++ })
				res <- result{a, err}
			}()
			var last *sip.Request
			for i, code := range tt.answers {
				re := conn.request(ctx, t, sip.INVITE)
				if last != nil {
					assert.Greater(t, re.CSeq().SeqNo, last.CSeq().SeqNo, "a retry is a new transaction")
				}
				last = re
				assert.Equal(t, fmt.Sprintf("offer %d", i+2), string(re.Body()), "each attempt carries a fresh offer")
				if code == silent {
					conn.reply(ctx, t, re, 100, nil)
					cr := conn.request(ctx, t, sip.CANCEL)
					conn.reply(ctx, t, cr, 200, nil)
					conn.reply(ctx, t, re, 487, nil)
					continue
				}
				body := []byte(nil)
				if code == 200 {
					body = []byte("answer 2")
				}
				conn.reply(ctx, t, re, code, body)
			}
			r := <-res
			assert.Equal(t, tt.wantOffers, offers)
			mu.Lock()
			got := waited
			mu.Unlock()
			if tt.maxWait > 0 {
				require.Len(t, got, 1, "one retry after a 491")
				assert.GreaterOrEqual(t, got[0], tt.minWait)
				assert.LessOrEqual(t, got[0], tt.maxWait)
				assert.Zero(t, got[0]%(10*time.Millisecond), "in units of 10 ms")
			} else {
				assert.Empty(t, got)
			}
			switch {
			case tt.wantCode != 0:
				var se *sipua.StatusError
				require.ErrorAs(t, r.err, &se)
				assert.Equal(t, tt.wantCode, se.Code)
				assert.Equal(t, len(tt.answers), rollbacks, "every refused attempt is rolled back")
			case tt.wantErr != nil:
				require.ErrorIs(t, r.err, tt.wantErr)
				assert.Equal(t, 1, rollbacks)
			default:
				require.NoError(t, r.err)
				assert.Equal(t, "answer 2", string(r.answer))
				assert.Equal(t, 1, rollbacks, "the 491 was rolled back before the retry")
				assert.Equal(t, "answer 2", string(c.RemoteSDP()))
			}
			if tt.ended {
				require.Eventually(t, func() bool { return c.DialogState() == sipua.DialogEnded }, 5*time.Second, 5*time.Millisecond)
			} else {
				assert.Equal(t, sipua.DialogConfirmed, c.DialogState())
				if tt.wantCode != 0 || tt.wantErr != nil {
					assert.Equal(t, before, string(c.RemoteSDP()), "the session is the one before the re-INVITE")
				}
			}
			cancel()
			require.NoError(t, <-done)
		})
	}
}

// The delays RFC 3261 section 14.1 allows, over many draws: 2.1-4 s for the owner of the
// Call-ID, 0-2 s for the other side, always in units of 10 ms, and spread over the window.
func TestGlareDelay(t *testing.T) {
	rtctest.CheckLeaks(t)
	f := newFakeRegistrar(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	log := newStateLog()
	incoming := make(chan *sipua.Call, 1)
	ua, done := runUA(t, ctx, sipua.Options{
		AOR: "sip:1001@example.com", Password: "pw", URL: f.url(),
		Handler: sipua.Handler{State: log.handler, Incoming: func(c *sipua.Call) { incoming <- c }},
	})
	conn := f.next(ctx, t)
	log.wait(ctx, t, sipua.StateRegistered)
	ours := established(ctx, t, ua, conn, sipua.DirectionOutgoing, incoming)
	theirs := established(ctx, t, ua, conn, sipua.DirectionIncoming, incoming)
	tests := []struct {
		name     string
		c        *sipua.Call
		min, max time.Duration
	}{
		{"we own the Call-ID", ours, 2100 * time.Millisecond, 4000 * time.Millisecond},
		{"they own the Call-ID", theirs, 0, 2000 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := tt.max, tt.min
			for range 2000 {
				d := tt.c.GlareDelay()
				require.GreaterOrEqual(t, d, tt.min)
				require.LessOrEqual(t, d, tt.max)
				require.Zero(t, d%(10*time.Millisecond))
				lo, hi = min(lo, d), max(hi, d)
			}
			span := tt.max - tt.min
			assert.Less(t, lo, tt.min+span/10, "draws reach the bottom of the window")
			assert.Greater(t, hi, tt.max-span/10, "draws reach the top of the window")
		})
	}
	cancel()
	require.NoError(t, <-done)
}
