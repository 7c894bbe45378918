package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// EventPhone carries a PhoneView whenever the registration or a call changes.
const EventPhone = "phone"

// PhoneView is the softphone as the window shows it. It never carries the SIP password.
type PhoneView struct {
	// Registration is "off" (no SIP account), "registering", "registered" or "failed" (also when the
	// phone was not started: Problem says why).
	Registration string     `json:"registration"`
	Account      string     `json:"account"`
	Problem      string     `json:"problem"`
	Calls        []CallView `json:"calls"`
}

// CallView is one call.
type CallView struct {
	ID        string `json:"id"`
	Direction string `json:"direction"` // "in" or "out"
	Remote    string `json:"remote"`
	// RemoteName is the other side's display name, "" when it sent none.
	RemoteName string `json:"remoteName"`
	// State is "dialing", "ringing", "active", "held" or "ended".
	State        string `json:"state"`
	AnsweredAt   int64  `json:"answeredAt"` // Unix ms, 0 before the answer
	Muted        bool   `json:"muted"`
	HeldByRemote bool   `json:"heldByRemote"`
	Reason       string `json:"reason"`
}

// Phone is the softphone service bound to the window.
type Phone struct {
	c *core
}

// softphone is the running phone of a WebRTC agent's session, owned by core.
type softphone struct {
	ph      *phone.Phone
	account string
	cancel  context.CancelFunc
	done    chan struct{}

	mu      sync.Mutex
	reg     sipua.State
	regErr  error
	calls   map[string]*phone.Call
	views   map[string]CallView
	muted   map[string]bool
	dialing map[string]context.CancelFunc
	ring    context.CancelFunc
	// rejected marks incoming calls the agent refused, transferred the calls handed to someone else
	// (marked before the transfer starts, since the call may end before it returns), for the history.
	rejected    map[string]bool
	transferred map[string]bool
	// logged marks calls already written to the history; ended holds the entries still to write.
	logged map[string]bool
	ended  []history.Entry
}

// View returns the softphone's state.
func (p *Phone) View() PhoneView { return p.c.phoneView() }

