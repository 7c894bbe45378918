package desk

import (
	"context"
	"errors"
	"time"

	"github.com/phonebar/phonebar/internal/phone"
)

// call returns the call the desk holds under id, nil when none (or while it is being dialled).
func (d *Desk) call(id string) Call {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r := d.calls[id]; r != nil {
		return r.call
	}
	return nil
}

// act runs fn on call id, bounded by limit and the desk's life, then records the call's new state.
func (d *Desk) act(ctx context.Context, id string, limit time.Duration, fn func(context.Context, Call) error) error {
	call := d.call(id)
	if call == nil {
		return ErrNoCall
	}
	ctx, cancel := d.bound(ctx, limit)
	defer cancel()
	err := fn(ctx, call)
	d.refresh(call)
	return err
}

// refresh records a call's state after an action and publishes it.
func (d *Desk) refresh(call Call) {
	d.mu.Lock()
	_, entry := d.trackLocked(call)
	d.ringLocked()
	d.publishLocked(Update{})
	d.mu.Unlock()
	d.remember(entry)
}

// mark sets (or clears) a flag of the records of ids.
func (d *Desk) mark(set func(*record, bool), on bool, ids ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, id := range ids {
		if r := d.calls[id]; r != nil {
			set(r, on)
		}
	}
}

func setRejected(r *record, on bool)    { r.rejected = on }
func setTransferred(r *record, on bool) { r.transferred = on }

// Answer answers a ringing call. Calls in progress are put on hold first (call waiting).
func (d *Desk) Answer(ctx context.Context, id string) error {
	d.mu.Lock()
	var others []string
	for cid, r := range d.calls {
		if cid != id && r.call != nil && r.call.State() == phone.StateActive {
			others = append(others, cid)
		}
	}
	d.mu.Unlock()
	for _, o := range others {
		if err := d.act(ctx, o, actionTimeout, func(ctx context.Context, c Call) error { return c.Hold(ctx) }); err != nil && !errors.Is(err, ErrNoCall) {
			return err
		}
	}
	return d.act(ctx, id, actionTimeout, func(ctx context.Context, c Call) error { return c.Answer(ctx) })
}

// Reject refuses a ringing call (busy); the history says "rejected".
func (d *Desk) Reject(ctx context.Context, id string) error {
	d.mark(setRejected, true, id)
	err := d.act(ctx, id, actionTimeout, func(ctx context.Context, c Call) error { return c.Reject(ctx, 486) })
	if err != nil {
		d.mark(setRejected, false, id)
	}
	return err
}

// Hangup ends a call, or cancels one still being dialled.
func (d *Desk) Hangup(ctx context.Context, id string) error {
	d.mu.Lock()
	var cancel context.CancelFunc
	if r := d.calls[id]; r != nil {
		cancel = r.cancelDial
	}
	d.mu.Unlock()
	if cancel != nil {
		cancel()
		return nil
	}
	return d.act(ctx, id, actionTimeout, func(ctx context.Context, c Call) error { return c.Hangup(ctx) })
}

// Hold puts a call on hold (on) or resumes it.
func (d *Desk) Hold(ctx context.Context, id string, on bool) error {
	return d.act(ctx, id, actionTimeout, func(ctx context.Context, c Call) error {
		if on {
			return c.Hold(ctx)
		}
		return c.Resume(ctx)
	})
}

// Mute stops (on) or restarts sending the microphone on a call.
func (d *Desk) Mute(ctx context.Context, id string, on bool) error {
	return d.act(ctx, id, actionTimeout, func(_ context.Context, c Call) error {
		d.mu.Lock()
		if r := d.calls[id]; r != nil {
			r.view.Muted = on
		}
		d.mu.Unlock()
		c.Mute(on)
		return nil
	})
}

// SendDTMF sends digits on a call.
func (d *Desk) SendDTMF(ctx context.Context, id, digits string) error {
	return d.act(ctx, id, actionTimeout, func(ctx context.Context, c Call) error { return c.SendDTMF(ctx, digits) })
}

// Transfer hands a call to target (blind transfer); the history says "transferred".
func (d *Desk) Transfer(ctx context.Context, id, target string) error {
	d.mark(setTransferred, true, id)
	err := d.act(ctx, id, actionTimeout, func(ctx context.Context, c Call) error { return c.Transfer(ctx, target) })
	if err != nil {
		d.mark(setTransferred, false, id)
	}
	return err
}

// AttendedTransfer connects the other party of call id (usually the caller, on hold) with the
// other party of consultID (the consultation call), and the agent leaves both calls. On failure
// both calls stay as they were.
func (d *Desk) AttendedTransfer(ctx context.Context, id, consultID string) error {
	if id == consultID {
		return ErrSameCall
	}
	consult := d.call(consultID)
	if consult == nil {
		return ErrConsultEnded
	}
	d.mark(setTransferred, true, id, consultID)
	err := d.act(ctx, id, transferTimeout, func(ctx context.Context, c Call) error {
		err := c.TransferTo(ctx, consult)
		if errors.Is(err, phone.ErrCallState) {
			return errors.Join(ErrTransferNotReady, err)
		}
		return err
	})
	if err != nil {
		d.mark(setTransferred, false, id, consultID)
	}
	d.refresh(consult)
	return err
}

// SwitchDevices moves the calls in progress to the microphone and speaker chosen now. Calls that
// cannot move (not established yet) are skipped; the others' errors are joined.
func (d *Desk) SwitchDevices(ctx context.Context) error {
	d.mu.Lock()
	var calls []Call
	for _, r := range d.calls {
		if r.call != nil {
			calls = append(calls, r.call)
		}
	}
	d.mu.Unlock()
	ctx, cancel := d.bound(ctx, actionTimeout)
	defer cancel()
	var errs []error
	for _, c := range calls {
		if err := c.SwitchDevices(ctx); err != nil && !errors.Is(err, phone.ErrCallState) {
			errs = append(errs, err)
		} else if err == nil {
			d.log.WithField("call", c.ID()).Info("call moved to the chosen devices")
		}
	}
	return errors.Join(errs...)
}
