package sipua

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Direction says who placed a call.
type Direction int

const (
	// DirectionUnknown is the zero value.
	DirectionUnknown Direction = iota
	// DirectionOutgoing is a call we placed.
	DirectionOutgoing
	// DirectionIncoming is a call we received.
	DirectionIncoming
)

// String names the direction in lower case.
func (d Direction) String() string {
	switch d {
	case DirectionOutgoing:
		return "outgoing"
	case DirectionIncoming:
		return "incoming"
	}
	return "unknown"
}

// Call is one SIP dialog carrying a call. It knows the SDP only as bytes.
type Call struct {
	ua     *UA
	dir    Direction
	callID string
	done   chan struct{}

	mu           sync.Mutex
	state        DialogState
	localTag     string
	remoteTag    string
	local        sip.Uri
	remote       sip.Uri
	remoteName   string
	remoteTarget sip.Uri
	routes       []sip.Uri
	cseq         uint32
	invite       *sip.Request // the INVITE that made the dialog (theirs for incoming, ours for outgoing)
	ack          *sip.Request // our ACK to their 2xx, repeated if the 2xx comes again
	remoteSDP    []byte
	endErr       error
	// replaces is the call an incoming INVITE with Replaces takes the place of (RFC 3891).
	replaces *Call
	// refer receives the outcome of our REFER while TransferTo waits for it.
	refer chan referReport
	// acked is closed when the ACK of our 2xx to the other side's latest re-INVITE came: until then
	// their INVITE transaction is in progress and we may not start one (RFC 3261 section 14.1).
	acked chan struct{}
}

// ackWait bounds the wait for the ACK of our 2xx to a re-INVITE before a re-INVITE of ours goes
// anyway (it comes within a round trip; one lost on the way is not waited for forever).
const ackWait = 2 * time.Second

// referReport is what a NOTIFY of our REFER subscription said: a sipfrag status, or that the
// subscription ended (code 0).
type referReport struct {
	code   int
	reason string
}

// ID returns the Call-ID.
func (c *Call) ID() string { return c.callID }

// Direction says who placed the call.
func (c *Call) Direction() Direction { return c.dir }

// Remote returns the other side's SIP URI.
func (c *Call) Remote() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remote.String()
}

// RemoteName returns the other side's display name, if it sent one.
func (c *Call) RemoteName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remoteName
}

// RemoteSDP returns the other side's latest session description: the offer of an incoming call, the
// answer of an outgoing one.
func (c *Call) RemoteSDP() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.remoteSDP)
}

// Done is closed when the call has ended.
func (c *Call) Done() <-chan struct{} { return c.done }

// Replaces returns the call this incoming call takes the place of (an INVITE with a Replaces header
// naming one of our established dialogs, as the far end sends at the end of an attended transfer),
// or nil. The user agent checked the match; the Incoming handler answers the new call and hangs up
// the replaced one.
func (c *Call) Replaces() *Call { return c.replaces }

// Err returns why the call ended, or nil while it lasts.
func (c *Call) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endErr
}

// end finishes the call once, with reason.
func (c *Call) end(reason error) {
	c.mu.Lock()
	if c.moveLocked(dialogInputEnd) != nil {
		c.mu.Unlock()
		return // already ended
	}
	c.endErr = reason
	c.mu.Unlock()
	close(c.done)
	u := c.ua
	u.mu.Lock()
	if u.calls[c.callID] == c {
		delete(u.calls, c.callID)
	}
	u.mu.Unlock()
	if h := u.opts.Handler.Ended; h != nil {
		u.events.push(func() { h(c, reason) })
	}
}

// Target turns what a user dialled into a SIP URI: a sip: or sips: URI is kept; anything else is a
// user part at the account's domain.
func (u *UA) Target(dialled string) (sip.Uri, error) {
	dialled = strings.TrimSpace(dialled)
	var t sip.Uri
	if strings.HasPrefix(dialled, "sip:") || strings.HasPrefix(dialled, "sips:") {
		if err := sip.ParseUri(dialled, &t); err != nil || t.Host == "" {
			return t, fmt.Errorf("%w: %q", ErrBadTarget, dialled)
		}
		return t, nil
	}
	if dialled == "" || strings.ContainsAny(dialled, " <>\"@;:?\r\n\t") {
		return t, fmt.Errorf("%w: %q", ErrBadTarget, dialled)
	}
	return sip.Uri{Scheme: "sip", User: dialled, Host: u.aor.Host, Port: u.aor.Port}, nil
}

