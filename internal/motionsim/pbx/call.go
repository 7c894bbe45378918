package pbx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/phonebar/phonebar/internal/rtc"
)

// CallKind says what a call of the PBX is for.
type CallKind int

const (
	// KindUnknown is the zero value.
	KindUnknown CallKind = iota
	// KindEcho is an agent's call to ExtEcho.
	KindEcho
	// KindTone is an agent's call to ExtTone.
	KindTone
	// KindCustomer is a customer call the PBX places to an agent.
	KindCustomer
)

// String names the kind in lower case.
func (k CallKind) String() string {
	switch k {
	case KindEcho:
		return "echo"
	case KindTone:
		return "tone"
	case KindCustomer:
		return "customer"
	}
	return "unknown"
}

// CallState is where a call stands.
type CallState int

const (
	// StateUnknown is the zero value.
	StateUnknown CallState = iota
	// StateRinging: the INVITE is out (customer call) or being answered (extension).
	StateRinging
	// StateActive: answered, media flowing.
	StateActive
	// StateEnded: over; CallInfo.Reason says why.
	StateEnded
)

// String names the state in lower case.
func (s CallState) String() string {
	switch s {
	case StateRinging:
		return "ringing"
	case StateActive:
		return "active"
	case StateEnded:
		return "ended"
	}
	return "unknown"
}

// CallInfo is a snapshot of one call.
type CallInfo struct {
	// ID is the SIP Call-ID.
	ID string `json:"id"`
	// Kind is echo, tone or customer.
	Kind string `json:"kind"`
	// Agent is the agent's SIP user.
	Agent string `json:"agent"`
	// State is ringing, active or ended.
	State string `json:"state"`
	// Started is when the call began, Answered when it was answered (zero if it was not), Ended
	// when it ended (zero while it lasts).
	Started  time.Time `json:"started"`
	Answered time.Time `json:"answered,omitzero"`
	Ended    time.Time `json:"ended,omitzero"`
	// Reason says why the call ended, in words.
	Reason string `json:"reason,omitempty"`
	// Codec is the codec the PBX sends; PacketsIn and PacketsOut count RTP packets.
	Codec      string `json:"codec,omitempty"`
	PacketsIn  uint64 `json:"rtpPacketsIn"`
	PacketsOut uint64 `json:"rtpPacketsOut"`
	// Digits are the DTMF digits received from the agent.
	Digits string `json:"digits,omitempty"`
}

// Call is one call between the PBX and an agent: one SIP dialog over the agent's connection and
// one rtc.Session.
type Call struct {
	p      *PBX
	id     string
	kind   CallKind
	agent  string
	ctx    context.Context // ends with the call
	cancel context.CancelFunc
	done   chan struct{}

	mu sync.Mutex
	// conn is the agent's connection; it changes when the agent's phone reconnects (callOn).
	conn         *conn
	state        CallState
	sess         *rtc.Session
	localTag     string
	remoteTag    string
	local        sip.Uri // our side of the dialog
	remote       sip.Uri // the agent's
	remoteTarget sip.Uri
	cseq         uint32
	invite       *sip.Request // the INVITE that made the dialog
	started      time.Time
	answered     time.Time
	ended        time.Time
	reason       string
	digits       []rune
	infoDTMF     bool      // send digits back as SIP INFO
	echoDigits   chan rune // the digits a tone call sends back
	stats        rtc.Stats
	ringCancel   context.CancelFunc // gives up ringing (customer calls)
}

func (p *PBX) newCall(c *conn, id string, kind CallKind, agent string) *Call {
	ctx, cancel := context.WithCancel(context.Background())
	return &Call{
		p: p, conn: c, id: id, kind: kind, agent: agent, ctx: ctx, cancel: cancel, done: make(chan struct{}),
		state: StateRinging, localTag: randomToken(8), started: p.opts.Now(), cseq: 1,
	}
}

// errCallIDInUse refuses a call whose Call-ID a live call has.
var errCallIDInUse = errors.New("this Call-ID is in use")

// add registers the call: ErrClosed when the PBX is closed, errCallIDInUse when the Call-ID is
// taken, ErrBusy when its agent has MaxCallsPerUser live calls.
func (p *PBX) add(call *Call) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return ErrClosed
	case p.calls[call.id] != nil:
		return errCallIDInUse
	case p.callsOfLocked(call.agent) >= p.opts.MaxCallsPerUser:
		return ErrBusy
	}
	p.calls[call.id] = call
	return nil
}

