package pbx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/sipua"
)

// answerTimeout bounds making the media answer of an extension call (ICE gathering).
const answerTimeout = 10 * time.Second

// handleRequest answers one request from an agent. It runs on the connection's read loop and
// never waits for media: that work runs on goroutines of its own.
func (p *PBX) handleRequest(c *conn, req *sip.Request) {
	id := string(*req.CallID())
	switch req.Method {
	case sip.REGISTER:
		p.handleRegister(c, req)
	case sip.INVITE:
		p.handleInvite(c, req)
	case sip.ACK:
		// The ACK of our 2xx confirms the dialog; nothing waits for it.
	case sip.CANCEL:
		call := p.callOn(c, id)
		if call == nil {
			c.respond(req, 481, "Call/Transaction Does Not Exist", nil, "")
			return
		}
		c.respond(req, 200, "OK", nil, "")
		call.mu.Lock()
		ringing, inv, tag := call.state == StateRinging && call.kind != KindCustomer, call.invite, call.localTag
		call.mu.Unlock()
		if ringing {
			c.respond(inv, 487, "Request Terminated", nil, tag)
			call.finish("the agent cancelled the call")
		}
	case sip.BYE:
		call := p.callOn(c, id)
		if call == nil || !call.matches(req) {
			c.respond(req, 481, "Call/Transaction Does Not Exist", nil, "")
			return
		}
		c.respond(req, 200, "OK", nil, "")
		call.finish("the agent hung up")
	case sip.INFO:
		call := p.callOn(c, id)
		if call == nil || !call.matches(req) {
			c.respond(req, 481, "Call/Transaction Does Not Exist", nil, "")
			return
		}
		ctype := ""
		if h := req.ContentType(); h != nil {
			ctype, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(h.Value())), ";")
			ctype = strings.TrimSpace(ctype)
		}
		d, _, ok := sipua.ParseDTMFBody(ctype, req.Body())
		if !ok {
			c.respond(req, 415, "Unsupported Media Type", nil, "", sip.NewHeader("Accept", "application/dtmf-relay, application/dtmf"))
			return
		}
		c.respond(req, 200, "OK", nil, "")
		call.digit(d)
	case sip.OPTIONS:
		c.respond(req, 200, "OK", nil, "", sip.NewHeader("Allow", allowed))
	default:
		c.respond(req, 405, "Method Not Allowed", nil, "", sip.NewHeader("Allow", allowed))
	}
}

// digit takes a digit the agent sent in a SIP INFO.
func (c *Call) digit(d rune) {
	c.mu.Lock()
	echo := c.echoDigits
	c.mu.Unlock()
	c.gotDigit(d, echo)
}

// handleInvite starts a call to an extension, or answers a re-INVITE in a call.
func (p *PBX) handleInvite(c *conn, req *sip.Request) {
	id := string(*req.CallID())
	if tag, _ := req.To().Params.Get("tag"); tag != "" {
		call := p.callOn(c, id)
		if call == nil || !call.matches(req) {
			c.respond(req, 481, "Call/Transaction Does Not Exist", nil, "")
			return
		}
		call.reoffer(req)
		return
	}
	if p.callOn(c, id) != nil {
		return // a repeated INVITE of a call being set up
	}
	caller := req.From().Address.User
	if reg := c.registeredUser(); reg == "" || !strings.EqualFold(reg, caller) {
		switch res, who := p.authenticate(req, caller); res {
		case authOK:
			c.authenticated()
		case authStale:
			c.respond(req, 401, "Unauthorized", nil, "", p.challenge(true))
			return
		case authWrongUser:
			p.log.Info("call refused: credentials of another account", "caller", caller, "auth_user", who)
			c.respond(req, 403, "Forbidden", nil, "", warning("these credentials belong to another account than the caller's"))
			return
		default:
			c.respond(req, 401, "Unauthorized", nil, "", p.challenge(false))
			return
		}
	}
	var kind CallKind
	switch req.Recipient.User {
	case ExtEcho:
		kind = KindEcho
	case ExtTone:
		kind = KindTone
	default:
		c.respond(req, 404, "Not Found", nil, "", warning("no extension "+quote(req.Recipient.User)+" here: dial "+ExtEcho+" (echo) or "+ExtTone+" (tone and DTMF)"))
		return
	}
	if h := req.ContentType(); h != nil && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Value())), "application/sdp") {
		c.respond(req, 415, "Unsupported Media Type", nil, "", sip.NewHeader("Accept", "application/sdp"))
		return
	}
	if len(req.Body()) == 0 {
		c.respond(req, 488, "Not Acceptable Here", nil, "", warning("an INVITE without an SDP offer is not supported: offer audio"))
		return
	}
	call := p.newCall(c, id, kind, caller)
	call.invite = req
	call.local = req.To().Address
	call.remote = req.From().Address
	call.remoteTag, _ = req.From().Params.Get("tag")
	call.remoteTarget = req.From().Address
	if ct := req.Contact(); ct != nil {
		call.remoteTarget = ct.Address
	}
	switch err := p.add(call); {
	case errors.Is(err, ErrBusy):
		p.log.Info("call refused: too many calls", "caller", caller, "limit", p.opts.MaxCallsPerUser)
		c.respond(req, 486, "Busy Here", nil, "", warning(fmt.Sprintf("%s has %d calls, the most the PBX allows at once: hang one up first", caller, p.opts.MaxCallsPerUser)))
		return
	case err != nil:
		c.respond(req, 503, "Service Unavailable", nil, "", warning("the PBX is stopping, or this Call-ID is in use"))
		return
	}
	c.respond(req, 100, "Trying", nil, "")
	p.notify(call)
	offer := slices.Clone(req.Body())
	if !p.spawn(func() { call.answerExtension(offer) }) {
		call.finish("the demo server stopped")
	}
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "'" + s + "'"
}

