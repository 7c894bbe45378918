package app

import (
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/station"
)

// Session is the login service bound to the window.
type Session struct {
	c *core
}

// View returns the session as the window shows it.
func (s *Session) View() SessionView { return s.c.view() }

// after returns the view once an action is done, with its error.
func (s *Session) after(err error) (SessionView, error) { return s.View(), err }

// result is the view once an action succeeded, or the action's error.
func (s *Session) result(err error) (SessionView, error) {
	if err != nil {
		return SessionView{}, err
	}
	return s.View(), nil
}

// UIReady is called by the window once the first screen is drawn; it logs the cold-start time.
func (s *Session) UIReady() {
	s.c.log.WithField("ms", time.Since(started).Milliseconds()).Info("ui ready")
}

// Login logs in with the form. The password goes to the OS keyring only with Remember and only once
// the server accepted it.
func (s *Session) Login(f LoginForm) (SessionView, error) {
	return s.result(s.c.st.Login(s.c.st.Life(), agent.LoginInput{Server: f.Server, User: f.Username, Password: f.Password, Remember: f.Remember, Force: f.Force, Phone: f.Phone, Line: f.Line}))
}

// AutoLogin logs in with the remembered server, user and keyring password. It makes at most one
// attempt: a saved password the server refuses is not tried again, and the agent is asked to type it.
func (s *Session) AutoLogin() (SessionView, error) {
	return s.result(s.c.st.AutoLogin(s.c.st.Life()))
}

// LoginSSO signs in with a provider the server offers: it opens the provider's sign-in page in its
// own window, waits for the agent to finish there, and logs in with the result. After
// SESSION_EXISTS or PHONE_REQUIRED the agent's answer (Force, Phone, Line) reuses the same sign-in.
func (s *Session) LoginSSO(f SSOForm) (SessionView, error) {
	return s.result(s.c.st.LoginSSO(s.c.st.Life(), station.SSO{Server: f.Server, Provider: f.Provider, Force: f.Force, Phone: f.Phone, Line: f.Line}))
}

// CancelSSO closes the sign-in window, if one is open.
func (s *Session) CancelSSO() { s.c.st.CancelSSO() }

// TrustCertificate pins the certificate fingerprint the agent accepted for the server.
func (s *Session) TrustCertificate(server, fingerprint string) error {
	return s.c.st.TrustCertificate(server, fingerprint)
}

// Logout ends the session; with forget it also deletes the saved password.
func (s *Session) Logout(forget bool) (SessionView, error) {
	return s.after(s.c.st.Logout(s.c.st.Life(), forget))
}

// SetReady makes the agent ready to take contacts, or not ready. A WebRTC agent's microphone must
// work to go ready (checked now unless a recent check found it working): otherwise the error says
// what to do.
func (s *Session) SetReady(on bool) (SessionView, error) {
	return s.after(s.c.st.SetReady(s.c.st.Life(), on))
}

// Pause pauses the agent with one of SessionView.PauseTypes (0: without a reason).
func (s *Session) Pause(pauseTypeID int) (SessionView, error) {
	return s.after(s.c.st.Pause(s.c.st.Life(), pauseTypeID))
}

// LastLine returns where the calls of user on server rang at the last login here, for an external
// agent without Hot Desk ("internal", "phone" or "mobile"), or "" when there is nothing to offer.
func (s *Session) LastLine(server, user string) string { return s.c.st.LastLine(server, user) }

// SetLine changes where an external agent's calls ring: "internal", "phone" or "mobile".
func (s *Session) SetLine(line string) (SessionView, error) {
	return s.result(s.c.st.SetLine(s.c.st.Life(), line))
}

// Quit closes the window, ending the calls in progress: the agent has confirmed (the window asks
// first during a call).
func (s *Session) Quit() {
	s.c.st.ConfirmClose()
	if s.c.quit != nil {
		s.c.quit()
	}
}