// Invite places a call to target with the SDP offer and waits for the answer. It returns the
// established call (RemoteSDP holds the answer), a *StatusError when the other side or the server
// refuses, or ctx's error when ctx ends first; the attempt is then cancelled. onProgress, if not nil,
// sees each provisional status code (180 ringing, 183 progress) on the caller's goroutine.
func (u *UA) Invite(ctx context.Context, target string, offer []byte, onProgress func(code int)) (*Call, error) {
	to, err := u.Target(target)
	if err != nil {
		return nil, err
	}
	c := &Call{
		ua: u, dir: DirectionOutgoing, callID: randomToken(16), done: make(chan struct{}),
		localTag: randomToken(8), local: u.aor, remote: to, remoteTarget: to,
	}
	c.state, _ = dialogTransition(DialogUnknown, dialogInputInvite)
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return nil, ErrClosed
	}
	u.calls[c.callID] = c
	u.mu.Unlock()
	res, err := c.inviteLoop(ctx, offer, onProgress)
	if err != nil {
		c.end(err)
		return nil, err
	}
	c.mu.Lock()
	c.remoteTag, _ = res.To().Params.Get("tag")
	if ct := res.Contact(); ct != nil {
		c.remoteTarget = ct.Address
	}
	rr := res.GetHeaders("Record-Route")
	c.routes = c.routes[:0]
	for i := len(rr) - 1; i >= 0; i-- {
		if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
			c.routes = append(c.routes, h.Address)
		}
	}
	c.remoteSDP = slices.Clone(res.Body())
	if err := c.moveLocked(dialogInputAccepted); err != nil {
		c.mu.Unlock()
		return nil, err // ended meanwhile (the user agent stopped)
	}
	ack := c.newRequestLocked(sip.ACK)
	ack.CSeq().SeqNo = c.invite.CSeq().SeqNo
	c.ack = ack
	c.mu.Unlock()
	if err := u.send(ctx, ack); err != nil {
		c.end(err)
		return nil, err
	}
	return c, nil
}

// inviteLoop sends the INVITE (again with credentials when challenged) and returns the 2xx.
func (c *Call) inviteLoop(ctx context.Context, offer []byte, onProgress func(int)) (*sip.Response, error) {
	u := c.ua
	var challenge *sip.Response
	for attempt := 0; ; attempt++ {
		req := c.newInvite(offer)
		if challenge != nil && !u.authorize(req, challenge) {
			return nil, &StatusError{Method: "INVITE", Code: challenge.StatusCode, Reason: challenge.Reason}
		}
		c.mu.Lock()
		c.invite = req
		c.mu.Unlock()
		res, err := c.inviteTx(ctx, req, onProgress)
		if err != nil {
			return nil, err
		}
		if res.IsSuccess() {
			return res, nil
		}
		if (res.StatusCode == 401 || res.StatusCode == 407) && attempt == 0 {
			challenge = res
			continue
		}
		return nil, &StatusError{Method: "INVITE", Code: res.StatusCode, Reason: res.Reason, Warning: warningText(res)}
	}
}