// mediaOptions are the options of every session of the PBX.
func (p *PBX) mediaOptions() rtc.Options {
	return rtc.Options{AllowLoopback: !p.opts.NoLoopback, Logger: p.log.With("part", "media")}
}

// answerExtension makes the media of an extension call and answers it.
func (c *Call) answerExtension(offer []byte) {
	p := c.p
	opts := p.mediaOptions()
	var echoDigits chan rune
	switch c.kind {
	case KindEcho:
		e := newEcho()
		opts.Source, opts.Sink = e, e
	case KindTone:
		opts.Source = rtc.NewToneSource(p.opts.ToneHz)
		echoDigits = make(chan rune, 64)
		opts.OnDTMF = func(d rune) { c.gotDigit(d, echoDigits) }
	}
	refuse := func(code int, phrase, why string) {
		c.link().respond(c.invite, code, phrase, nil, c.localTag, warning(why), reasonHeader(code, why))
		c.finish(why)
	}
	sess, err := rtc.NewSession(opts)
	if err != nil {
		refuse(500, "Server Internal Error", "the PBX could not make the call's media")
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, answerTimeout)
	answer, err := sess.Answer(ctx, offer)
	cancel()
	if err != nil {
		sess.Close()
		switch {
		case c.ctx.Err() != nil:
			return // cancelled meanwhile
		case errors.Is(err, rtc.ErrNoCommonCodec):
			refuse(488, "Not Acceptable Here", "no common codec: the PBX takes Opus, PCMU or PCMA")
		case errors.Is(err, rtc.ErrBadSDP), errors.Is(err, rtc.ErrNoAudio):
			refuse(488, "Not Acceptable Here", "the SDP offer is unusable: it needs one audio stream with ICE and DTLS (WebRTC)")
		default:
			p.log.Debug("extension answer failed", "call", c.id, "error", err)
			refuse(500, "Server Internal Error", "the PBX could not answer the call's media")
		}
		return
	}
	c.mu.Lock()
	if c.state != StateRinging {
		c.mu.Unlock()
		sess.Close()
		return
	}
	c.sess = sess
	c.state = StateActive
	c.answered = p.opts.Now()
	c.infoDTMF = !offersTelephoneEvent(offer)
	c.echoDigits = echoDigits
	c.mu.Unlock()
	c.link().respond(c.invite, 200, "OK", answer, c.localTag, p.contact(), sip.NewHeader("Allow", allowed))
	p.log.Info("extension call answered", "call", c.id, "extension", c.kind.String(), "agent", c.agent)
	p.notify(c)
	c.limit(p.opts.MaxCallDuration, "the PBX's call time limit was reached")
	if echoDigits != nil {
		p.spawn(func() { c.echoDTMF(echoDigits) })
	}
}

// echoDTMF sends back each digit received, as the caller can take them.
func (c *Call) echoDTMF(digits <-chan rune) {
	for {
		select {
		case <-c.ctx.Done():
			return
		case d := <-digits:
			c.mu.Lock()
			info, sess := c.infoDTMF, c.sess
			c.mu.Unlock()
			var err error
			if info {
				err = c.sendINFO(d)
			} else {
				err = sess.SendDTMF(c.ctx, d, 160*time.Millisecond)
			}
			if err != nil && c.ctx.Err() == nil {
				c.p.log.Debug("DTMF echo", "call", c.id, "error", err)
			}
		}
	}
}

// reoffer answers a re-INVITE (hold, resume) in the call.
func (c *Call) reoffer(req *sip.Request) {
	c.mu.Lock()
	sess, st := c.sess, c.state
	c.mu.Unlock()
	if sess == nil || st != StateActive {
		c.link().respond(req, 491, "Request Pending", nil, "")
		return
	}
	if len(req.Body()) == 0 {
		c.link().respond(req, 488, "Not Acceptable Here", nil, "", warning("a re-INVITE without an SDP offer is not supported"))
		return
	}
	answer, err := sess.Reoffer(req.Body())
	if err != nil {
		why := "the new offer is unusable"
		if errors.Is(err, rtc.ErrRenegotiation) {
			why = "the new offer changes the media transport, which the PBX does not support in a call"
		}
		c.link().respond(req, 488, "Not Acceptable Here", nil, "", warning(why))
		return
	}
	if ct := req.Contact(); ct != nil {
		c.mu.Lock()
		c.remoteTarget = ct.Address
		c.mu.Unlock()
	}
	c.link().respond(req, 200, "OK", answer, "", c.p.contact())
}
