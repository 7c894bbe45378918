package station

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/readiness"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// LoginTimeout bounds one login, from the button to the answer.
const LoginTimeout = 30 * time.Second

// readyListen is how long the check before going ready listens (the Audio panel's listens longer).
const readyListen = time.Second

// Status is the session as a front end shows it. It never carries a secret.
type Status struct {
	State agent.State
	// Server and Username are the session's, or else the saved ones (the demo server's address
	// when none is saved in demo mode).
	Server, Username string
	// Remember is the saved "remember me" choice.
	Remember bool
	// Profile is the logged-in agent (zero without a session).
	Profile agent.Profile
	// Ready says the agent takes contacts (false without a session).
	Ready bool
	// Agent is the agent's status with its pause reason and timers; PauseTypes the server's pause
	// reasons (both zero without a session).
	Agent      agent.Status
	PauseTypes []motion.PauseType
	// ControlAPI says where the control API listens ("Control API on 127.0.0.1:9888"), or why it
	// does not run although it should (the port is taken: not fatal); "" when it is off.
	ControlAPI string
	// SettingsErr says why the settings cannot be used; KeyringErr why remember me is off.
	SettingsErr, KeyringErr error
	Demo                    *Demo
	// Notice explains the last thing the agent did not do (the server ended the session).
	Notice string
	// Notices are the login's notices not dismissed yet (with a session only).
	Notices []agent.Notice
	// NeedCurrentPassword says a password change must ask for the current password (the station
	// does not hold it).
	NeedCurrentPassword bool
}

// Status returns the session's status.
func (s *Station) Status() Status {
	st, err := s.cfg.Load()
	if err != nil {
		s.log.WithError(err).Warn("settings unreadable")
	}
	v := Status{State: s.agent.State(), Server: st.ServerURL, Username: st.Username, Remember: st.RememberMe,
		SettingsErr: err, KeyringErr: s.keyringStatus(), Demo: s.demo}
	if s.demo != nil && v.Server == "" {
		v.Server = s.demo.Server
	}
	if v.State.HasSession() {
		v.Profile = s.agent.Profile()
		v.Server, v.Username = v.Profile.Server, v.Profile.Name
		v.Ready = s.agent.Ready()
		v.Agent, v.PauseTypes = s.agent.Status(), s.agent.PauseTypes()
		if api := s.ControlAPI(); api.Err != nil {
			v.ControlAPI = api.Err.Error() + "."
		} else if api.Addr != "" {
			v.ControlAPI = "Control API on " + api.Addr
		}
		v.NeedCurrentPassword = s.handoffPassword() == ""
		v.Notices = append(s.notices.For(v.Profile, time.Now()), s.dialNotice()...)
	}
	s.mu.Lock()
	v.Notice = s.notice
	s.mu.Unlock()
	return v
}

func (s *Station) handoffPassword() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handoff.password
}

// loggedIn keeps the session's password in memory for the Omni Desktop login.
func (s *Station) loggedIn(p agent.Profile, password string) {
	s.mu.Lock()
	s.handoff.server, s.handoff.user, s.handoff.password = p.Server, p.Name, password
	s.mu.Unlock()
	if s.logs != nil {
		s.logs.Secret(password) // whatever text might carry it, the logs show it redacted
	}
}

func (s *Station) clearNotice() {
	s.mu.Lock()
	s.notice = ""
	s.mu.Unlock()
}

// Login logs in with a typed password. The password goes to the OS keyring only with Remember and
// only once the server accepted it.
func (s *Station) Login(ctx context.Context, in agent.LoginInput) error {
	ctx, cancel := context.WithTimeout(ctx, LoginTimeout)
	defer cancel()
	s.clearNotice()
	p, err := s.agent.LoginWith(ctx, in)
	if err != nil {
		return err
	}
	s.loggedIn(p, in.Password)
	s.notices.Reset()
	return nil
}

// AutoLogin logs in with the remembered server, user and keyring password. It makes at most one
// attempt: a saved password the server refuses is not tried again.
func (s *Station) AutoLogin(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, LoginTimeout)
	defer cancel()
	s.clearNotice()
	p, err := s.agent.AutoLogin(ctx)
	// A network failure comes back with the wait before the window tries again (the saved password
	// is kept; nothing counted against the lockout rules); anything else as it is.
	if err := s.autoRetry.Failed(err, rand.Float64()); err != nil {
		return err
	}
	pw, err := s.creds.Get(ctx, p.Server, p.Name)
	if err != nil {
		// Logged in, but the Omni Desktop will ask for the password itself.
		s.log.WithError(err).Warn("the saved password could not be read again for the Omni Desktop")
		pw = ""
	}
	s.loggedIn(p, pw)
	s.notices.Reset()
	return nil
}

// TrustCertificate pins the certificate fingerprint (as typed or shown) the agent accepted for
// server.
func (s *Station) TrustCertificate(server, fingerprint string) error {
	fp, err := tlspin.Parse(fingerprint)
	if err != nil {
		return err
	}
	return s.agent.TrustFingerprint(server, fp)
}

