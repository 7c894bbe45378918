package app

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
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
}

// Phone is the softphone service bound to the window: it maps the desk of calls (internal/desk)
// to the window's DTOs.
type Phone struct {
	c *core
}

// do runs an action on the desk, within the app's life.
func (p *Phone) do(fn func(context.Context, *desk.Desk) error) error {
	d := p.c.currentDesk()
	if d == nil {
		return desk.ErrNoPhone
	}
	return fn(p.c.life, d)
}

// View returns the softphone's state.
func (p *Phone) View() PhoneView { return p.c.phoneView() }

// Dial calls a number or SIP address. It returns once the call is answered or refused.
func (p *Phone) Dial(target string) (CallView, error) {
	d := p.c.currentDesk()
	if d == nil {
		return CallView{}, desk.ErrNoPhone
	}
	v, err := d.Dial(p.c.life, target)
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
	list, err := p.c.history.List()
	if err != nil {
		return []history.Entry{}, problem.Tag(problem.CodeHistoryDamaged, err)
	}
	return list, nil
}

// currentDesk returns the desk of the running softphone, nil when none.
func (c *core) currentDesk() *desk.Desk {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.desk
}

// phoneView maps the desk's view to the window's.
func (c *core) phoneView() PhoneView {
	d := c.currentDesk()
	if d == nil {
		v := PhoneView{Registration: "off", Calls: []CallView{}}
		c.mu.Lock()
		if c.phoneErr != nil {
			// The account exists but the phone was not started: not "no phone for this account".
			v.Registration, v.Problem = "failed", problem.Of(c.phoneErr).Message
		}
		c.mu.Unlock()
		return v
	}
	return c.withHistoryProblem(phoneView(d.View()))
}

func phoneView(dv desk.View) PhoneView {
	v := PhoneView{Account: dv.Account, Calls: make([]CallView, 0, len(dv.Calls))}
	switch {
	case dv.Registration.CanCall():
		v.Registration = "registered"
	case dv.Registration == sipua.StateFailed:
		v.Registration = "failed"
	default:
		v.Registration = "registering"
	}
	if dv.RegistrationErr != nil && !dv.Registration.CanCall() {
		v.Problem = registrationProblem(dv.RegistrationErr, v.Registration == "registering")
	}
	for _, cv := range dv.Calls {
		v.Calls = append(v.Calls, callView(cv))
	}
	return v
}

func callView(cv desk.CallView) CallView {
	v := CallView{ID: cv.ID, Direction: cv.Direction.String(), Remote: cv.Remote, RemoteName: cv.RemoteName,
		State: cv.State.String(), Muted: cv.Muted, HeldByRemote: cv.HeldByRemote}
	if !cv.Answered.IsZero() {
		v.AnsweredAt = cv.Answered.UnixMilli()
	}
	if cv.Err != nil {
		v.Reason = cv.Err.Error()
	}
	return v
}

// startPhone registers the WebRTC agent's SIP account (from the login) and keeps it registered until
// the session ends. It does nothing for agents without one, or when the phone already runs.
func (c *core) startPhone() {
	acc, ok := c.agent.SIPAccount()
	if !ok || c.currentDesk() != nil {
		return
	}
	st, err := c.cfg.Load()
	if err == nil {
		err = agent.CheckSIPAddress(st, c.cfg.Path(), c.agent.Profile().Server, acc.WSURI)
	}
	if err != nil {
		// Never without the server's pin, never a ws:// address the agent did not allow.
		c.log.WithField("code", problem.Of(err).Code).Warn("the softphone does not start")
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
	cfg := phone.Config{
		Account: phone.AccountFromMotion(acc, pin),
		Logger:  slog.New(logging.SlogHandler(c.log.WithField("proc", "phone"))),
		Audio:   c.audio,
		// Read at each call, so that a choice made in the Audio panel applies to the next call.
		Devices: func() (capture, playback audio.DeviceRef) {
			st := c.settingsOrDefault("call audio")
			return audio.DeviceRef{ID: st.Audio.MicrophoneID, Name: st.Audio.MicrophoneName},
				audio.DeviceRef{ID: st.Audio.SpeakerID, Name: st.Audio.SpeakerName}
		},
		// Echo cancellation, noise suppression and gain control, read at each call too.
		Processing: func() processing.Options {
			on := !c.settingsOrDefault("call audio").Audio.ProcessingOff
			return processing.Options{EchoCancel: on, NoiseSuppress: on, GainControl: on}
		},
	}
	d, err := desk.Open(cfg, desk.Options{
		Account: acc.Username,
		Settings: func() desk.Settings {
			st, err := c.cfg.Load()
			if err != nil {
				c.log.WithField("code", problem.Of(err).Code).Warn("settings unreadable: no auto-answer")
				return desk.Settings{}
			}
			return desk.Settings{AutoAnswer: st.Phone.AutoAnswer, AutoAnswerDelay: time.Duration(st.Phone.AutoAnswerDelaySeconds) * time.Second}
		},
		Ringer:   ringer{c},
		History:  historyWriter{c},
		OnUpdate: c.onDesk,
		Logger:   c.log,
	})
	if err != nil {
		c.log.WithError(err).Warn("the softphone cannot start")
		return
	}
	c.mu.Lock()
	c.desk = d
	c.mu.Unlock()
	c.emitPhone()
}

// stopPhone unregisters and stops the softphone, ending its calls, and waits for it.
func (c *core) stopPhone() {
	c.mu.Lock()
	d := c.desk
	c.desk, c.phoneErr = nil, nil
	c.mu.Unlock()
	if d == nil {
		return
	}
	if err := d.Close(); err != nil {
		c.log.WithError(err).Warn("the softphone stopped")
	}
	c.emitPhone()
}

// onDesk publishes the desk's updates to the window.
func (c *core) onDesk(u desk.Update) {
	if u.Incoming != nil {
		c.emit.Notify("Incoming call", "From "+u.Incoming.Remote)
	}
	if u.HistoryChanged {
		c.emit.Emit(EventHistory, nil)
	}
	c.emit.Emit(EventPhone, c.withHistoryProblem(phoneView(u.View)))
}

func (c *core) emitPhone() { c.emit.Emit(EventPhone, c.phoneView()) }

// ringer plays the ringtone on the ringer output the agent chose.
type ringer struct{ c *core }

func (r ringer) Ring(ctx context.Context) error {
	st := r.c.settingsOrDefault("ringtone")
	ref := audio.DeviceRef{ID: st.Audio.RingerID, Name: st.Audio.RingerName}
	_, err := r.c.audio.PlayTone(ctx, audio.PlayOptions{Device: ref, Ringtone: true, Duration: 2 * time.Second})
	return err
}

// historyWriter writes ended calls to the history; a damaged history is kept aside by the store,
// the call goes to a new one, and the window's notice says so.
type historyWriter struct{ c *core }

func (h historyWriter) Add(e history.Entry) error {
	err := h.c.history.Add(e)
	if !errors.Is(err, history.ErrCorrupt) {
		return err
	}
	h.c.log.WithError(err).Warn("the call history was damaged")
	h.c.mu.Lock()
	h.c.historyErr = err
	h.c.mu.Unlock()
	return nil // the desk's update that follows shows it with the phone
}

// withHistoryProblem adds to v that a damaged call history was kept aside (until restart).
func (c *core) withHistoryProblem(v PhoneView) PhoneView {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.historyErr != nil && v.Problem == "" {
		v.Problem = "The call history was damaged: " + c.historyErr.Error() + "."
	}
	return v
}
