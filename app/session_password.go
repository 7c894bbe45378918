package app

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/problem"
)

// This file holds the Session service's password change, forgot password, the notices of the
// login (password expiry, license) and marks the window sets for the fault figures.

// handoffPassword is the session's password held in memory (never returned to the window).
func (s *Session) handoffPassword() string { return s.c.handoffPassword() }

func (c *core) handoffPassword() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.handoff.password
}

// DismissNotice hides a notice for the rest of the session.
func (s *Session) DismissNotice(id string) SessionView {
	s.c.notices.Dismiss(id)
	return s.View()
}

// PasswordRules checks a candidate new password against the rules, live, for the form: the
// answer says only which rules hold, never the current password.
func (s *Session) PasswordRules(candidate string) []agent.RuleCheck {
	return agent.CheckNewPassword(candidate, s.handoffPassword())
}

// ChangePassword changes the password: the required change of a first login (or an expired
// password) or the one offered when it expires soon. current may be empty when the app holds the
// session's password (NeedCurrentPassword false). A remembered password is replaced in the
// keyring. A refused password gives PASSWORD_RULES with the rules broken.
func (s *Session) ChangePassword(current, next string) (SessionView, error) {
	ctx, cancel := context.WithTimeout(s.c.life, loginTimeout)
	defer cancel()
	if current == "" {
		current = s.handoffPassword()
	}
	if current == "" {
		return s.View(), problem.Tag(problem.CodeMissing, errors.New("app: no current password"))
	}
	if err := agent.CheckPasswordRules(next, current); err != nil {
		return s.View(), err
	}
	p, err := s.c.agent.ChangePassword(ctx, current, next)
	if err != nil {
		return s.View(), err
	}
	s.c.loggedIn(p, next)
	s.c.notices.Dismiss(agent.NoticePasswordExpiry)
	s.c.log.WithField("remembered", p.Remembered).Info("password changed")
	return s.View(), nil
}

// ForgotPassword asks the server to email a reset link. The answer is the same whether or not the
// address is known: the window says "if the address belongs to an account, a link was sent".
func (s *Session) ForgotPassword(server, email string) error {
	ctx, cancel := context.WithTimeout(s.c.life, loginTimeout)
	defer cancel()
	if err := s.c.agent.ForgotPassword(ctx, server, email); err != nil {
		return err
	}
	s.c.log.Info("password reset asked") // never the address: the log says nothing of who exists
	return nil
}

// uiMarks are the marks the window may log (the fault figures read them).
var uiMarks = map[string]bool{"banner-shown": true, "banner-hidden": true}

// UIMark logs a moment of the window (the connection banner shown or hidden), so that tests
// measure what the agent sees rather than what the session thinks.
func (s *Session) UIMark(what string) {
	if !uiMarks[what] {
		return
	}
	s.c.log.WithField("what", what).Info("ui mark")
}

// Providers lists the single sign-on providers the server at address server offers, for the login
// screen's buttons; none when it offers none, cannot be reached, or its certificate is not trusted
// yet (the buttons then stay hidden: the login form says what is wrong when it is used).
func (s *Session) Providers(server string) []string {
	ctx, cancel := context.WithTimeout(s.c.life, 5*time.Second)
	defer cancel()
	p, err := s.c.agent.Providers(ctx, server)
	if err != nil {
		s.c.log.WithField("code", problem.Of(err).Code).Debug("sign-in providers not read")
		return []string{}
	}
	if p == nil {
		p = []string{}
	}
	s.c.log.WithField("providers", strings.Join(p, ",")).Info("sign-in providers")
	return p
}

// LastLine returns where the calls of user on server rang at the last login here, for an external
// agent without Hot Desk ("internal", "phone" or "mobile"), or "" when there is nothing to offer.
func (s *Session) LastLine(server, user string) string {
	u, err := motion.ParseServerURL(server)
	if err != nil {
		return ""
	}
	st, err := s.c.cfg.Load()
	if err != nil {
		return ""
	}
	return st.Lines[config.LineKey(motion.Origin(u), strings.TrimSpace(user))]
}

// maxUIState bounds what UIState logs.
const maxUIState = 4096

// UIState logs the window's published state (frontend/src/state.ts: the screen, the focused
// element's id, the calls' states; never what the agent typed) as one JSON line, so that the window
// tests wait for what the agent sees rather than for sleeps.
func (s *Session) UIState(state string) {
	if len(state) > maxUIState || !json.Valid([]byte(state)) {
		return
	}
	s.c.log.WithField("state", state).Info("ui state")
}
