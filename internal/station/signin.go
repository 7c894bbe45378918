package station

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

// signInWait bounds how long the sign-in window waits for the agent.
const signInWait = 5 * time.Minute

// SSO is a provider sign-in asked from the login screen.
type SSO struct {
	Server, Provider string
	// Force, Phone and Line answer the server's SESSION_EXISTS and PHONE_REQUIRED as in a login;
	// the sign-in is not asked again for them.
	Force       bool
	Phone, Line string
}

// LoginSSO signs in with a provider the server offers: it opens the provider's sign-in page in its
// own window (omni.RunSignIn), waits for the agent to finish there, and logs in with the one-time
// code it ends with (which never reaches a front end). After SESSION_EXISTS or PHONE_REQUIRED the
// agent's answer reuses the same code (agent.SignIns).
func (s *Station) LoginSSO(ctx context.Context, f SSO) error {
	u, err := motion.ParseServerURL(f.Server)
	if err != nil {
		return err
	}
	origin := motion.Origin(u)
	wctx, cancel := context.WithTimeout(ctx, signInWait)
	defer cancel()
	code, err := s.signIns.Begin(origin, f.Provider, cancel)
	if err != nil {
		return err
	}
	var loginErr error
	defer func() { s.signIns.End(origin, f.Provider, code, loginErr) }()

	s.clearNotice()
	if code == "" {
		if code, err = s.signIn(wctx, u, origin, f.Provider); err != nil {
			return err
		}
	}
	lctx, lcancel := context.WithTimeout(ctx, LoginTimeout)
	defer lcancel()
	p, err := s.agent.LoginWith(lctx, agent.LoginInput{Server: origin, SSOCode: code, SSOProvider: f.Provider, Force: f.Force, Phone: f.Phone, Line: f.Line})
	if err != nil {
		loginErr = err // the server may keep the code for the agent's answer
		return err
	}
	s.loggedIn(p, "")
	s.notices.Reset()
	return nil
}

// signIn runs the sign-in window and returns the code it ends with.
func (s *Station) signIn(ctx context.Context, u *url.URL, origin, provider string) (string, error) {
	st, err := s.cfg.Load()
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
	s.log.WithFields(map[string]any{"server": origin, "provider": provider}).Info("sign-in window opened")
	code, err := omni.RunSignIn(ctx, omni.LauncherOptions{Logger: s.log}, req)
	switch {
	case err == nil:
		return code, nil
	case errors.Is(err, omni.ErrSignInCancelled), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "", problem.Tag(problem.CodeSignInCancelled, err)
	}
	s.log.WithError(err).Warn("sign-in failed")
	return "", problem.Tag(problem.CodeSignInFailed, err)
}

// CancelSSO closes the sign-in window, if one is open.
func (s *Station) CancelSSO() { s.signIns.Cancel() }
