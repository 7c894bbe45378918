package desk

import (
	"context"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/sipua"
)

// realPhone is a phone.Phone seen as the desk's Phone.
type realPhone struct{ *phone.Phone }

func (p realPhone) Dial(ctx context.Context, target string) (Call, error) {
	c, err := p.Phone.Dial(ctx, target)
	if err != nil {
		return nil, err
	}
	return realCall{c}, nil
}

// realCall is a phone.Call seen as the desk's Call.
type realCall struct{ *phone.Call }

func (c realCall) Direction() Direction {
	switch c.Call.Direction() {
	case sipua.DirectionIncoming:
		return DirectionIn
	case sipua.DirectionOutgoing:
		return DirectionOut
	}
	return DirectionUnknown
}

func (c realCall) Quality() quality.Report { return c.Call.Stats().Quality }

func (c realCall) Hold(ctx context.Context) error { return c.Call.Hold(ctx, false) }

func (c realCall) TransferTo(ctx context.Context, consult Call) error {
	rc, ok := consult.(realCall)
	if !ok {
		return phone.ErrCallState
	}
	return c.Call.TransferTo(ctx, rc.Call)
}

// fromPhoneEvent turns a phone event into the desk's.
func fromPhoneEvent(ev phone.Event) Event {
	out := Event{Kind: ev.Kind, Registration: ev.Registration, Err: ev.Err, Remote: ev.Remote}
	if ev.Call != nil {
		out.Call = realCall{ev.Call}
	}
	return out
}
