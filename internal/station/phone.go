package station

import (
	"errors"
	"log/slog"
	"net/url"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// Phone is the softphone's state.
type Phone struct {
	// Desk is the desk's view while the softphone runs, nil otherwise.
	Desk *desk.View
	// Err says why the softphone of the agent's SIP account was not started (damaged settings, a
	// refused ws:// address); nil when it runs or the agent has no SIP account.
	Err error
	// HistoryErr says a damaged call history was kept aside (until restart).
	HistoryErr error
}

// Registration says how the phone's registration reads on a front end: "off" (no SIP account),
// "registering", "registered" or "failed" (also when the phone was not started), with the sentence
// that explains a problem to the agent ("" when there is none).
func (p Phone) Registration() (state, explain string) {
	dv := p.Desk
	switch {
	case dv == nil && p.Err != nil:
		// The account exists but the phone was not started: not "no phone for this account".
		return "failed", problem.Of(p.Err).Message
	case dv == nil:
		return "off", ""
	case dv.Registration.CanCall():
		state = "registered"
	case dv.Registration == sipua.StateFailed:
		state = "failed"
	default:
		state = "registering"
	}
	if err := dv.RegistrationErr; err != nil && !dv.Registration.CanCall() {
		explain = problem.Registration(err, state == "registering")
	}
	if p.HistoryErr != nil && explain == "" {
		explain = "The call history was damaged: " + p.HistoryErr.Error() + "."
	}
	return state, explain
}

// Desk returns the desk of the running softphone, nil when none.
func (s *Station) Desk() *desk.Desk {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.desk
}

// Phone returns the softphone's state.
func (s *Station) Phone() Phone {
	s.mu.Lock()
	d, p := s.desk, Phone{Err: s.phoneErr, HistoryErr: s.historyErr}
	s.mu.Unlock()
	if d != nil {
		v := d.View()
		p.Desk, p.Err = &v, nil
	}
	return p
}

// startPhone registers the WebRTC agent's SIP account (from the login) and keeps it registered until
// the session ends. It does nothing for agents without one, or when the phone already runs.
func (s *Station) startPhone() {
	acc, ok := s.agent.SIPAccount()
	if !ok || s.Desk() != nil {
		return
	}
	st, err := s.cfg.Load()
	if err == nil {
		err = agent.CheckSIPAddress(st, s.cfg.Path(), s.agent.Profile().Server, acc.WSURI)
	}
	if err != nil {
		// Never without the server's pin, never a ws:// address the agent did not allow.
		s.log.WithField("code", problem.Of(err).Code).Warn("the softphone does not start")
		s.mu.Lock()
		s.phoneErr = err
		s.mu.Unlock()
		s.phoneChanged()
		return
	}
	var pin tlspin.Fingerprint
	if u, err := url.Parse(acc.WSURI); err == nil {
		pin = st.Pins["https://"+u.Host]
	}
	cfg := phone.Config{
		Account: phone.AccountFromMotion(acc, pin),
		Logger:  slog.New(logging.SlogHandler(s.log.WithField("proc", "phone"))),
		Audio:   s.audio,
		// Read at each call, so that a choice made in the Audio panel applies to the next call.
		Devices:    s.callDevices,
		Processing: s.callProcessing,
	}
	s.traceCalls(&cfg)
	d, err := desk.Open(cfg, desk.Options{
		Account:  acc.Username,
		Settings: s.deskSettings,
		Ringer:   ringer{s},
		History:  historyWriter{s},
		OnUpdate: s.onDesk,
		Logger:   s.log,
	})
	if err != nil {
		s.log.WithError(err).Warn("the softphone cannot start")
		s.mu.Lock()
		s.phoneErr = err
		s.mu.Unlock()
		s.phoneChanged()
		return
	}
	s.mu.Lock()
	s.desk = d
	s.mu.Unlock()
	s.phoneChanged()
}

// deskSettings are the agent's auto-answer choices, read at each incoming call.
func (s *Station) deskSettings() desk.Settings {
	st, err := s.cfg.Load()
	if err != nil {
		s.log.WithField("code", problem.Of(err).Code).Warn("settings unreadable: no auto-answer")
		return desk.Settings{}
	}
	return desk.Settings{AutoAnswer: st.Phone.AutoAnswer, AutoAnswerDelay: time.Duration(st.Phone.AutoAnswerDelaySeconds) * time.Second}
}

// stopPhone unregisters and stops the softphone, ending its calls, and waits for it.
func (s *Station) stopPhone() {
	s.mu.Lock()
	d := s.desk
	s.desk, s.phoneErr = nil, nil
	s.mu.Unlock()
	if d == nil {
		return
	}
	if err := d.Close(); err != nil {
		s.log.WithError(err).Warn("the softphone stopped")
	}
	s.phoneChanged()
}

// onDesk passes the desk's updates on.
func (s *Station) onDesk(u desk.Update) {
	if u.Incoming != nil && s.hooks.Incoming != nil {
		s.hooks.Incoming(*u.Incoming)
	}
	if u.Incoming != nil {
		s.screenPop(*u.Incoming)
	}
	if u.HistoryChanged && s.hooks.History != nil {
		s.hooks.History()
	}
	if s.hooks.Phone != nil {
		s.mu.Lock()
		p := Phone{Desk: &u.View, HistoryErr: s.historyErr}
		s.mu.Unlock()
		s.hooks.Phone(p)
	}
	s.dialQueued(u.View)
	s.changed()
}

func (s *Station) phoneChanged() {
	if s.hooks.Phone != nil {
		s.hooks.Phone(s.Phone())
	}
	s.changed()
}

// historyWriter writes ended calls to the history; a damaged history is kept aside by the store,
// the call goes to a new one, and the phone's state says so.
type historyWriter struct{ s *Station }

func (h historyWriter) Add(e history.Entry) error {
	err := h.s.history.Add(e)
	if !errors.Is(err, history.ErrCorrupt) {
		return err
	}
	h.s.log.WithError(err).Warn("the call history was damaged")
	h.s.mu.Lock()
	h.s.historyErr = err
	h.s.mu.Unlock()
	return nil // the desk's update that follows shows it with the phone
}
