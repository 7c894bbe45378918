package app

import (
	"context"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// Session is the login service bound to the window.
type Session struct {
	c *core
}

// loginTimeout bounds one login, from the button to the answer.
const loginTimeout = 30 * time.Second

// View returns the session as the window shows it.
func (s *Session) View() SessionView {
	return s.c.view()
}

// UIReady is called by the window once the first screen is drawn; it logs the cold-start time.
func (s *Session) UIReady() {
	s.c.log.WithField("ms", time.Since(started).Milliseconds()).Info("ui ready")
}

// Login logs in with the form. The password goes to the OS keyring only with Remember and only once
// the server accepted it.
func (s *Session) Login(f LoginForm) (SessionView, error) {
	ctx, cancel := context.WithTimeout(s.c.life, loginTimeout)
	defer cancel()
	s.c.clearNotice()
	p, err := s.c.agent.LoginWith(ctx, agent.LoginInput{Server: f.Server, User: f.Username, Password: f.Password, Remember: f.Remember, Force: f.Force, Phone: f.Phone, Line: f.Line})
	if err != nil {
		return SessionView{}, err
	}
	s.c.loggedIn(p, f.Password)
	s.c.notices.Reset()
	return s.View(), nil
}

// AutoLogin logs in with the remembered server, user and keyring password. It makes at most one
// attempt: a saved password the server refuses is not tried again, and the agent is asked to type it.
func (s *Session) AutoLogin() (SessionView, error) {
	ctx, cancel := context.WithTimeout(s.c.life, loginTimeout)
	defer cancel()
	s.c.clearNotice()
	p, err := s.c.agent.AutoLogin(ctx)
	if err != nil {
		return SessionView{}, err
	}
	pw, err := s.c.creds.Get(ctx, p.Server, p.Name)
	if err != nil {
		// Logged in, but the Omni Desktop will ask for the password itself.
		s.c.log.WithError(err).Warn("the saved password could not be read again for the Omni Desktop")
		pw = ""
	}
	s.c.loggedIn(p, pw)
	s.c.notices.Reset()
	return s.View(), nil
}

// TrustCertificate pins the certificate fingerprint the agent accepted for the server.
func (s *Session) TrustCertificate(server, fingerprint string) error {
	fp, err := tlspin.Parse(fingerprint)
	if err != nil {
		return err
	}
	if err := s.c.agent.TrustFingerprint(server, fp); err != nil {
		return err
	}
	return nil
}

// Logout ends the session; with forget it also deletes the saved password.
func (s *Session) Logout(forget bool) (SessionView, error) {
	ctx, cancel := context.WithTimeout(s.c.life, loginTimeout)
	defer cancel()
	var err error
	if forget {
		err = s.c.agent.LogoutAndForget(ctx)
	} else {
		err = s.c.agent.Logout(ctx)
	}
	if err != nil {
		return s.View(), err
	}
	return s.View(), nil
}
