package sipua

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// handleRequest answers a request from the server. It runs on the read loop: it never waits for the
// network or a handler, it queues events.
func (u *UA) handleRequest(req *sip.Request) {
	if req.Via() == nil || req.CallID() == nil || req.CSeq() == nil || req.From() == nil || req.To() == nil {
		return // not answerable: no way to route a response
	}
	ctx := context.Background()
	callID := string(*req.CallID())
	u.mu.Lock()
	call := u.calls[callID]
	u.mu.Unlock()
	toTag, _ := req.To().Params.Get("tag")

	switch req.Method {
	case sip.INVITE:
		if toTag == "" {
			if call != nil {
				return // a retransmission of an INVITE we already have
			}
			u.newIncoming(ctx, req)
			return
		}
		if call == nil || !call.matches(req) {
			_ = u.respond(ctx, req, 481, reasonPhrase(481), nil, "")
			return
		}
		call.reoffer(ctx, req)
	case sip.ACK:
		if call != nil && call.matches(req) {
			call.mu.Lock()
			if err := call.moveLocked(dialogInputAck); err != nil {
				u.log.Debug("ACK ignored", "call", callID, "error", err)
			}
			if call.acked != nil {
				close(call.acked)
				call.acked = nil
			}
			call.mu.Unlock()
		}
	case sip.CANCEL:
		if call == nil || call.dir != DirectionIncoming {
			_ = u.respond(ctx, req, 481, reasonPhrase(481), nil, "")
			return
		}
		call.mu.Lock()
		early := call.state == DialogEarly
		inv := call.invite
		call.mu.Unlock()
		_ = u.respond(ctx, req, 200, "OK", nil, "")
		if early {
			_ = call.respond(ctx, inv, 487, reasonPhrase(487), nil)
			call.end(ErrCancelled)
		}
	case sip.BYE:
		if call == nil || !call.matches(req) {
			_ = u.respond(ctx, req, 481, reasonPhrase(481), nil, "")
			return
		}
		_ = u.respond(ctx, req, 200, "OK", nil, "")
		call.end(ErrCallEnded)
	case sip.INFO:
		if call == nil || !call.matches(req) {
			_ = u.respond(ctx, req, 481, reasonPhrase(481), nil, "")
			return
		}
		digit, dur, ok := parseDTMFInfo(req)
		if !ok {
			_ = u.respond(ctx, req, 415, "Unsupported Media Type", nil, "")
			return
		}
		_ = u.respond(ctx, req, 200, "OK", nil, "")
		if h := u.opts.Handler.DTMF; h != nil {
			u.events.push(func() { h(call, digit, dur) })
		}
	case sip.NOTIFY:
		// Progress of a transfer we asked for (the implicit subscription of our REFER).
		if call == nil || !call.matches(req) {
			_ = u.respond(ctx, req, 481, reasonPhrase(481), nil, "")
			return
		}
		if !isReferEvent(req) {
			_ = u.respond(ctx, req, 489, reasonPhrase(489), nil, "")
			return
		}
		_ = u.respond(ctx, req, 200, "OK", nil, "")
		if code, reason, ok := parseSipfrag(req.Body()); ok {
			call.referProgress(referReport{code: code, reason: reason})
		}
		if h := req.GetHeader("Subscription-State"); h != nil && strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Value())), "terminated") {
			call.referProgress(referReport{})
		}
	case sip.OPTIONS:
		_ = u.respond(ctx, req, 200, "OK", nil, "")
	case sip.REFER:
		// A contact-center agent's calls are moved by the agent, never by the other party: a REFER
		// from the far end (being transferred, RFC 3515) is declined. An in-dialog REFER for a
		// dialog we do not have is 481, as for any other in-dialog request.
		if toTag != "" && (call == nil || !call.matches(req)) {
			_ = u.respond(ctx, req, 481, reasonPhrase(481), nil, "")
			return
		}
		u.log.Info("transfer request from the other side declined", "call", callID)
		_ = u.respond(ctx, req, 603, reasonPhrase(603), nil, "",
			warning(u.viaHost, "this phone does not accept transfer requests: the agent transfers calls"))
	default:
		_ = u.respond(ctx, req, 405, "Method Not Allowed", nil, "")
	}
}

// matches reports whether an in-dialog request belongs to this call's dialog.
func (c *Call) matches(req *sip.Request) bool {
	toTag, _ := req.To().Params.Get("tag")
	fromTag, _ := req.From().Params.Get("tag")
	c.mu.Lock()
	defer c.mu.Unlock()
	if req.Method == sip.ACK && c.dir == DirectionIncoming {
		return toTag == c.localTag
	}
	return toTag == c.localTag && fromTag == c.remoteTag
}

func (u *UA) newIncoming(ctx context.Context, req *sip.Request) {
	if !u.State().CanCall() || u.opts.Handler.Incoming == nil {
		_ = u.respond(ctx, req, 480, reasonPhrase(480), nil, randomToken(8))
		return
	}
	if len(req.Body()) == 0 {
		// An INVITE without an offer would need our offer in the 200 and the answer in the ACK
		// (late offer): not supported. The caller ACKs the 488 and no call is left on either side.
		_ = u.respond(ctx, req, 488, reasonPhrase(488), nil, randomToken(8),
			warning(u.viaHost, "late offer is not supported: send the SDP offer in the INVITE"))
		return
	}
	var replaced *Call
	if hs := req.GetHeaders("Replaces"); len(hs) > 0 {
		var code int
		replaced, code = u.replacedCall(hs)
		if replaced == nil {
			_ = u.respond(ctx, req, code, reasonPhrase(code), nil, randomToken(8))
			return
		}
	}
	from := req.From()
	c := &Call{
		ua: u, dir: DirectionIncoming, callID: string(*req.CallID()), done: make(chan struct{}),
		localTag: randomToken(8), local: req.To().Address, remote: from.Address,
		remoteName: from.DisplayName, invite: req, remoteSDP: slices.Clone(req.Body()), replaces: replaced,
	}
	c.state, _ = dialogTransition(DialogUnknown, dialogInputInvite)
	c.remoteTag, _ = from.Params.Get("tag")
	c.remoteTarget = from.Address
	if ct := req.Contact(); ct != nil {
		c.remoteTarget = ct.Address
	}
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			c.routes = append(c.routes, rr.Address)
		}
	}
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return
	}
	u.calls[c.callID] = c
	u.mu.Unlock()
	h := u.opts.Handler.Incoming
	u.events.push(func() { h(c) })
}