// callsOfLocked counts the live calls of a SIP user; p.mu is held.
func (p *PBX) callsOfLocked(user string) int {
	n := 0
	for _, c := range p.calls {
		if strings.EqualFold(c.agent, user) {
			n++
		}
	}
	return n
}

// callOn returns the live call with this Call-ID on connection c. A call of the same SIP user on
// another connection (the agent's phone reconnected: its old connection is dead, or about to be
// found dead) moves to c: the agent's requests in it now come over c, and ours go there.
func (p *PBX) callOn(c *conn, id string) *Call {
	p.mu.Lock()
	call := p.calls[id]
	p.mu.Unlock()
	if call == nil {
		return nil
	}
	if old := call.link(); old != c {
		if u := c.registeredUser(); u == "" || !strings.EqualFold(u, call.agent) {
			return nil
		}
		call.mu.Lock()
		call.conn = c
		call.mu.Unlock()
		p.log.Info("call moved to the agent's new connection", "call", id, "agent", call.agent, "remote", c.remote)
	}
	return call
}

// link is the agent's connection the call's signalling goes over now.
func (c *Call) link() *conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn
}

// Calls returns the live calls, then the most recent ended ones, newest first.
func (p *PBX) Calls() []CallInfo {
	p.mu.Lock()
	live := make([]*Call, 0, len(p.calls))
	for _, c := range p.calls {
		live = append(live, c)
	}
	hist := slices.Clone(p.history)
	p.mu.Unlock()
	slices.SortFunc(live, func(a, b *Call) int { return b.started.Compare(a.started) })
	slices.Reverse(hist)
	out := make([]CallInfo, 0, len(live)+len(hist))
	for _, c := range append(live, hist...) {
		out = append(out, c.Info())
	}
	return out
}

// Call returns the call with this ID, live or recently ended.
func (p *PBX) Call(id string) (CallInfo, error) {
	p.mu.Lock()
	c := p.calls[id]
	if c == nil {
		for _, h := range p.history {
			if h.id == id {
				c = h
			}
		}
	}
	p.mu.Unlock()
	if c == nil {
		return CallInfo{}, ErrNoSuchCall
	}
	return c.Info(), nil
}

// Hangup ends a live call from the PBX's side (BYE, or CANCEL while it rings).
func (p *PBX) Hangup(id string) error {
	p.mu.Lock()
	c := p.calls[id]
	p.mu.Unlock()
	if c == nil {
		return ErrNoSuchCall
	}
	c.hangup("hung up by the administrator")
	return nil
}

// Info returns a snapshot of the call.
func (c *Call) Info() CallInfo {
	c.mu.Lock()
	info := CallInfo{
		ID: c.id, Kind: c.kind.String(), Agent: c.agent, State: c.state.String(), Started: c.started,
		Answered: c.answered, Ended: c.ended, Reason: c.reason, Digits: string(c.digits),
	}
	sess, st := c.sess, c.stats
	ended := c.state == StateEnded
	c.mu.Unlock()
	if sess != nil && !ended {
		st = sess.Stats()
	}
	info.Codec, info.PacketsIn, info.PacketsOut = st.Codec, st.PacketsIn, st.PacketsOut
	return info
}

// matches reports whether an in-dialog request from the agent belongs to this call.
func (c *Call) matches(req *sip.Request) bool {
	toTag, _ := req.To().Params.Get("tag")
	fromTag, _ := req.From().Params.Get("tag")
	c.mu.Lock()
	defer c.mu.Unlock()
	return toTag == c.localTag && fromTag == c.remoteTag
}

// finish ends the call once: its media closes and it moves to the history.
func (c *Call) finish(reason string) {
	c.mu.Lock()
	if c.state == StateEnded {
		c.mu.Unlock()
		return
	}
	c.state = StateEnded
	c.ended = c.p.opts.Now()
	c.reason = reason
	sess := c.sess
	if sess != nil {
		c.stats = sess.Stats()
	}
	c.mu.Unlock()
	c.cancel()
	if sess != nil {
		sess.Close()
	}
	p := c.p
	p.mu.Lock()
	if p.calls[c.id] == c {
		delete(p.calls, c.id)
	}
	p.history = append(p.history, c)
	if len(p.history) > maxHistory {
		p.history = slices.Delete(p.history, 0, len(p.history)-maxHistory)
	}
	p.mu.Unlock()
	close(c.done)
	p.log.Info("call ended", "call", c.id, "kind", c.kind.String(), "agent", c.agent, "reason", reason)
	p.notify(c)
}

