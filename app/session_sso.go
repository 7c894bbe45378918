package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/omni"
	"github.com/phonebar/phonebar/internal/problem"
)

// This file is the Session service's single sign-on: the provider's sign-in page opens in a window
// of its own (omni.RunSignIn), and the one-time code it ends with is exchanged for the session. The
// code never reaches the webview.

// SSOForm is a provider sign-in asked from the login screen.
type SSOForm struct {
	Server   string `json:"server"`
	Provider string `json:"provider"`
	// Force, Phone and Line answer the server's SESSION_EXISTS and PHONE_REQUIRED as in LoginForm;
	// the sign-in is not asked again for them.
	Force bool   `json:"force"`
	Phone string `json:"phone"`
	Line  string `json:"line"`
}

// signInWait bounds how long the sign-in window waits for the agent.
const signInWait = 5 * time.Minute

// LoginSSO signs in with a provider the server offers: it opens the provider's sign-in page in its
// own window, waits for the agent to finish there, and logs in with the result. After
// SESSION_EXISTS or PHONE_REQUIRED the agent's answer (Force, Phone, Line) reuses the same sign-in.
func (s *Session) LoginSSO(f SSOForm) (SessionView, error) {
	u, err := motion.ParseServerURL(f.Server)
	if err != nil {
		return SessionView{}, err
	}
	origin := motion.Origin(u)
	ctx, cancel := context.WithTimeout(s.c.life, signInWait)
	defer cancel()
	code, err := s.c.signIns.Begin(origin, f.Provider, cancel)
	if err != nil {
		return SessionView{}, err
	}
	var loginErr error
	defer func() { s.c.signIns.End(origin, f.Provider, code, loginErr) }()

	s.c.clearNotice()
	if code == "" {
		if code, err = s.signIn(ctx, u, origin, f.Provider); err != nil {
			return SessionView{}, err
		}
	}
	lctx, lcancel := context.WithTimeout(s.c.life, loginTimeout)
	defer lcancel()
	p, err := s.c.agent.LoginWith(lctx, agent.LoginInput{Server: origin, SSOCode: code, SSOProvider: f.Provider, Force: f.Force, Phone: f.Phone, Line: f.Line})
	if err != nil {
		loginErr = err // the server may keep the code for the agent's answer
		return SessionView{}, err
	}
	s.c.loggedIn(p, "")
	s.c.notices.Reset()
	return s.View(), nil
}

// signIn runs the sign-in window and returns the code it ends with.
func (s *Session) signIn(ctx context.Context, u *url.URL, origin, provider string) (string, error) {
	st, err := s.c.cfg.Load()
	if err != nil {
		return "", err
	}
	pin := st.Pins[origin]
	cctx, ccancel := context.WithTimeout(ctx, 15*time.Second)
	certPEM, err := omni.PinnedCertificate(cctx, u.Host, pin)
	ccancel()
	if err != nil {
		return "", err
	}
	if certPEM == "" {
		pin = ""
	}
	req := omni.SignIn{Origin: origin, Provider: provider, State: omni.NewState(), CertPEM: certPEM, Pin: pin,
		Title: "Sign in with " + motion.ProviderLabels[provider]}
	if err := req.Validate(); err != nil {
		return "", problem.Tag(problem.CodeSignInFailed, fmt.Errorf("this server's sign-in cannot be used: %w", err))
	}
	s.c.log.WithFields(map[string]any{"server": origin, "provider": provider}).Info("sign-in window opened")
	code, err := omni.RunSignIn(ctx, omni.LauncherOptions{Logger: s.c.log}, req)
	switch {
	case err == nil:
		return code, nil
	case errors.Is(err, omni.ErrSignInCancelled), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "", problem.Tag(problem.CodeSignInCancelled, err)
	}
	s.c.log.WithError(err).Warn("sign-in failed")
	return "", problem.Tag(problem.CodeSignInFailed, err)
}

// CancelSSO closes the sign-in window, if one is open.
func (s *Session) CancelSSO() { s.c.signIns.Cancel() }