// replacedCall finds the established call that the Replaces header(s) of an INVITE name (RFC 3891
// section 3), or says how to refuse: 400 for a malformed or repeated header, 481 for a dialog we do
// not have (or not yet established), 486 for early-only on an established one.
func (u *UA) replacedCall(hs []sip.Header) (*Call, int) {
	if len(hs) != 1 {
		return nil, 400
	}
	r, err := ParseReplaces(hs[0].Value())
	if err != nil {
		u.log.Debug("INVITE with a malformed Replaces refused", "error", err)
		return nil, 400
	}
	u.mu.Lock()
	c := u.calls[r.CallID]
	u.mu.Unlock()
	if c == nil {
		return nil, 481
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if (c.state != DialogConfirmed && c.state != DialogReinviting) || c.localTag != r.ToTag || c.remoteTag != r.FromTag {
		return nil, 481
	}
	if r.EarlyOnly {
		return nil, 486
	}
	return c, 0
}

// isReferEvent reports whether a NOTIFY belongs to a REFER subscription (Event: refer[;id=n]).
func isReferEvent(req *sip.Request) bool {
	h := req.GetHeader("Event")
	if h == nil {
		h = req.GetHeader("o")
	}
	if h == nil {
		return false
	}
	pkg, _, _ := strings.Cut(h.Value(), ";")
	return strings.EqualFold(strings.TrimSpace(pkg), "refer")
}

// warning is a Warning header (RFC 3261 section 20.43) with code 399 (miscellaneous) and text.
func warning(host, text string) sip.Header {
	return sip.NewHeader("Warning", "399 "+host+` "`+text+`"`)
}

// reoffer handles a re-INVITE: the Reoffer handler makes the answer on the event goroutine.
func (c *Call) reoffer(ctx context.Context, req *sip.Request) {
	u := c.ua
	c.mu.Lock()
	switch c.state {
	case DialogConfirmed:
	case DialogEnded:
		c.mu.Unlock()
		_ = c.respond(ctx, req, 481, reasonPhrase(481), nil)
		return
	default:
		// Our own re-INVITE is pending (RFC 3261 section 14.2), or the dialog is not confirmed yet.
		c.mu.Unlock()
		_ = c.respond(ctx, req, 491, reasonPhrase(491), nil)
		return
	}
	if ct := req.Contact(); ct != nil {
		c.remoteTarget = ct.Address
	}
	c.mu.Unlock()
	h := u.opts.Handler.Reoffer
	if h == nil || len(req.Body()) == 0 {
		_ = c.respond(ctx, req, 488, reasonPhrase(488), nil)
		return
	}
	offer := slices.Clone(req.Body())
	u.events.push(func() {
		answer, err := h(c, offer)
		if err != nil || len(answer) == 0 {
			_ = c.respond(ctx, req, 488, reasonPhrase(488), nil)
			return
		}
		c.mu.Lock()
		c.remoteSDP = offer
		if c.acked == nil {
			c.acked = make(chan struct{})
		}
		c.mu.Unlock()
		_ = c.respond(ctx, req, 200, "OK", answer)
	})
}

// parseDTMFInfo reads a digit from an INFO body in application/dtmf-relay ("Signal=5\r\nDuration=160")
// or application/dtmf ("5") form.
func parseDTMFInfo(req *sip.Request) (rune, time.Duration, bool) {
	ctype := ""
	if h := req.ContentType(); h != nil {
		ctype = strings.ToLower(strings.TrimSpace(h.Value()))
	}
	if i := strings.IndexByte(ctype, ';'); i >= 0 {
		ctype = strings.TrimSpace(ctype[:i])
	}
	return ParseDTMFBody(ctype, req.Body())
}

// ParseDTMFBody reads one DTMF digit and its duration from a SIP INFO body of the given content type
// (application/dtmf-relay or application/dtmf). A missing duration is 160 ms.
func ParseDTMFBody(ctype string, body []byte) (rune, time.Duration, bool) {
	dur := 160 * time.Millisecond
	var sig string
	switch ctype {
	case "application/dtmf-relay":
		for _, line := range strings.Split(string(body), "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
			if !ok {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "signal":
				sig = strings.TrimSpace(v)
			case "duration":
				if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 && n < 60000 {
					dur = time.Duration(n) * time.Millisecond
				}
			}
		}
	case "application/dtmf":
		sig = strings.TrimSpace(string(body))
	default:
		return 0, 0, false
	}
	if len(sig) != 1 {
		if sig == "10" {
			return '*', dur, true
		}
		if sig == "11" {
			return '#', dur, true
		}
		return 0, 0, false
	}
	d := rune(strings.ToUpper(sig)[0])
	if !validDTMF(d) {
		return 0, 0, false
	}
	return d, dur, true
}