// Logout ends the session; with forget it also deletes the saved password.
func (s *Station) Logout(ctx context.Context, forget bool) error {
	ctx, cancel := context.WithTimeout(ctx, LoginTimeout)
	defer cancel()
	if forget {
		return s.agent.LogoutAndForget(ctx)
	}
	return s.agent.Logout(ctx)
}

// DismissNotice hides a notice for the rest of the session.
func (s *Station) DismissNotice(id string) {
	if id == NoticeDial {
		s.dismissDialNotice()
	}
	s.notices.Dismiss(id)
}

// PasswordRules checks a candidate new password against the rules: which rules hold, never the
// current password.
func (s *Station) PasswordRules(candidate string) []agent.RuleCheck {
	return agent.CheckNewPassword(candidate, s.handoffPassword())
}

// ChangePassword changes the password. current may be empty when the station holds the session's
// password (Status.NeedCurrentPassword false). A remembered password is replaced in the keyring.
func (s *Station) ChangePassword(ctx context.Context, current, next string) error {
	ctx, cancel := context.WithTimeout(ctx, LoginTimeout)
	defer cancel()
	if current == "" {
		current = s.handoffPassword()
	}
	if current == "" {
		return problem.Tag(problem.CodeMissing, errors.New("station: no current password"))
	}
	if err := agent.CheckPasswordRules(next, current); err != nil {
		return err
	}
	p, err := s.agent.ChangePassword(ctx, current, next)
	if err != nil {
		return err
	}
	s.loggedIn(p, next)
	s.notices.Dismiss(agent.NoticePasswordExpiry)
	s.log.WithField("remembered", p.Remembered).Info("password changed")
	return nil
}

// ForgotPassword asks the server to email a reset link; the answer is the same whether or not the
// address is known.
func (s *Station) ForgotPassword(ctx context.Context, server, email string) error {
	ctx, cancel := context.WithTimeout(ctx, LoginTimeout)
	defer cancel()
	if err := s.agent.ForgotPassword(ctx, server, email); err != nil {
		return err
	}
	s.log.Info("password reset asked") // never the address: the log says nothing of who exists
	return nil
}

// Providers lists the single sign-on providers the server offers; none when it offers none, cannot
// be reached, or its certificate is not trusted yet (the login form says what is wrong when used).
func (s *Station) Providers(ctx context.Context, server string) []string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	p, err := s.agent.Providers(ctx, server)
	if err != nil {
		s.log.WithField("code", problem.Of(err).Code).Debug("sign-in providers not read")
		return []string{}
	}
	if p == nil {
		p = []string{}
	}
	s.log.WithField("providers", strings.Join(p, ",")).Info("sign-in providers")
	return p
}

// LastLine returns where the calls of user on server rang at the last login here, for an external
// agent without Hot Desk ("internal", "phone" or "mobile"), or "" when there is nothing to offer.
func (s *Station) LastLine(server, user string) string {
	u, err := motion.ParseServerURL(server)
	if err != nil {
		return ""
	}
	st, err := s.cfg.Load()
	if err != nil {
		return ""
	}
	return st.Lines[config.LineKey(motion.Origin(u), strings.TrimSpace(user))]
}

// SetLine changes where the calls of an external agent without Hot Desk ring (motion.LineInternal,
// LinePhone or LineMobile), for this session and the next login here.
func (s *Station) SetLine(ctx context.Context, line string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.agent.SetLine(ctx, line); err != nil {
		return err
	}
	s.sessionChanged()
	return nil
}

// SetReady makes the agent ready to take contacts, or not ready. A WebRTC agent takes calls on this
// computer, so going ready needs a microphone that works: checked now, unless a check found it
// working recently and no device changed since (readiness.Microphone). A microphone that does not
// work keeps the agent not ready with a sentence that says what to do (agent.ReadyGate).
func (s *Station) SetReady(ctx context.Context, on bool) error {
	verdict := ""
	if on && s.agent.Profile().Typology == motion.TypologyWebRTC {
		if s.mic.Working() {
			verdict = audio.VerdictWorking.String()
		} else {
			res, err := s.CheckMicrophone(ctx, readyListen)
			if errors.Is(err, readiness.ErrChecking) {
				return err
			}
			if err == nil {
				verdict = res.Verdict.String()
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.agent.SetReady(ctx, on, verdict); err != nil {
		if errors.Is(err, agent.ErrMicrophoneNeeded) {
			s.log.Info("not ready: the microphone does not work")
		}
		return err
	}
	s.sessionChanged()
	return nil
}

// Pause pauses the agent with one of the server's pause reasons (0: without a reason).
func (s *Station) Pause(ctx context.Context, pauseTypeID int) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.agent.Pause(ctx, pauseTypeID); err != nil {
		return err
	}
	s.sessionChanged()
	return nil
}