// hangup ends the call from the PBX's side: BYE when answered, a refusal or CANCEL while ringing.
func (c *Call) hangup(reason string) {
	c.mu.Lock()
	st, inv, ringCancel := c.state, c.invite, c.ringCancel
	c.mu.Unlock()
	switch st {
	case StateActive:
		c.mu.Lock()
		bye := c.newRequestLocked(sip.BYE)
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, _ = c.link().roundTrip(ctx, bye, nil)
		cancel()
		c.finish(reason)
	case StateRinging:
		if c.kind == KindCustomer && ringCancel != nil {
			c.mu.Lock()
			c.reason = reason
			c.mu.Unlock()
			ringCancel() // the ringing goroutine cancels the INVITE and finishes
			return
		}
		if inv != nil {
			c.link().respond(inv, 480, "Temporarily Unavailable", nil, c.localTag, reasonHeader(480, reason))
		}
		c.finish(reason)
	}
}

// limit hangs the call up after d unless it ended before.
func (c *Call) limit(d time.Duration, reason string) {
	c.p.spawn(func() {
		if sleep(c.ctx, d) {
			c.hangup(reason)
		}
	})
}

// newRequestLocked builds an in-dialog request of ours; c.mu must be held.
func (c *Call) newRequestLocked(method sip.RequestMethod) *sip.Request {
	req := sip.NewRequest(method, c.remoteTarget)
	req.AppendHeader(c.p.newVia())
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	from := &sip.FromHeader{Address: c.local, Params: sip.NewParams()}
	from.Params.Add("tag", c.localTag)
	req.AppendHeader(from)
	to := &sip.ToHeader{Address: c.remote, Params: sip.NewParams()}
	if c.remoteTag != "" {
		to.Params.Add("tag", c.remoteTag)
	}
	req.AppendHeader(to)
	cid := sip.CallIDHeader(c.id)
	req.AppendHeader(&cid)
	if method != sip.ACK {
		c.cseq++
	}
	req.AppendHeader(&sip.CSeqHeader{SeqNo: c.cseq, MethodName: method})
	if method == sip.INVITE {
		req.AppendHeader(c.p.contact())
	}
	req.AppendHeader(sip.NewHeader("User-Agent", serverName))
	req.SetBody(nil)
	return req
}

func (p *PBX) newVia() *sip.ViaHeader {
	v := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "WSS", Host: p.host, Params: sip.NewParams()}
	v.Params.Add("branch", sip.RFC3261BranchMagicCookie+randomToken(10))
	return v
}

// contact is the PBX's Contact header.
func (p *PBX) contact() *sip.ContactHeader {
	u := sip.Uri{Scheme: "sip", User: "pbx", Host: p.host, UriParams: sip.NewParams()}
	u.UriParams.Add("transport", "ws")
	return &sip.ContactHeader{Address: u}
}

// gotDigit records a digit from the agent and, on a tone call, queues its echo.
func (c *Call) gotDigit(d rune, echo chan<- rune) {
	c.mu.Lock()
	if len(c.digits) < 256 {
		c.digits = append(c.digits, d)
	}
	c.mu.Unlock()
	if echo != nil {
		select {
		case echo <- d:
		default: // more digits than can be echoed: drop
		}
	}
}

// sendINFO sends one digit as a SIP INFO (application/dtmf-relay).
func (c *Call) sendINFO(d rune) error {
	c.mu.Lock()
	if c.state != StateActive {
		c.mu.Unlock()
		return fmt.Errorf("the call is over")
	}
	req := c.newRequestLocked(sip.INFO)
	c.mu.Unlock()
	ct := sip.ContentTypeHeader("application/dtmf-relay")
	req.AppendHeader(&ct)
	req.SetBody([]byte(fmt.Sprintf("Signal=%c\r\nDuration=160\r\n", d)))
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	res, err := c.link().roundTrip(ctx, req, nil)
	if err != nil {
		return err
	}
	if !res.IsSuccess() {
		return fmt.Errorf("INFO refused: %d %s", res.StatusCode, res.Reason)
	}
	return nil
}
