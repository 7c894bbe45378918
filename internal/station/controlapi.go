package station

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/controlapi"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/policy"
)

// ControlAPI is the local control API's state.
type ControlAPI struct {
	// Addr is where it listens; "" when it does not run.
	Addr string
	// Err says why it does not run although it should (the port is taken); nil otherwise.
	Err error
}

// ControlAPI returns the control API's state.
func (s *Station) ControlAPI() ControlAPI {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := ControlAPI{Err: s.apiErr}
	if s.api != nil {
		if a := s.api.Addr(); a != nil {
			out.Addr = a.String()
		}
	}
	return out
}

// syncControlAPI runs the control API while an agent is logged in whose server turns Remote
// Control on, or whom the settings (or the machine policy) turn it on for, and stops it otherwise.
// A port already taken is kept as the reason it does not run, shown with the session: not fatal.
func (s *Station) syncControlAPI() {
	st, err := s.cfg.Load()
	p := s.agent.Profile()
	want := err == nil && s.agent.State().HasSession() && (p.RemoteControl || st.ControlAPI.Enabled)
	s.mu.Lock()
	running := s.api
	s.mu.Unlock()
	if !want {
		if running != nil {
			_ = running.Close()
			s.mu.Lock()
			s.api = nil
			s.mu.Unlock()
		}
		s.mu.Lock()
		s.apiErr = nil
		s.mu.Unlock()
		return
	}
	if running != nil {
		return
	}
	var token string
	if pol, err := policy.LoadDefault(); err == nil && pol != nil && pol.ControlAPI != nil {
		token = pol.ControlAPI.Token
	}
	listen := cmp.Or(st.ControlAPI.Listen, controlapi.DefaultListen)
	srv := controlapi.New(controlapi.Options{
		Listen:         listen,
		AllowedOrigins: st.ControlAPI.AllowedOrigins,
		Token:          token,
		Desk:           s.apiDesk,
		Recents:        s.recents,
		Logger:         s.log.WithField("proc", "controlapi"),
	})
	_, err = srv.Start()
	s.mu.Lock()
	switch {
	case errors.Is(err, controlapi.ErrInUse):
		s.apiErr = fmt.Errorf("The control API for your CRM does not run: %s is taken by another program. Close it, or set controlApi.listen to another port in the settings (%w)", listen, controlapi.ErrInUse)
	case err != nil:
		s.apiErr = fmt.Errorf("The control API for your CRM does not run: %w", err)
	default:
		s.api, s.apiErr = srv, nil
	}
	s.mu.Unlock()
	if err != nil {
		s.log.WithError(err).Warn("control API not started")
	}
}

// stopControlAPI stops the control API and waits for it.
func (s *Station) stopControlAPI() {
	s.mu.Lock()
	api := s.api
	s.api = nil
	s.mu.Unlock()
	if api != nil {
		_ = api.Close()
	}
}

// apiDesk is the desk the control API drives: the window's own.
func (s *Station) apiDesk() (controlapi.Desk, error) {
	if !s.agent.State().HasSession() {
		return nil, agent.ErrNotLoggedIn
	}
	s.mu.Lock()
	d, perr := s.desk, s.phoneErr
	s.mu.Unlock()
	if d != nil {
		return d, nil
	}
	if perr != nil {
		return nil, perr
	}
	return nil, desk.ErrNoPhone
}

// recents is the latest ended calls, newest first, at most 50.
func (s *Station) recents() []history.Entry {
	list, err := s.history.List()
	if err != nil {
		return nil
	}
	out := make([]history.Entry, 0, min(len(list), 50))
	for i := len(list) - 1; i >= 0 && len(out) < 50; i-- {
		out = append(out, list[i])
	}
	return out
}