// warningText reads the text of a response's Warning header (RFC 3261 section 20.43), kept to
// printable ASCII and 200 bytes, since it comes from the network and may be shown or logged.
func warningText(res *sip.Response) string {
	h := res.GetHeader("Warning")
	if h == nil {
		return ""
	}
	v := h.Value()
	if i := strings.IndexByte(v, '"'); i >= 0 {
		if j := strings.LastIndexByte(v, '"'); j > i {
			v = v[i+1 : j]
		}
	}
	var b strings.Builder
	for i := 0; i < len(v) && b.Len() < 200; i++ {
		if v[i] >= 0x20 && v[i] < 0x7f {
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// inviteTx runs one INVITE client transaction: it ACKs a final refusal, and on ctx's end sends a
// CANCEL and waits a little for the INVITE to end (a 2xx that crosses the CANCEL is ACKed and hung up).
func (c *Call) inviteTx(ctx context.Context, req *sip.Request, onProgress func(int)) (*sip.Response, error) {
	u := c.ua
	tx, up, err := u.openTx(req)
	if err != nil {
		return nil, err
	}
	defer u.closeTx(req)
	if err := u.send(ctx, req); err != nil {
		return nil, err
	}
	for {
		select {
		case res := <-tx.resp:
			if res.IsProvisional() {
				if onProgress != nil && res.StatusCode > 100 {
					onProgress(res.StatusCode)
				}
				continue
			}
			if !res.IsSuccess() {
				ack := NewAckNon2xx(req, res)
				if err := u.send(ctx, ack); err != nil {
					u.log.Debug("ACK of refusal", "error", err)
				}
			}
			return res, nil
		case <-up:
			return nil, ErrNotConnected
		case <-ctx.Done():
			c.cancelInvite(req, tx)
			return nil, ctx.Err()
		}
	}
}

func (c *Call) cancelInvite(req *sip.Request, tx *clientTx) {
	u := c.ua
	cctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	cancelReq := newCancel(req)
	go func() { _, _ = u.roundTrip(cctx, cancelReq, nil) }()
	for {
		select {
		case res := <-tx.resp:
			if res.IsProvisional() {
				continue
			}
			if res.IsSuccess() {
				// The call was answered as we gave up: confirm it and hang up at once.
				c.mu.Lock()
				c.remoteTag, _ = res.To().Params.Get("tag")
				if ct := res.Contact(); ct != nil {
					c.remoteTarget = ct.Address
				}
				c.routes = c.routes[:0]
				rr := res.GetHeaders("Record-Route")
				for i := len(rr) - 1; i >= 0; i-- {
					if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
						c.routes = append(c.routes, h.Address)
					}
				}
				ack := c.newRequestLocked(sip.ACK)
				ack.CSeq().SeqNo = req.CSeq().SeqNo
				bye := c.newRequestLocked(sip.BYE)
				c.mu.Unlock()
				_ = u.send(cctx, ack)
				_, _ = u.roundTrip(cctx, bye, nil)
			} else {
				_ = u.send(cctx, NewAckNon2xx(req, res))
			}
			return
		case <-cctx.Done():
			return
		}
	}
}

func (c *Call) newInvite(offer []byte) *sip.Request {
	u := c.ua
	c.mu.Lock()
	defer c.mu.Unlock()
	req := sip.NewRequest(sip.INVITE, c.remote)
	req.AppendHeader(u.newVia())
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	from := &sip.FromHeader{Address: c.local, Params: sip.NewParams()}
	from.Params.Add("tag", c.localTag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: c.remote, Params: sip.NewParams()})
	cid := sip.CallIDHeader(c.callID)
	req.AppendHeader(&cid)
	c.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: c.cseq, MethodName: sip.INVITE})
	req.AppendHeader(u.dialogContact())
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	req.AppendHeader(sip.NewHeader("Supported", supported))
	req.AppendHeader(sip.NewHeader("User-Agent", u.opts.UserAgent))
	if len(offer) > 0 {
		ct := sip.ContentTypeHeader("application/sdp")
		req.AppendHeader(&ct)
	}
	req.SetBody(offer)
	return req
}