// Dial calls a number or SIP address. It returns once the call is answered or refused.
func (p *Phone) Dial(target string) (CallView, error) {
	sp := p.c.currentPhone()
	if sp == nil {
		return CallView{}, &UIError{Code: "NO_PHONE", Message: "This account has no phone in the Phonebar: calls go through your desk phone or the Omni Desktop."}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp := fmt.Sprintf("dial-%d", time.Now().UnixNano())
	sp.mu.Lock()
	sp.views[tmp] = CallView{ID: tmp, Direction: "out", Remote: target, State: "dialing"}
	sp.dialing[tmp] = cancel
	sp.mu.Unlock()
	p.c.emitPhone()
	call, err := sp.ph.Dial(ctx, target)
	sp.mu.Lock()
	delete(sp.views, tmp)
	delete(sp.dialing, tmp)
	sp.mu.Unlock()
	if err != nil {
		p.c.emitPhone()
		outcome := "failed"
		if errors.Is(err, context.Canceled) {
			outcome = "cancelled"
		}
		p.c.remember(history.Entry{Remote: target, Direction: "out", Started: time.Now(), Outcome: outcome})
		if errors.Is(err, context.Canceled) {
			return CallView{}, nil
		}
		return CallView{}, phoneError(err)
	}
	v := sp.track(call)
	p.c.emitPhone()
	return v, nil
}

// Answer answers a ringing call. A call already in progress is put on hold first (call waiting).
func (p *Phone) Answer(id string) error {
	return p.c.answer(id)
}

// answer holds every other active call, then answers id.
func (c *core) answer(id string) error {
	if sp := c.currentPhone(); sp != nil {
		sp.mu.Lock()
		var others []*phone.Call
		for cid, call := range sp.calls {
			if cid != id && call.State() == phone.StateActive {
				others = append(others, call)
			}
		}
		sp.mu.Unlock()
		for _, o := range others {
			if err := c.withCall(o.ID(), func(ctx context.Context, call *phone.Call) error { return call.Hold(ctx, false) }); err != nil {
				return err
			}
		}
	}
	return c.withCall(id, func(ctx context.Context, call *phone.Call) error { return call.Answer(ctx) })
}

// Reject refuses a ringing call (busy).
func (p *Phone) Reject(id string) error {
	if sp := p.c.currentPhone(); sp != nil {
		sp.mu.Lock()
		sp.rejected[id] = true
		sp.mu.Unlock()
	}
	return p.c.withCall(id, func(ctx context.Context, c *phone.Call) error { return c.Reject(ctx, 486) })
}

// History returns the recent calls, newest first.
func (p *Phone) History() ([]history.Entry, error) {
	list, err := p.c.history.List()
	if err != nil {
		return []history.Entry{}, &UIError{Code: "HISTORY_DAMAGED", Message: err.Error()}
	}
	return list, nil
}

// Hangup ends a call, or cancels one still being dialled.
func (p *Phone) Hangup(id string) error {
	if sp := p.c.currentPhone(); sp != nil {
		sp.mu.Lock()
		cancel := sp.dialing[id]
		sp.mu.Unlock()
		if cancel != nil {
			cancel()
			return nil
		}
	}
	return p.c.withCall(id, func(ctx context.Context, c *phone.Call) error { return c.Hangup(ctx) })
}

// Hold puts a call on hold or resumes it.
func (p *Phone) Hold(id string, on bool) error {
	return p.c.withCall(id, func(ctx context.Context, c *phone.Call) error {
		if on {
			return c.Hold(ctx, false)
		}
		return c.Resume(ctx)
	})
}

// Mute stops or restarts sending the microphone.
func (p *Phone) Mute(id string, on bool) error {
	sp := p.c.currentPhone()
	return p.c.withCall(id, func(context.Context, *phone.Call) error {
		sp.mu.Lock()
		sp.muted[id] = on
		c := sp.calls[id]
		sp.mu.Unlock()
		c.Mute(on)
		return nil
	})
}

// SendDTMF sends digits on a call.
func (p *Phone) SendDTMF(id, digits string) error {
	return p.c.withCall(id, func(ctx context.Context, c *phone.Call) error { return c.SendDTMF(ctx, digits) })
}

// Transfer hands a call over to another number (blind transfer).
func (p *Phone) Transfer(id, target string) error {
	sp := p.c.currentPhone()
	sp.markTransferred(true, id)
	err := p.c.withCall(id, func(ctx context.Context, c *phone.Call) error { return c.Transfer(ctx, target) })
	if err != nil {
		sp.markTransferred(false, id)
	}
	return err
}

// markTransferred marks (or, after a failed transfer, unmarks) calls as handed to someone else.
func (sp *softphone) markTransferred(on bool, ids ...string) {
	if sp == nil {
		return
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for _, id := range ids {
		if on {
			sp.transferred[id] = true
		} else {
			delete(sp.transferred, id)
		}
	}
}

// transferTimeout bounds an attended transfer: the REFER, the transferee's call to the target and
// its report.
const transferTimeout = 40 * time.Second

// AttendedTransfer completes an attended transfer: the other party of call id (usually the caller,
// on hold) is connected with the other party of consultID (the consultation call), and the agent
// leaves both calls. On failure both calls stay as they were and the error says why.
func (p *Phone) AttendedTransfer(id, consultID string) error {
	sp := p.c.currentPhone()
	if sp == nil {
		return &UIError{Code: "NO_PHONE", Message: "The phone is not running."}
	}
	if id == consultID {
		return &UIError{Code: "TRANSFER_SAME_CALL", Message: "Choose two different calls: the caller on hold and the colleague you are talking to."}
	}
	sp.mu.Lock()
	consult := sp.calls[consultID]
	sp.mu.Unlock()
	if consult == nil {
		return &UIError{Code: "NO_CALL", Message: "The consultation call has ended: call your colleague again, then transfer."}
	}
	sp.markTransferred(true, id, consultID)
	err := p.c.withCallTimeout(id, transferTimeout, func(ctx context.Context, c *phone.Call) error {
		err := c.TransferTo(ctx, consult)
		if errors.Is(err, phone.ErrCallState) {
			return &UIError{Code: "TRANSFER_NOT_READY", Message: "A transfer needs two calls in progress: the caller on hold and your colleague on the line."}
		}
		return err
	})
	if err != nil {
		sp.markTransferred(false, id, consultID)
	}
	sp.track(consult)
	p.c.emitPhone()
	return err
}

func phoneError(err error) error {
	var ui *UIError
	if errors.As(err, &ui) {
		return ui
	}
	if errors.Is(err, phone.ErrChangeRefused) {
		// Before the SIP status: a 488 to a hold is not a codec problem.
		return &UIError{Code: "CALL_CHANGE_REFUSED", Message: capitalize(phone.ErrChangeRefused.Error()) + "."}
	}
	var se *sipua.StatusError
	if errors.As(err, &se) {
		return &UIError{Code: fmt.Sprintf("SIP_%d", se.Code), Message: se.Error()}
	}
	var te *sipua.TransferError
	switch {
	case errors.As(err, &te):
		return &UIError{Code: "TRANSFER_FAILED", Message: capitalize(te.Error()) + "."}
	case errors.Is(err, sipua.ErrTransferNoReport):
		return &UIError{Code: "TRANSFER_UNCONFIRMED", Message: capitalize(sipua.ErrTransferNoReport.Error()) + ": ask the caller whether they reached your colleague, then hang up."}
	case errors.Is(err, sipua.ErrTransferAbandoned):
		return &UIError{Code: "TRANSFER_ABANDONED", Message: capitalize(sipua.ErrTransferAbandoned.Error()) + "."}
	}
	if errors.Is(err, phone.ErrNotRegistered) {
		return &UIError{Code: "NOT_REGISTERED", Message: "The phone is not registered yet: wait for the green dot, or check the network."}
	}
	return &UIError{Code: "CALL_FAILED", Message: err.Error()}
}

// currentPhone returns the running softphone, nil when none.
func (c *core) currentPhone() *softphone {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.phone
}

// capitalize makes a sentence of an error message that starts in lower case.
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// withCall runs fn on a tracked call, then publishes the new state.
func (c *core) withCall(id string, fn func(context.Context, *phone.Call) error) error {
	return c.withCallTimeout(id, 15*time.Second, fn)
}

// withCallTimeout is withCall with its own bound on fn's time.
func (c *core) withCallTimeout(id string, d time.Duration, fn func(context.Context, *phone.Call) error) error {
	sp := c.currentPhone()
	if sp == nil {
		return &UIError{Code: "NO_PHONE", Message: "The phone is not running."}
	}
	sp.mu.Lock()
	call := sp.calls[id]
	sp.mu.Unlock()
	if call == nil {
		return &UIError{Code: "NO_CALL", Message: "That call has ended."}
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	err := fn(ctx, call)
	sp.track(call)
	c.emitPhone()
	if err != nil {
		return phoneError(err)
	}
	return nil
}

// track records a call's current state for the view and returns it.
func (sp *softphone) track(call *phone.Call) CallView {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if _, ok := sp.calls[call.ID()]; !ok {
		sp.calls[call.ID()] = call
	}
	prev := sp.views[call.ID()]
	v := CallView{ID: call.ID(), Remote: call.Remote(), RemoteName: call.RemoteName(), State: call.State().String(), Muted: sp.muted[call.ID()], HeldByRemote: prev.HeldByRemote}
	v.Direction = "out"
	if call.Direction() == sipua.DirectionIncoming {
		v.Direction = "in"
	}
	if a := call.Answered(); !a.IsZero() {
		v.AnsweredAt = a.UnixMilli()
	}
	if call.State() == phone.StateEnded {
		if err := call.Err(); err != nil && !errors.Is(err, sipua.ErrCallEnded) {
			v.Reason = err.Error()
		}
		delete(sp.calls, call.ID())
		delete(sp.views, call.ID())
		delete(sp.muted, call.ID())
		if !sp.logged[call.ID()] {
			sp.logged[call.ID()] = true
			sp.ended = append(sp.ended, historyEntry(call, sp.rejected[call.ID()], sp.transferred[call.ID()]))
		}
		delete(sp.rejected, call.ID())
		delete(sp.transferred, call.ID())
		return v
	}
	sp.views[call.ID()] = v
	return v
}

// phoneView builds the PhoneView.
func (c *core) phoneView() PhoneView {
	sp := c.currentPhone()
	if sp == nil {
		v := PhoneView{Registration: "off", Calls: []CallView{}}
		c.mu.Lock()
		if c.phoneErr != nil {
			// The account exists but the phone was not started: not "no phone for this account".
			v.Registration, v.Problem = "failed", agent.Describe(c.phoneErr).Message
		}
		c.mu.Unlock()
		return v
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	v := PhoneView{Account: sp.account, Calls: []CallView{}}
	switch {
	case sp.reg.CanCall():
		v.Registration = "registered"
	case sp.reg == sipua.StateFailed:
		v.Registration = "failed"
	default:
		v.Registration = "registering"
	}
	if sp.regErr != nil && !sp.reg.CanCall() {
		v.Problem = registrationProblem(sp.regErr, v.Registration == "registering")
	}
	c.mu.Lock()
	if c.historyErr != nil && v.Problem == "" {
		v.Problem = "The call history was damaged: " + c.historyErr.Error() + "."
	}
	c.mu.Unlock()
	for _, cv := range sp.views {
		v.Calls = append(v.Calls, cv)
	}
	sort.Slice(v.Calls, func(i, j int) bool { return v.Calls[i].ID < v.Calls[j].ID })
	return v
}

func (c *core) emitPhone() { c.emit.Emit(EventPhone, c.phoneView()) }

// startPhone registers the WebRTC agent's SIP account (from the login) and keeps it registered until
// the session ends. It does nothing for agents without one, or when the phone already runs.
func (c *core) startPhone() {
	acc, ok := c.agent.SIPAccount()
	if !ok {
		return
	}
	c.mu.Lock()
	if c.phone != nil {
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	st, err := c.cfg.Load()
	if err == nil {
		err = agent.CheckSIPAddress(st, c.cfg.Path(), c.agent.Profile().Server, acc.WSURI)
	}
	if err != nil {
		// Never without the server's pin, never a ws:// address the agent did not allow.
		c.log.WithField("code", agent.Describe(err).Code).Warn("the softphone does not start")
		c.mu.Lock()
		c.phoneErr = err
		c.mu.Unlock()
		c.emitPhone()
		return
	}
	var pin tlspin.Fingerprint
	if u, err := url.Parse(acc.WSURI); err == nil {
		pin = st.Pins["https://"+u.Host]
	}
	sp := &softphone{
		account: acc.Username, done: make(chan struct{}), calls: map[string]*phone.Call{},
		views: map[string]CallView{}, muted: map[string]bool{}, dialing: map[string]context.CancelFunc{},
		rejected: map[string]bool{}, transferred: map[string]bool{}, logged: map[string]bool{},
	}
	cfg := phone.Config{
		Account: phone.AccountFromMotion(acc, pin),
		Logger:  slog.New(logging.SlogHandler(c.log.WithField("proc", "phone"))),
		OnEvent: func(ev phone.Event) { c.onPhoneEvent(sp, ev) },
	}
	c.callAudio(&cfg)
	ph, err := phone.New(cfg)
	if err != nil {
		c.log.WithError(err).Warn("the softphone cannot start")
		return
	}
	sp.ph = ph
	ctx, cancel := context.WithCancel(context.Background())
	sp.cancel = cancel
	c.mu.Lock()
	c.phone = sp
	c.mu.Unlock()
	go func() {
		defer close(sp.done)
		if err := ph.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			c.log.WithError(err).Warn("the softphone stopped")
		}
	}()
	c.emitPhone()
}

// stopPhone unregisters and stops the softphone, ending its calls, and waits for it.
func (c *core) stopPhone() {
	c.mu.Lock()
	sp := c.phone
	c.phone, c.phoneErr = nil, nil
	c.mu.Unlock()
	if sp == nil {
		return
	}
	sp.mu.Lock()
	if sp.ring != nil {
		sp.ring()
	}
	sp.mu.Unlock()
	sp.cancel()
	<-sp.done
	c.emitPhone()
}

// onPhoneEvent follows the phone's events, rings for incoming calls and publishes the view.
func (c *core) onPhoneEvent(sp *softphone, ev phone.Event) {
	switch ev.Kind {
	case phone.EventRegistration:
		sp.mu.Lock()
		sp.reg, sp.regErr = ev.Registration, ev.Err
		sp.mu.Unlock()
		entry := c.log.WithField("state", ev.Registration.String())
		if ev.Err != nil {
			entry = entry.WithField("error", ev.Err.Error())
		}
		entry.Info("phone registration")
	case phone.EventIncoming:
		sp.track(ev.Call)
		c.log.WithField("from", ev.Call.Remote()).Info("incoming call")
		c.startRinging(sp, ev.Call)
		c.autoAnswer(ev.Call)
	case phone.EventActive, phone.EventHeld, phone.EventEnded, phone.EventDTMF:
		if ev.Kind == phone.EventHeld || ev.Kind == phone.EventActive {
			if ev.Remote {
				sp.mu.Lock()
				v := sp.views[ev.Call.ID()]
				v.HeldByRemote = ev.Kind == phone.EventHeld
				sp.views[ev.Call.ID()] = v
				sp.mu.Unlock()
			}
		}
		v := sp.track(ev.Call)
		if ev.Kind == phone.EventActive || ev.Kind == phone.EventEnded {
			c.stopRinging(sp)
		}
		if ev.Kind == phone.EventEnded {
			sp.mu.Lock()
			ended := sp.ended
			sp.ended = nil
			sp.mu.Unlock()
			for _, e := range ended {
				c.remember(e)
			}
		}
		c.log.WithField("call", v.State).WithField("remote", v.Remote).Info("call")
	}
	c.emitPhone()
}

// startRinging plays the ringtone on the ringer output until the call is answered or ends.
func (c *core) startRinging(sp *softphone, call *phone.Call) {
	ctx, cancel := context.WithCancel(context.Background())
	sp.mu.Lock()
	if sp.ring != nil {
		sp.ring()
	}
	sp.ring = cancel
	sp.mu.Unlock()
	st := c.settingsOrDefault("ringtone")
	ref := audio.DeviceRef{ID: st.Audio.RingerID, Name: st.Audio.RingerName}
	go func() {
		for ctx.Err() == nil && call.State() == phone.StateRinging {
			if _, err := c.audio.PlayTone(ctx, audio.PlayOptions{Device: ref, Ringtone: true, Duration: 2 * time.Second}); err != nil && ctx.Err() == nil {
				c.log.WithError(err).Warn("the ringtone cannot play")
				return
			}
		}
	}()
	c.emit.Notify("Incoming call", "From "+call.Remote())
}

func (c *core) stopRinging(sp *softphone) {
	sp.mu.Lock()
	if sp.ring != nil {
		sp.ring()
		sp.ring = nil
	}
	sp.mu.Unlock()
}

// autoAnswer answers an incoming call by itself after the configured delay, when the agent chose
// auto-answer and is on no other call; the call rings meanwhile, so the agent hears it coming.
func (c *core) autoAnswer(call *phone.Call) {
	st, err := c.cfg.Load()
	if err != nil {
		c.log.WithField("code", agent.Describe(err).Code).Warn("settings unreadable: no auto-answer")
		return
	}
	if !st.Phone.AutoAnswer {
		return
	}
	if sp := c.currentPhone(); sp != nil {
		sp.mu.Lock()
		busy := false
		for id, other := range sp.calls {
			if id != call.ID() && other.State() != phone.StateEnded {
				busy = true
			}
		}
		sp.mu.Unlock()
		if busy {
			return
		}
	}
	delay := time.Duration(st.Phone.AutoAnswerDelaySeconds) * time.Second
	go func() {
		select {
		case <-time.After(delay):
		case <-call.Done():
			return
		}
		if call.State() != phone.StateRinging {
			return
		}
		if err := c.answer(call.ID()); err != nil {
			c.log.WithError(err).Warn("auto-answer failed")
			return
		}
		c.log.WithField("delay_s", st.Phone.AutoAnswerDelaySeconds).Info("auto-answered")
	}()
}

// registrationProblem says in one sentence why the phone is not registered; the full error is in the
// log (onPhoneEvent).
func registrationProblem(err error, retrying bool) string {
	var se *sipua.StatusError
	switch {
	case errors.As(err, &se):
		return se.Error()
	case errors.Is(err, sipua.ErrConnect), errors.Is(err, sipua.ErrNotConnected), errors.Is(err, sipua.ErrTimeout):
		if retrying {
			return "The phone cannot reach the SIP server. Check the network; the Phonebar keeps trying."
		}
		return "The phone cannot reach the SIP server. Check the network, or ask your administrator whether the phone server is up."
	default:
		return err.Error()
	}
}

// historyEntry describes an ended call for the history.
func historyEntry(call *phone.Call, rejected, transferred bool) history.Entry {
	e := history.Entry{Remote: call.Remote(), Direction: "out", Started: call.Started()}
	if call.Direction() == sipua.DirectionIncoming {
		e.Direction = "in"
	}
	switch a := call.Answered(); {
	case !a.IsZero():
		e.Outcome = "answered"
		if transferred {
			e.Outcome = "transferred"
		}
		e.Seconds = int(time.Since(a).Round(time.Second).Seconds())
	case rejected:
		e.Outcome = "rejected"
	case e.Direction == "in":
		e.Outcome = "missed"
	default:
		e.Outcome = "failed"
	}
	return e
}

// remember writes a call to the history and tells the window.
func (c *core) remember(e history.Entry) {
	if err := c.history.Add(e); errors.Is(err, history.ErrCorrupt) {
		// Recorded in a new history; the damaged one is kept aside: say so.
		c.log.WithError(err).Warn("the call history was damaged")
		c.mu.Lock()
		c.historyErr = err
		c.mu.Unlock()
		c.emitPhone()
	} else if err != nil {
		c.log.WithError(err).Warn("the call history cannot be written")
		return
	}
	c.emit.Emit(EventHistory, nil)
}

// EventHistory says the call history changed; the window reads it again with Phone.History.
const EventHistory = "history"
