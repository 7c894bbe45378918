package app

import (
	"context"
	"errors"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/station"
)

// EventPhone carries a PhoneView whenever the registration or a call changes; EventHistory says
// the call history changed (the window reads it again with Phone.History).
const (
	EventPhone   = "phone"
	EventHistory = "history"
)

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
	// Quality is the call's quality at a glance.
	Quality quality.Card `json:"quality"`
}

// Phone is the softphone service bound to the window: it maps the desk of calls (internal/desk)
// to the window's DTOs.
type Phone struct {
	c *core
}

// do runs an action on the desk, within the app's life.
func (p *Phone) do(fn func(context.Context, *desk.Desk) error) error {
	d := p.c.st.Desk()
	if d == nil {
		return desk.ErrNoPhone
	}
	return fn(p.c.st.Life(), d)
}

// View returns the softphone's state.
func (p *Phone) View() PhoneView { return phoneView(p.c.st.Phone()) }

// Dial calls a number or SIP address. It returns once the call is answered or refused.
func (p *Phone) Dial(target string) (CallView, error) {
	var v desk.CallView
	err := p.do(func(ctx context.Context, d *desk.Desk) (err error) { v, err = d.Dial(ctx, target); return err })
	if errors.Is(err, context.Canceled) {
		return CallView{}, nil
	}
	if err != nil {
		return CallView{}, err
	}
	return callView(v), nil
}

// Answer answers a ringing call. A call already in progress is put on hold first (call waiting).
func (p *Phone) Answer(id string) error {
	return p.do(func(ctx context.Context, d *desk.Desk) error { return d.Answer(ctx, id) })
}

// Reject refuses a ringing call (busy).
func (p *Phone) Reject(id string) error {
	return p.do(func(ctx context.Context, d *desk.Desk) error { return d.Reject(ctx, id) })
}

// Hangup ends a call, or cancels one still being dialled.
func (p *Phone) Hangup(id string) error {
	return p.do(func(ctx context.Context, d *desk.Desk) error { return d.Hangup(ctx, id) })
}

// Hold puts a call on hold or resumes it.
func (p *Phone) Hold(id string, on bool) error {
	return p.do(func(ctx context.Context, d *desk.Desk) error { return d.Hold(ctx, id, on) })
}

// Mute stops or restarts sending the microphone.
func (p *Phone) Mute(id string, on bool) error {
	return p.do(func(ctx context.Context, d *desk.Desk) error { return d.Mute(ctx, id, on) })
}

// SendDTMF sends digits on a call.
func (p *Phone) SendDTMF(id, digits string) error {
	return p.do(func(ctx context.Context, d *desk.Desk) error { return d.SendDTMF(ctx, id, digits) })
}

// Transfer hands a call over to another number (blind transfer).
func (p *Phone) Transfer(id, target string) error {
	return p.do(func(ctx context.Context, d *desk.Desk) error { return d.Transfer(ctx, id, target) })
}

// AttendedTransfer completes an attended transfer: the other party of call id (usually the caller,
// on hold) is connected with the other party of consultID (the consultation call), and the agent
// leaves both calls. On failure both calls stay as they were and the error says why.
func (p *Phone) AttendedTransfer(id, consultID string) error {
	return p.do(func(ctx context.Context, d *desk.Desk) error { return d.AttendedTransfer(ctx, id, consultID) })
}

// History returns the recent calls, newest first.
func (p *Phone) History() ([]history.Entry, error) {
	list, err := p.c.st.History().List()
	if err != nil {
		return []history.Entry{}, problem.Tag(problem.CodeHistoryDamaged, err)
	}
	return list, nil
}

// phoneView maps the softphone's state to the window's.
func phoneView(p station.Phone) PhoneView {
	v := PhoneView{Calls: []CallView{}}
	v.Registration, v.Problem = p.Registration()
	if p.Desk == nil {
		return v
	}
	v.Account = p.Desk.Account
	for _, cv := range p.Desk.Calls {
		v.Calls = append(v.Calls, callView(cv))
	}
	return v
}

func callView(cv desk.CallView) CallView {
	v := CallView{ID: cv.ID, Direction: cv.Direction.String(), Remote: cv.Remote, RemoteName: cv.RemoteName,
		State: cv.State.String(), Muted: cv.Muted, HeldByRemote: cv.HeldByRemote, Quality: cv.Quality.Card()}
	if !cv.Answered.IsZero() {
		v.AnsweredAt = cv.Answered.UnixMilli()
	}
	if cv.Err != nil {
		v.Reason = problem.Of(cv.Err).Message
	}
	return v
}