// newRequestLocked builds an in-dialog request; c.mu must be held.
func (c *Call) newRequestLocked(method sip.RequestMethod) *sip.Request {
	u := c.ua
	req := sip.NewRequest(method, c.remoteTarget)
	req.AppendHeader(u.newVia())
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	for _, r := range c.routes {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	from := &sip.FromHeader{Address: c.local, Params: sip.NewParams()}
	from.Params.Add("tag", c.localTag)
	req.AppendHeader(from)
	to := &sip.ToHeader{Address: c.remote, Params: sip.NewParams()}
	if c.remoteTag != "" {
		to.Params.Add("tag", c.remoteTag)
	}
	req.AppendHeader(to)
	cid := sip.CallIDHeader(c.callID)
	req.AppendHeader(&cid)
	if method != sip.ACK {
		c.cseq++
	}
	req.AppendHeader(&sip.CSeqHeader{SeqNo: c.cseq, MethodName: method})
	if method == sip.INVITE || method == sip.REFER {
		req.AppendHeader(u.dialogContact())
	}
	req.AppendHeader(sip.NewHeader("User-Agent", u.opts.UserAgent))
	req.SetBody(nil)
	return req
}

// request sends an in-dialog request and returns its final answer, answering one challenge.
func (c *Call) request(ctx context.Context, method sip.RequestMethod, ctype string, body []byte, extra ...sip.Header) (*sip.Response, error) {
	var challenge *sip.Response
	for attempt := 0; attempt < 2; attempt++ {
		c.mu.Lock()
		if c.state == DialogEnded {
			c.mu.Unlock()
			return nil, ErrCallState
		}
		req := c.newRequestLocked(method)
		c.mu.Unlock()
		for _, h := range extra {
			req.AppendHeader(h)
		}
		if ctype != "" {
			ct := sip.ContentTypeHeader(ctype)
			req.AppendHeader(&ct)
		}
		req.SetBody(body)
		if challenge != nil && !c.ua.authorize(req, challenge) {
			break
		}
		res, err := c.ua.roundTrip(ctx, req, nil)
		if err != nil {
			return nil, err
		}
		if method == sip.INVITE && !res.IsSuccess() {
			_ = c.ua.send(ctx, NewAckNon2xx(req, res))
		}
		if (res.StatusCode == 401 || res.StatusCode == 407) && challenge == nil {
			challenge = res
			continue
		}
		if !res.IsSuccess() {
			return res, &StatusError{Method: string(method), Code: res.StatusCode, Reason: res.Reason, Warning: warningText(res)}
		}
		if method == sip.INVITE {
			c.mu.Lock()
			ack := c.newRequestLocked(sip.ACK)
			ack.CSeq().SeqNo = req.CSeq().SeqNo
			c.ack = ack
			c.mu.Unlock()
			if err := c.ua.send(ctx, ack); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	return nil, &StatusError{Method: string(method), Code: challenge.StatusCode, Reason: challenge.Reason}
}

// resendAck answers a 2xx to an INVITE of ours that came again, or late: the same ACK for a
// repeated answer; a new one for the answer to a re-INVITE that was given up (the other side has
// then taken an offer this side rolled back, which is logged).
func (c *Call) resendAck(res *sip.Response) {
	c.mu.Lock()
	ack := c.ack
	late := false
	if ack == nil || ack.CSeq().SeqNo != res.CSeq().SeqNo {
		if c.state == DialogEnded || res.CSeq().SeqNo > c.cseq {
			c.mu.Unlock()
			return
		}
		ack = c.newRequestLocked(sip.ACK)
		ack.CSeq().SeqNo = res.CSeq().SeqNo
		late = true
	}
	c.mu.Unlock()
	_ = c.ua.send(context.Background(), ack)
	if late {
		c.ua.log.Warn("a re-INVITE given up was accepted after all; the other side may hold a change this phone rolled back", "call", c.callID)
	}
}

// Reinvite offers a new session description in the call (hold: a=sendonly or a=inactive; resume:
// a=sendrecv) and returns the other side's answer: one attempt of Renegotiate, without its retry.
func (c *Call) Reinvite(ctx context.Context, offer []byte) ([]byte, error) {
	return c.reinvite(ctx, offer)
}

// Renegotiate changes the session of an established call with a re-INVITE (RFC 3261 section 14)
// and returns the other side's answer; offer makes our offer. It is all or nothing: when the other
// side refuses (a *StatusError: 488, 500, ...), gives no final answer within
// Options.ReinviteTimeout (ErrTimeout: a CANCEL is sent when the request got as far as a
// provisional answer), or ctx ends first, rollback is called before Renegotiate returns and the
// dialog carries the session it had before. A refusal with 481 means the other side has forgotten
// the call: it ends.
//
// A 491 (the other side's re-INVITE crossed ours) is retried once, with a new offer, after the
// random wait of RFC 3261 section 14.1: 2.1 to 4 s in steps of 10 ms when we placed the call and so
// own its Call-ID, 0 to 2 s when the other side did. rollback runs before the wait, so that a
// re-INVITE of the other side meanwhile meets the session as it was, and is answered.
func (c *Call) Renegotiate(ctx context.Context, offer func() ([]byte, error), rollback func()) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		o, err := offer()
		if err != nil {
			return nil, err
		}
		answer, err := c.reinvite(ctx, o)
		if err == nil {
			return answer, nil
		}
		rollback()
		var se *StatusError
		if !errors.As(err, &se) || se.Code != 491 || attempt > 0 {
			return nil, err
		}
		d := c.GlareDelay()
		c.ua.log.Debug("re-INVITE crossed the other side's: trying again", "call", c.callID, "after", d)
		if werr := waitGlare(ctx, d); werr != nil {
			return nil, err
		}
	}
}

// GlareDelay is how long to wait before trying again a re-INVITE refused with 491 (RFC 3261
// section 14.1): a random time in units of 10 ms, between 2.1 and 4 s when we own the dialog's
// Call-ID (we placed the call), between 0 and 2 s when the other side does.
func (c *Call) GlareDelay() time.Duration {
	if c.dir == DirectionOutgoing {
		return 2100*time.Millisecond + time.Duration(randInt(191))*10*time.Millisecond
	}
	return time.Duration(randInt(201)) * 10 * time.Millisecond
}

// waitGlare waits d or until ctx ends; tests replace it.
var waitGlare = func(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reinvite runs one re-INVITE: the dialog is DialogReinviting until the final answer. It first
// waits for the ACK of the other side's re-INVITE we just accepted, if any.
func (c *Call) reinvite(ctx context.Context, offer []byte) ([]byte, error) {
	c.mu.Lock()
	acked := c.acked
	c.mu.Unlock()
	if acked != nil {
		t := time.NewTimer(ackWait)
		select {
		case <-acked:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		t.Stop()
	}
	c.mu.Lock()
	if err := c.moveLocked(dialogInputReinvite); err != nil {
		c.mu.Unlock()
		return nil, ErrCallState
	}
	c.mu.Unlock()
	res, err := c.reinviteAuth(ctx, offer)
	c.mu.Lock()
	_ = c.moveLocked(dialogInputReinviteDone) // refused only when the call ended meanwhile
	if err == nil && res.IsSuccess() {
		c.remoteSDP = slices.Clone(res.Body())
		if ct := res.Contact(); ct != nil {
			c.remoteTarget = ct.Address
		}
	}
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if !res.IsSuccess() {
		if res.StatusCode == 481 {
			c.end(ErrCallEnded)
		}
		return nil, &StatusError{Method: "INVITE", Code: res.StatusCode, Reason: res.Reason, Warning: warningText(res)}
	}
	return slices.Clone(res.Body()), nil
}

// reinviteAuth sends the re-INVITE, again with credentials when challenged, and returns the final
// answer (already ACKed).
func (c *Call) reinviteAuth(ctx context.Context, offer []byte) (*sip.Response, error) {
	var challenge *sip.Response
	for {
		c.mu.Lock()
		if c.state == DialogEnded {
			c.mu.Unlock()
			return nil, ErrCallState
		}
		req := c.newRequestLocked(sip.INVITE)
		c.mu.Unlock()
		ct := sip.ContentTypeHeader("application/sdp")
		req.AppendHeader(&ct)
		req.SetBody(offer)
		if challenge != nil && !c.ua.authorize(req, challenge) {
			return challenge, nil
		}
		res, err := c.reinviteTx(ctx, req)
		if err != nil {
			return nil, err
		}
		if (res.StatusCode == 401 || res.StatusCode == 407) && challenge == nil {
			challenge = res
			continue
		}
		return res, nil
	}
}

// cancelGrace is how long a re-INVITE given up after a provisional answer waits, after its CANCEL,
// for the final answer: a 2xx that crosses the CANCEL still counts.
const cancelGrace = 2 * time.Second

// reinviteTx runs one re-INVITE client transaction and ACKs its final answer. It gives up after
// Options.ReinviteTimeout or at ctx's end (sending a CANCEL if a provisional answer came).
func (c *Call) reinviteTx(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	u := c.ua
	tx, up, err := u.openTx(req)
	if err != nil {
		return nil, err
	}
	defer u.closeTx(req)
	if err := u.send(ctx, req); err != nil {
		return nil, err
	}
	timer := time.NewTimer(u.opts.ReinviteTimeout)
	defer timer.Stop()
	provisional := false
	final := func(res *sip.Response) (*sip.Response, error) {
		actx := context.WithoutCancel(ctx)
		if !res.IsSuccess() {
			if err := u.send(actx, NewAckNon2xx(req, res)); err != nil {
				u.log.Debug("ACK of refusal", "error", err)
			}
			return res, nil
		}
		c.mu.Lock()
		ack := c.newRequestLocked(sip.ACK)
		ack.CSeq().SeqNo = req.CSeq().SeqNo
		c.ack = ack
		c.mu.Unlock()
		if err := u.send(actx, ack); err != nil {
			return nil, err
		}
		return res, nil
	}
	var gaveUp error
	for {
		select {
		case res := <-tx.resp:
			if res.IsProvisional() {
				provisional = true
				continue
			}
			return final(res)
		case <-up:
			return nil, ErrNotConnected
		case <-timer.C:
			gaveUp = fmt.Errorf("%w (re-INVITE)", ErrTimeout)
		case <-ctx.Done():
			gaveUp = ctx.Err()
		}
		break
	}
	if !provisional {
		return nil, gaveUp
	}
	// RFC 3261 section 9.1: a CANCEL only after a provisional answer. Its own answer is not waited
	// for; the INVITE's final answer (487, or a 2xx that crossed it) is, briefly.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelGrace)
	defer cancel()
	cancelReq := newCancel(req)
	ctx2, cancel2 := context.WithTimeout(context.WithoutCancel(ctx), u.opts.RequestTimeout)
	go func() { defer cancel2(); _, _ = u.roundTrip(ctx2, cancelReq, nil) }()
	for {
		select {
		case res := <-tx.resp:
			if res.IsProvisional() {
				continue
			}
			if res.IsSuccess() {
				return final(res)
			}
			_, _ = final(res)
			return nil, gaveUp
		case <-up:
			return nil, gaveUp
		case <-cctx.Done():
			return nil, gaveUp
		}
	}
}

// Hangup ends the call: BYE for an established call, 603 Decline for an incoming call not yet
// answered. A call already ended returns ErrCallState. The call ends even if the BYE goes unanswered.
func (c *Call) Hangup(ctx context.Context) error {
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	switch st {
	case DialogEarly:
		if c.dir == DirectionIncoming {
			return c.Reject(ctx, 603)
		}
		return ErrCallState // an outgoing attempt is cancelled through Invite's ctx
	case DialogAnswered, DialogConfirmed, DialogReinviting:
		_, err := c.request(ctx, sip.BYE, "", nil)
		c.end(ErrCallEnded)
		var se *StatusError
		if errors.As(err, &se) && (se.Code == 481 || se.Code == 408) {
			return nil // the other side had already forgotten the call
		}
		return err
	}
	return ErrCallState
}

// SendDTMF sends one digit as a SIP INFO (application/dtmf-relay).
func (c *Call) SendDTMF(ctx context.Context, digit rune, duration time.Duration) error {
	if !validDTMF(digit) {
		return ErrBadDTMF
	}
	if duration <= 0 {
		duration = 160 * time.Millisecond
	}
	body := fmt.Sprintf("Signal=%c\r\nDuration=%d\r\n", digit, duration.Milliseconds())
	_, err := c.request(ctx, sip.INFO, "application/dtmf-relay", []byte(body))
	return err
}

// Transfer asks the other side to call target instead (blind transfer, REFER) and returns once the
// request is accepted; the caller then hangs up.
func (c *Call) Transfer(ctx context.Context, target string) error {
	to, err := c.ua.Target(target)
	if err != nil {
		return err
	}
	_, err = c.request(ctx, sip.REFER, "", nil, &sip.ReferToHeader{Address: to}, sip.NewHeader("Referred-By", "<"+c.ua.aor.String()+">"))
	return err
}

// TransferTo hands the other side of c over to the other side of other, in place of us (attended
// transfer, RFC 5589): typically c is on hold with a caller and other is the consultation call with
// the colleague taking over. It sends a REFER on c whose Refer-To names other's party with a
// Replaces header for other's dialog; the caller's phone then calls the colleague, whose phone
// replaces its call with us by the new one.
//
// TransferTo waits for the outcome the transferee reports in NOTIFY (message/sipfrag): nil on a
// final 2xx, after which the caller hangs c up (the target ends other itself). Otherwise both calls
// are left as they were and the error is a *TransferError (the REFER refused, or the call to the
// target failed), ErrTransferNoReport (no outcome before ctx's deadline or the end of the
// subscription), ErrTransferAbandoned (one of the calls ended), or ErrCallState.
func (c *Call) TransferTo(ctx context.Context, other *Call) error {
	if other == nil || other == c || other.ua != c.ua {
		return ErrCallState
	}
	other.mu.Lock()
	ok := other.state == DialogConfirmed && other.remoteTag != ""
	r := Replaces{CallID: other.callID, ToTag: other.remoteTag, FromTag: other.localTag}
	target := other.remote
	other.mu.Unlock()
	reports := make(chan referReport, 16)
	c.mu.Lock()
	if !ok || c.state != DialogConfirmed || c.refer != nil {
		c.mu.Unlock()
		return ErrCallState
	}
	c.refer = reports
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.refer = nil
		c.mu.Unlock()
	}()

	_, err := c.request(ctx, sip.REFER, "", nil,
		sip.NewHeader("Refer-To", referTarget(target, r)),
		sip.NewHeader("Referred-By", "<"+c.ua.aor.String()+">"))
	var se *StatusError
	if errors.As(err, &se) {
		return &TransferError{Refused: true, Code: se.Code, Reason: se.Reason}
	}
	if err != nil {
		return err
	}
	c.ua.log.Debug("transfer accepted, waiting for its outcome", "call", c.callID, "replaces", other.callID)
	outcome := func(rep referReport) (bool, error) {
		switch {
		case rep.code == 0:
			return true, ErrTransferNoReport
		case rep.code < 200:
			return false, nil
		case rep.code < 300:
			return true, nil
		}
		return true, &TransferError{Code: rep.code, Reason: rep.reason}
	}
	for {
		select {
		case rep := <-reports:
			if done, err := outcome(rep); done {
				return err
			}
		case <-c.done:
			// A final NOTIFY read before the BYE is already queued: it wins.
			for {
				select {
				case rep := <-reports:
					if done, err := outcome(rep); done {
						return err
					}
					continue
				default:
				}
				break
			}
			return ErrTransferAbandoned
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return ErrTransferNoReport
			}
			return ctx.Err()
		}
	}
}

// referProgress passes on what a NOTIFY of our REFER said, if TransferTo waits for it.
func (c *Call) referProgress(rep referReport) {
	c.mu.Lock()
	ch := c.refer
	c.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- rep:
	default:
	}
}

