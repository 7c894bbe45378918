package app

import (
	"context"
	"errors"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/station"
)

// EventPhone carries a station.PhoneView whenever the registration or a call changes; EventHistory says
// the call history changed (the window reads it again with Phone.History).
const (
	EventPhone   = "phone"
	EventHistory = "history"
)

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
func (p *Phone) View() station.PhoneView { return p.c.st.Phone().View() }

// Dial calls a number or SIP address. It returns once the call is answered or refused.
func (p *Phone) Dial(target string) (station.CallView, error) {
	var v desk.CallView
	err := p.do(func(ctx context.Context, d *desk.Desk) (err error) { v, err = d.Dial(ctx, target); return err })
	if errors.Is(err, context.Canceled) {
		return station.CallView{}, nil
	}
	if err != nil {
		return station.CallView{}, err
	}
	return station.CallViewOf(v), nil
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
