package pbx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/sipua"
)

// CustomerCall is a call the PBX places to an agent, as if a customer called.
type CustomerCall struct {
	// Agent is the agent's SIP user (extension, or login name without one). Required.
	Agent string
	// CallerName and CallerNumber are what the agent's phone shows; empty means "Demo customer" and
	// "5550100".
	CallerName, CallerNumber string
	// Limit is how long the answered call lasts at most; 0 means Options.CustomerCallLimit. It is
	// capped at Options.MaxCallDuration.
	Limit time.Duration
}

// CallAgent rings a registered agent and returns at once, with the call ringing; the customer's
// side plays Options.CustomerToneHz once answered and hangs up when the agent does, or at the
// limit. It returns ErrNotRegistered when the agent's softphone is not registered.
func (p *PBX) CallAgent(ctx context.Context, cc CustomerCall) (CallInfo, error) {
	b := p.liveBinding(cc.Agent)
	if b == nil {
		return CallInfo{}, fmt.Errorf("%w: %s", ErrNotRegistered, quote(cc.Agent))
	}
	p.mu.Lock()
	busy := p.callsOfLocked(b.user) >= p.opts.MaxCallsPerUser
	p.mu.Unlock()
	if busy { // checked again by add, once the media is made
		return CallInfo{}, fmt.Errorf("%w: %s has %d calls", ErrBusy, quote(cc.Agent), p.opts.MaxCallsPerUser)
	}
	limit := cc.Limit
	if limit <= 0 {
		limit = p.opts.CustomerCallLimit
	}
	limit = min(limit, p.opts.MaxCallDuration)
	name := cc.CallerName
	if name == "" {
		name = "Demo customer"
	}
	number := cc.CallerNumber
	if number == "" || strings.ContainsAny(number, " <>\"@;:?\r\n\t") {
		number = "5550100"
	}
	opts := p.mediaOptions()
	opts.Source = rtc.NewToneSource(p.opts.CustomerToneHz)
	call := p.newCall(b.conn, randomToken(16), KindCustomer, b.user)
	opts.OnDTMF = func(d rune) { call.gotDigit(d, nil) }
	sess, err := rtc.NewSession(opts)
	if err != nil {
		return CallInfo{}, err
	}
	offer, err := sess.Offer(ctx)
	if err != nil {
		sess.Close()
		return CallInfo{}, err
	}
	call.sess = sess
	call.local = sip.Uri{Scheme: "sip", User: number, Host: b.aor.Host, Port: b.aor.Port}
	call.remote = b.aor
	call.remoteTarget = b.contact
	call.mu.Lock()
	inv := call.newRequestLocked(sip.INVITE)
	call.mu.Unlock()
	inv.From().DisplayName = name
	ct := sip.ContentTypeHeader("application/sdp")
	inv.AppendHeader(&ct)
	inv.SetBody(offer)
	call.invite = inv
	ringCtx, ringCancel := context.WithTimeout(call.ctx, p.opts.RingTimeout)
	call.ringCancel = ringCancel
	if err := p.add(call); err != nil {
		ringCancel()
		sess.Close()
		if errors.Is(err, ErrBusy) {
			return CallInfo{}, fmt.Errorf("%w: %s has %d calls", ErrBusy, quote(cc.Agent), p.opts.MaxCallsPerUser)
		}
		return CallInfo{}, ErrClosed
	}
	if !p.spawn(func() { defer ringCancel(); call.ring(ringCtx, inv, limit) }) {
		ringCancel()
		call.finish("the demo server stopped")
		return CallInfo{}, ErrClosed
	}
	p.log.Info("customer call placed", "call", call.id, "agent", call.agent)
	p.notify(call)
	return call.Info(), nil
}

// ring runs the INVITE of a customer call to its end: answered (then the call lasts until a BYE
// or limit), refused, or given up (CANCEL) when ctx ends.
func (c *Call) ring(ctx context.Context, inv *sip.Request, limit time.Duration) {
	res, err := c.link().roundTrip(ctx, inv, nil)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			c.cancelInvite(inv)
			c.mu.Lock()
			reason := c.reason
			c.mu.Unlock()
			if reason == "" {
				reason = fmt.Sprintf("the agent did not answer within %s", c.p.opts.RingTimeout)
			}
			c.finish(reason)
			return
		}
		c.finish("the agent's connection closed while the call rang")
		return
	}
	if !res.IsSuccess() {
		_ = c.link().send(sipua.NewAckNon2xx(inv, res))
		c.finish(fmt.Sprintf("the agent's phone refused the call (%d %s)", res.StatusCode, res.Reason))
		return
	}
	c.confirm(res, inv)
	c.mu.Lock()
	sess := c.sess
	c.mu.Unlock()
	if err := sess.SetAnswer(res.Body()); err != nil {
		c.mu.Lock()
		c.state = StateActive
		c.mu.Unlock()
		c.hangup("the agent's phone answered with unusable media: " + err.Error())
		return
	}
	c.mu.Lock()
	c.state = StateActive
	c.answered = c.p.opts.Now()
	c.mu.Unlock()
	c.p.log.Info("customer call answered", "call", c.id, "agent", c.agent)
	c.p.notify(c)
	c.limit(limit, fmt.Sprintf("the customer hung up after %s", limit))
}

// confirm takes the dialog from a 2xx and sends the ACK.
func (c *Call) confirm(res *sip.Response, inv *sip.Request) {
	c.mu.Lock()
	c.remoteTag, _ = res.To().Params.Get("tag")
	if ct := res.Contact(); ct != nil {
		c.remoteTarget = ct.Address
	}
	ack := c.newRequestLocked(sip.ACK)
	ack.CSeq().SeqNo = inv.CSeq().SeqNo
	c.mu.Unlock()
	_ = c.link().send(ack)
}

// cancelInvite sends a CANCEL and waits a little for the INVITE to end; an answer that crossed the
// CANCEL is confirmed and hung up at once.
func (c *Call) cancelInvite(inv *sip.Request) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	branch, _ := inv.Via().Params.Get("branch")
	key := txKey(branch, string(sip.INVITE))
	ch := make(chan *sip.Response, 8)
	link := c.link() // a call still ringing never moves
	link.mu.Lock()
	link.txs[key] = ch
	link.mu.Unlock()
	defer func() {
		link.mu.Lock()
		delete(link.txs, key)
		link.mu.Unlock()
	}()
	cr := sip.NewRequest(sip.CANCEL, inv.Recipient)
	cr.AppendHeader(inv.Via().Clone())
	mf := sip.MaxForwardsHeader(70)
	cr.AppendHeader(&mf)
	sip.CopyHeaders("From", inv, cr)
	sip.CopyHeaders("To", inv, cr)
	sip.CopyHeaders("Call-ID", inv, cr)
	cr.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	cr.SetBody(nil)
	sent := make(chan struct{})
	go func() { defer close(sent); _, _ = c.link().roundTrip(ctx, cr, nil) }()
	defer func() { cancel(); <-sent }()
	for {
		select {
		case res := <-ch:
			if res.IsProvisional() {
				continue
			}
			if res.IsSuccess() {
				c.confirm(res, inv)
				c.mu.Lock()
				bye := c.newRequestLocked(sip.BYE)
				c.mu.Unlock()
				_, _ = c.link().roundTrip(ctx, bye, nil)
			} else {
				_ = c.link().send(sipua.NewAckNon2xx(inv, res))
			}
			return
		case <-ctx.Done():
			return
		case <-link.down:
			return
		}
	}
}