func validDTMF(d rune) bool {
	return (d >= '0' && d <= '9') || d == '*' || d == '#' || (d >= 'A' && d <= 'D')
}

// Ring tells the caller of an incoming call that it rings here (180).
func (c *Call) Ring(ctx context.Context) error {
	c.mu.Lock()
	if c.dir != DirectionIncoming || c.state != DialogEarly {
		c.mu.Unlock()
		return ErrCallState
	}
	inv := c.invite
	c.mu.Unlock()
	return c.respond(ctx, inv, 180, "Ringing", nil)
}

// Answer accepts an incoming call with the SDP answer.
func (c *Call) Answer(ctx context.Context, answer []byte) error {
	c.mu.Lock()
	if c.dir != DirectionIncoming || c.moveLocked(dialogInputAnswer) != nil {
		c.mu.Unlock()
		return ErrCallState
	}
	inv := c.invite
	c.mu.Unlock()
	if err := c.respond(ctx, inv, 200, "OK", answer); err != nil {
		c.end(err)
		return err
	}
	return nil
}

// Reject refuses an incoming call with code (486 busy, 603 decline, 480 unavailable); a code that is
// not a final refusal becomes 603.
func (c *Call) Reject(ctx context.Context, code int) error {
	if code < 300 || code > 699 {
		code = 603
	}
	c.mu.Lock()
	if c.dir != DirectionIncoming || c.state != DialogEarly {
		c.mu.Unlock()
		return ErrCallState
	}
	inv := c.invite
	c.mu.Unlock()
	err := c.respond(ctx, inv, code, reasonPhrase(code), nil)
	c.end(&StatusError{Method: "INVITE", Code: code, Reason: reasonPhrase(code)})
	return err
}

func reasonPhrase(code int) string {
	switch code {
	case 180:
		return "Ringing"
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 481:
		return "Call/Transaction Does Not Exist"
	case 480:
		return "Temporarily Unavailable"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 489:
		return "Bad Event"
	case 491:
		return "Request Pending"
	case 603:
		return "Decline"
	}
	return "Refused"
}

// respond answers a request inside this call, with our tag and Contact.
func (c *Call) respond(ctx context.Context, req *sip.Request, code int, reason string, body []byte) error {
	c.mu.Lock()
	tag := c.localTag
	c.mu.Unlock()
	return c.ua.respond(ctx, req, code, reason, body, tag)
}

// respond answers req, with extra headers; a non-empty tag is put on To when it has none.
func (u *UA) respond(ctx context.Context, req *sip.Request, code int, reason string, body []byte, tag string, extra ...sip.Header) error {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range extra {
		res.AppendHeader(h)
	}
	// sipgo puts a random To tag on responses to requests without one; the dialog needs ours.
	if _, hadTag := req.To().Params.Get("tag"); !hadTag {
		if to := res.To(); to != nil {
			if to.Params == nil {
				to.Params = sip.NewParams()
			}
			to.Params.Remove("tag")
			if tag != "" {
				to.Params.Add("tag", tag)
			}
		}
	}
	if req.Method == sip.INVITE && code >= 180 && code < 300 {
		res.AppendHeader(u.dialogContact())
	}
	if req.Method == sip.INVITE && code >= 200 && code < 300 || req.Method == sip.OPTIONS {
		res.AppendHeader(sip.NewHeader("Supported", supported))
	}
	if code == 405 || req.Method == sip.OPTIONS {
		res.AppendHeader(sip.NewHeader("Allow", allowed))
	}
	res.AppendHeader(sip.NewHeader("User-Agent", u.opts.UserAgent))
	if len(body) > 0 {
		ct := sip.ContentTypeHeader("application/sdp")
		res.AppendHeader(&ct)
	}
	res.SetBody(body)
	return u.send(ctx, res)
}

// NewAckNon2xx is the ACK of a final non-2xx answer to the INVITE inv (RFC 3261 section 17.1.1.3):
// same Via branch and Route set, the To of the answer.
func NewAckNon2xx(inv *sip.Request, res *sip.Response) *sip.Request {
	ack := sip.NewRequest(sip.ACK, inv.Recipient)
	ack.AppendHeader(inv.Via().Clone())
	mf := sip.MaxForwardsHeader(70)
	ack.AppendHeader(&mf)
	sip.CopyHeaders("Route", inv, ack)
	sip.CopyHeaders("From", inv, ack)
	sip.CopyHeaders("To", res, ack)
	sip.CopyHeaders("Call-ID", inv, ack)
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.ACK})
	ack.SetBody(nil)
	return ack
}

func newCancel(inv *sip.Request) *sip.Request {
	cr := sip.NewRequest(sip.CANCEL, inv.Recipient)
	cr.AppendHeader(inv.Via().Clone())
	mf := sip.MaxForwardsHeader(70)
	cr.AppendHeader(&mf)
	sip.CopyHeaders("Route", inv, cr)
	sip.CopyHeaders("From", inv, cr)
	sip.CopyHeaders("To", inv, cr)
	sip.CopyHeaders("Call-ID", inv, cr)
	cr.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	cr.SetBody(nil)
	return cr
}
