// Package agent is the agent's session with the Motion server, shared by the window and the
// command line: login (typed or from the OS keyring), remembering the password, trusting a
// certificate, the required password change, logout, and the realtime connection kept alive with
// reconnection. An explicit state machine (Transition) says what may happen when; state changes are
// reported in order to one callback, never under a lock.
package agent

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// Deps are the session's collaborators. Creds and Config are required.
type Deps struct {
	// NewClient makes the Motion client; nil: MotionClient.
	NewClient ClientFactory
	// Creds keeps remembered passwords (the OS keyring in the app).
	Creds credstore.Store
	// Config keeps the server, user, remember flag and certificate pins.
	Config ConfigStore
	// Clock times reconnection waits; nil: the real clock.
	Clock Clock
	// Logger gets the session's log lines (never a secret); nil: discard.
	Logger logrus.FieldLogger
	// Roots verifies server certificates; nil: the system roots.
	Roots *x509.CertPool
	// Backoff spaces reconnection attempts; zero: its defaults.
	Backoff Backoff
	// Rand returns a number in [0, 1) for the backoff jitter; nil: math/rand/v2.
	Rand func() float64
	// OnChange receives every state change, in order, never under the session's lock; it may call
	// the session's methods except Close (which waits for Run, which may be the caller). Nil: none.
	OnChange func(Change)
	// ClientOptions adjusts the motion.Options of each client (timeouts, dialer); nil: none.
	ClientOptions func(*motion.Options)
}

// Change is one state change.
type Change struct {
	From, To State
	Input    Input
	// Reason is the server's code when it ended the session (motion.CodeSessionExists when someone
	// logged in with the same credentials, motion.CodeSessionEnded, motion.CodeUnauthorized).
	Reason string
	// Message is a sentence for the agent ("" for ordinary changes).
	Message string
	// Err is the cause of a failure (login failed, realtime down), or nil.
	Err error
}

// Session is one agent's session. Make it with New; start Run in a goroutine to keep the realtime
// connection; Close stops Run and waits for it.
type Session struct {
	newClient ClientFactory
	creds     credstore.Store
	cfg       ConfigStore
	clock     Clock
	log       logrus.FieldLogger
	roots     *x509.CertPool
	backoff   Backoff
	rnd       func() float64
	clientOpt func(*motion.Options)
	notify    notifier

	mu          sync.Mutex
	state       State
	gen         uint64 // counts logins; work of an older login is ignored
	client      Client
	server      string
	user        string
	profile     Profile
	sip         *motion.SIPAccount
	remember    bool           // remember the password once it is changed
	opts        motion.Options // of the session's client, for the one re-login after a server restart
	phone       string         // the hot-desk telephone of the session
	line        string         // the external agent's line of the session
	relogged    bool           // the session was logged back in once already (never twice)
	status      Status         // the agent's status, as the server last said it (SetStatus)
	pauseTypes  []motion.PauseType
	sessCancel  context.CancelFunc
	sessCtx     context.Context
	wake        chan struct{}
	running     bool
	runCancel   context.CancelFunc
	runDone     chan struct{}
	closed      bool
	lastEndCode string
}

// New returns a logged-out session.
func New(d Deps) (*Session, error) {
	if d.Creds == nil || d.Config == nil {
		return nil, errors.New("agent.New: Creds and Config are required")
	}
	s := &Session{
		newClient: d.NewClient, creds: d.Creds, cfg: d.Config, clock: d.Clock, log: d.Logger,
		roots: d.Roots, backoff: d.Backoff, rnd: d.Rand, clientOpt: d.ClientOptions,
		notify: notifier{fn: d.OnChange},
		state:  StateLoggedOut, wake: make(chan struct{}, 1),
	}
	if s.newClient == nil {
		s.newClient = MotionClient
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		s.log = l
	}
	if s.rnd == nil {
		s.rnd = defaultRand
	}
	return s, nil
}

// State returns the current state.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Profile returns the profile of the current session (zero when logged out).
func (s *Session) Profile() Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.state.HasSession() {
		return Profile{}
	}
	p := s.profile
	p.Warnings = append([]string(nil), p.Warnings...)
	return p
}

// SIPAccount returns the SIP settings of a WebRTC agent (they include the SIP password: for the
// softphone only, never for the UI or a log).
func (s *Session) SIPAccount() (motion.SIPAccount, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sip == nil || !s.state.HasSession() {
		return motion.SIPAccount{}, false
	}
	a := *s.sip
	a.ICEServers = append([]motion.ICEServer(nil), a.ICEServers...)
	return a, true
}

// LoginInput is a login as the UI asks for it.
type LoginInput struct {
	// Server is the address as typed (see motion.ParseServerURL).
	Server   string
	User     string
	Password string
	// Remember saves the password in the OS keyring once the server accepted it.
	Remember bool
	// Force ends another session of the same user (after the agent confirmed SESSION_EXISTS).
	Force bool
	// Phone is the hot-desk telephone an external agent picked; "": none.
	Phone string
	// Line is where an external agent without Hot Desk takes calls: motion.LineInternal (also
	// ""), motion.LinePhone or motion.LineMobile.
	Line string
	// KeepSaved, when Remember is false, leaves a saved password in the keyring instead of deleting
	// it (the command line's check of a typed password).
	KeepSaved bool
	// SSOCode, instead of User and Password, is the one-time code of a finished provider sign-in
	// (motion.PathSSOCallback) and SSOProvider names the provider. The keyring is left alone: there
	// is no password to remember.
	SSOCode     string
	SSOProvider string
}

// rememberMode says what a login does with the keyring.
type rememberMode int

const (
	rememberUnknown rememberMode = iota
	rememberSave                 // save the password
	rememberForget               // delete any saved password
	rememberKeep                 // leave the keyring as it is (AutoLogin)
	rememberNone                 // no password at all (a provider sign-in)
)

// Login logs in with a typed password. See LoginWith.
func (s *Session) Login(ctx context.Context, server, user, password string, remember bool) (Profile, error) {
	return s.LoginWith(ctx, LoginInput{Server: server, User: user, Password: password, Remember: remember})
}

// LoginWith parses the address, logs in, fetches whoami, and on success: with Remember saves the
// password in the keyring (never before the server accepted it), without it deletes any saved one
// (unless KeepSaved);
// then saves the server, user and remember flag in the settings. A keyring that cannot be used does
// not fail the login: the profile says RememberUnavailable. Errors: motion's (*BadURLError,
// *NotHTTPSError, *APIError, *NetError, tlspin errors), ErrMissingCredentials, ErrBusy.
func (s *Session) LoginWith(ctx context.Context, in LoginInput) (Profile, error) {
	mode := rememberForget
	switch {
	case in.Remember:
		mode = rememberSave
	case in.KeepSaved:
		mode = rememberKeep
	}
	return s.login(ctx, in, mode)
}

func (s *Session) login(ctx context.Context, in LoginInput, mode rememberMode) (Profile, error) {
	u, err := motion.ParseServerURL(in.Server)
	if err != nil {
		return Profile{}, err
	}
	user := strings.TrimSpace(in.User)
	sso := in.SSOCode != ""
	if sso {
		mode, in.Password, in.Remember = rememberNone, "", false
	} else if user == "" || in.Password == "" {
		return Profile{}, ErrMissingCredentials
	}
	origin := motion.Origin(u)
	// A machine policy that locks the server refuses any other before anything is sent to it.
	if g, ok := s.cfg.(interface{ CheckServer(string) error }); ok {
		if err := g.CheckServer(origin); err != nil {
			return Profile{}, err
		}
	}
	var warnings []string
	// Settings that cannot be read stop the login: going on with defaults would drop the server's
	// certificate pin without a word.
	settings, err := s.cfg.Load()
	if err != nil {
		return Profile{}, err
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Profile{}, ErrClosed
	}
	if s.state != StateLoggedOut {
		s.mu.Unlock()
		return Profile{}, ErrBusy
	}
	s.gen++
	gen := s.gen
	s.applyLocked(InputLoginStart, "", "", nil)
	s.mu.Unlock()
	s.notify.flush()

	opts := motion.Options{BaseURL: u, Pin: settings.Pins[origin], Roots: s.roots, Logger: s.log}
	if s.clientOpt != nil {
		s.clientOpt(&opts)
	}
	log := s.log.WithFields(logrus.Fields{"server": origin, "user": user})
	fail := func(err error) (Profile, error) {
		log.WithField("error", err.Error()).Warn("agent: login failed")
		s.apply(gen, InputLoginFailed, "", "", err)
		return Profile{}, err
	}
	cl, err := s.newClient(opts)
	if err != nil {
		return fail(err)
	}
	var resp motion.LoginResponse
	if sso {
		resp, err = cl.LoginSSO(ctx, motion.SSOLoginRequest{Code: in.SSOCode, Force: in.Force, Client: motion.ClientPhonebar, Phone: in.Phone, Line: in.Line})
		if err == nil {
			user = resp.User.Name
			log = log.WithField("user", user)
		}
	} else {
		resp, err = cl.Login(ctx, motion.LoginRequest{Name: user, Password: in.Password, Force: in.Force, Client: motion.ClientPhonebar, Phone: in.Phone, Line: in.Line})
	}
	if errors.Is(err, motion.ErrPhoneRequired) || errors.Is(err, motion.ErrPhoneUnavailable) {
		// The password (or sign-in) was right: read the telephones the agent may pick, with the
		// same login.
		var list motion.PhoneList
		var lerr error
		if sso {
			list, lerr = cl.PhonesForCode(ctx, in.SSOCode)
		} else {
			list, lerr = cl.PhonesFor(ctx, user, in.Password)
		}
		cl.CloseIdleConnections()
		if lerr != nil {
			return fail(lerr)
		}
		return fail(&PhoneRequiredError{Phones: list.Rows, Err: err})
	}
	if err != nil {
		cl.CloseIdleConnections()
		return fail(err)
	}
	who := resp.User
	if !resp.MustChangePassword {
		if who, err = cl.Whoami(ctx); err != nil {
			s.endQuietly(cl)
			return fail(err)
		}
	}
	p := makeProfile(origin, who, resp)
	p.Warnings = warnings
	if sso {
		p.SignedInWith = in.SSOProvider
		if p.SignedInWith == "" {
			p.SignedInWith = "sso"
		}
	}
	p.Phone, p.Line = in.Phone, in.Line

	rememberLater := false
	switch {
	case mode == rememberSave && resp.MustChangePassword:
		rememberLater = true // the password is about to change: save the new one
	case mode == rememberSave:
		s.savePassword(ctx, origin, user, in.Password, &p)
	case mode == rememberForget:
		if err := s.creds.Delete(ctx, origin, user); err != nil && !errors.Is(err, credstore.ErrNotFound) {
			log.WithField("error", err.Error()).Info("agent: could not delete a saved password")
		}
	case mode == rememberNone:
		// A provider sign-in: no password, and a saved one of a password login stays as it is.
	case mode == rememberKeep:
		// Remembered only if the keyring holds this very password.
		saved, err := s.creds.Get(ctx, origin, user)
		p.Remembered = err == nil && saved == in.Password
	}
	if err := s.cfg.Update(func(st *config.Settings) error {
		st.ServerURL, st.Username = origin, user
		st.RememberMe = p.Remembered || rememberLater
		key := config.LineKey(origin, user)
		if p.Typology == motion.TypologyExternal && in.Phone == "" {
			_, known := st.Lines[key]
			p.ChooseLine = !known && in.Line == ""
			if st.Lines == nil {
				st.Lines = map[string]string{}
			}
			st.Lines[key] = in.Line
			if in.Line == "" {
				st.Lines[key] = motion.LineInternal
			}
		} else {
			delete(st.Lines, key)
		}
		return nil
	}); err != nil {
		p.Warnings = append(p.Warnings, "Your settings could not be saved: "+err.Error())
	}

	in.Password = ""
	status, pauseTypes := s.readStatus(ctx, cl, resp.MustChangePassword, log)
	s.mu.Lock()
	if s.gen != gen || s.state != StateLoggingIn || s.closed {
		s.mu.Unlock()
		s.endQuietly(cl)
		return Profile{}, ErrClosed
	}
	s.client, s.server, s.user, s.profile, s.sip, s.remember = cl, origin, user, p, who.SIP, rememberLater
	s.opts, s.phone, s.line, s.relogged, s.status, s.pauseTypes = opts, in.Phone, in.Line, false, status, pauseTypes
	s.sessCtx, s.sessCancel = context.WithCancel(context.Background())
	if resp.MustChangePassword {
		s.applyLocked(InputLoginNeedsNewPassword, "", "Your password must be changed before you continue", nil)
	} else {
		s.applyLocked(InputLoginOK, "", "", nil)
	}
	s.mu.Unlock()
	s.notify.flush()
	s.poke()
	log.WithFields(logrus.Fields{"remembered": p.Remembered, "mustChange": p.MustChangePassword, "signedInWith": p.SignedInWith}).Info("agent: logged in")
	return p, nil
}

// savePassword saves the password in the keyring, recording in p how it went.
func (s *Session) savePassword(ctx context.Context, origin, user, password string, p *Profile) {
	err := s.creds.Set(ctx, origin, user, password)
	switch {
	case err == nil:
		p.Remembered = true
	case errors.Is(err, credstore.ErrUnavailable):
		p.RememberUnavailable = true
		p.Warnings = append(p.Warnings, "Your password cannot be remembered on this computer, so you will type it at the next login: "+err.Error())
	default:
		p.Warnings = append(p.Warnings, "Your password could not be remembered: "+err.Error())
	}
	if err != nil {
		p.RememberErr = err
		s.log.WithField("error", err.Error()).Warn("agent: password not remembered")
	}
}

// endQuietly ends a half-made session on the server, best effort.
func (s *Session) endQuietly(cl Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = cl.Logout(ctx)
	cl.CloseIdleConnections()
}

// AutoLogin logs in with the server and user remembered in the settings and the password saved in
// the keyring. It makes at most one attempt: a password the server refuses is removed from the
// keyring and gives a *SavedPasswordRejectedError asking the agent to type it. Other errors:
// ErrNoSavedLogin, *NoSavedPasswordError, keyring errors (credstore.ErrUnavailable), the settings
// file's *config.CorruptError, and those of Login.
func (s *Session) AutoLogin(ctx context.Context) (Profile, error) {
	st, err := s.cfg.Load()
	if err != nil {
		return Profile{}, err
	}
	if !st.RememberMe || st.ServerURL == "" || st.Username == "" {
		return Profile{}, ErrNoSavedLogin
	}
	pw, err := s.creds.Get(ctx, st.ServerURL, st.Username)
	switch {
	case errors.Is(err, credstore.ErrNotFound):
		return Profile{}, &NoSavedPasswordError{Server: st.ServerURL, User: st.Username}
	case err != nil:
		return Profile{}, fmt.Errorf("The saved password cannot be read, type it to log in: %w", err)
	}
	p, err := s.login(ctx, LoginInput{Server: st.ServerURL, User: st.Username, Password: pw}, rememberKeep)
	if errors.Is(err, motion.ErrInvalidCredentials) {
		s.forget(ctx, st.ServerURL, st.Username)
		return Profile{}, &SavedPasswordRejectedError{Server: st.ServerURL, User: st.Username, Err: err}
	}
	return p, err
}

// forget deletes the saved password and clears the remember flag.
func (s *Session) forget(ctx context.Context, server, user string) error {
	err := s.creds.Delete(ctx, server, user)
	if errors.Is(err, credstore.ErrNotFound) {
		err = nil
	}
	if uerr := s.cfg.Update(func(st *config.Settings) error {
		if st.ServerURL == server && st.Username == user {
			st.RememberMe = false
		}
		return nil
	}); uerr != nil && err == nil {
		err = uerr
	}
	return err
}

// Logout ends the session on the server and here. The session is logged out here even when the
// server cannot be told (the error says so). Logging out when logged out does nothing.
func (s *Session) Logout(ctx context.Context) error {
	s.mu.Lock()
	if !s.state.HasSession() {
		s.mu.Unlock()
		return nil
	}
	cl := s.client
	gen := s.gen
	s.applyLocked(InputLogoutStart, "", "", nil)
	s.sessCancel()
	s.mu.Unlock()
	s.notify.flush()

	err := cl.Logout(ctx)
	cl.CloseIdleConnections()
	s.mu.Lock()
	if s.gen == gen {
		s.clearLocked()
		s.applyLocked(InputLogoutDone, "", "", nil)
	}
	s.mu.Unlock()
	s.notify.flush()
	if err != nil && !errors.Is(err, motion.ErrUnauthorized) {
		return fmt.Errorf("Logged out here, but the server could not be told: %w", err)
	}
	return nil
}

// LogoutAndForget logs out and deletes the saved password of the session's (or else the
// remembered) server and user, and clears the remember flag.
func (s *Session) LogoutAndForget(ctx context.Context) error {
	s.mu.Lock()
	server, user := s.server, s.user
	s.mu.Unlock()
	lerr := s.Logout(ctx)
	if server == "" {
		st, err := s.cfg.Load()
		if err != nil {
			return errors.Join(lerr, err)
		}
		server, user = st.ServerURL, st.Username
	}
	var ferr error
	if server != "" && user != "" {
		ferr = s.forget(ctx, server, user)
	}
	return errors.Join(lerr, ferr)
}

// WebCode asks the server for a one-time code that logs a browser in as the session's user
// (motion.PathAuthWebCode): the Omni Desktop of an agent who signed in with a provider. Errors:
// ErrNotLoggedIn, and the client's.
func (s *Session) WebCode(ctx context.Context) (string, error) {
	s.mu.Lock()
	cl := s.client
	ok := s.state.HasSession() && cl != nil
	s.mu.Unlock()
	if !ok {
		return "", ErrNotLoggedIn
	}
	return cl.WebCode(ctx)
}

// TrustFingerprint pins the certificate fingerprint fp (in any form tlspin.Parse reads) for the
// server at address server; the next login to it accepts that certificate.
func (s *Session) TrustFingerprint(server string, fp tlspin.Fingerprint) error {
	u, err := motion.ParseServerURL(server)
	if err != nil {
		return err
	}
	clean, err := tlspin.Parse(string(fp))
	if err != nil {
		return err
	}
	origin := motion.Origin(u)
	s.log.WithFields(logrus.Fields{"server": origin, "fingerprint": clean.Pretty()}).Info("agent: certificate trusted")
	return s.cfg.Update(func(st *config.Settings) error {
		if st.Pins == nil {
			st.Pins = map[string]tlspin.Fingerprint{}
		}
		st.Pins[origin] = clean
		return nil
	})
}

// ChangePassword changes the password of the session's user. After a login that required it, the
// session goes on (realtime) and the new password is remembered if remembering was asked. Errors:
// ErrNotLoggedIn, motion's *APIError (motion.ErrPasswordRules with the broken rules).
func (s *Session) ChangePassword(ctx context.Context, oldPassword, newPassword string) (Profile, error) {
	s.mu.Lock()
	if !s.state.HasSession() {
		s.mu.Unlock()
		return Profile{}, ErrNotLoggedIn
	}
	cl, gen, server, user := s.client, s.gen, s.server, s.user
	required, remembered := s.state == StatePasswordChange, s.profile.Remembered || s.remember
	s.mu.Unlock()

	if err := cl.ChangePassword(ctx, oldPassword, newPassword); err != nil {
		return Profile{}, err
	}
	var who *motion.User
	var status Status
	var pauseTypes []motion.PauseType
	if required {
		u, err := cl.Whoami(ctx)
		if err != nil {
			return Profile{}, err
		}
		who = &u
		status, pauseTypes = s.readStatus(ctx, cl, false, s.log)
	}
	var p Profile
	if remembered {
		s.savePassword(ctx, server, user, newPassword, &p)
	}
	s.mu.Lock()
	defer s.notify.flush()
	defer s.mu.Unlock()
	if s.gen != gen || !s.state.HasSession() {
		return Profile{}, ErrNotLoggedIn
	}
	if who != nil {
		np := makeProfile(server, *who, motion.LoginResponse{})
		np.Warnings, np.Phone, np.LicenseExpiresAt = s.profile.Warnings, s.profile.Phone, s.profile.LicenseExpiresAt
		s.profile, s.sip = np, who.SIP
		status.LoggedInAt = s.status.LoggedInAt // the session began at the login
		s.status, s.pauseTypes = status, pauseTypes
	}
	s.profile.MustChangePassword = false
	s.profile.PasswordExpiresInDays = nil
	s.profile.Remembered = p.Remembered
	s.profile.RememberUnavailable = p.RememberUnavailable
	s.profile.RememberErr = p.RememberErr
	s.profile.Warnings = append(s.profile.Warnings, p.Warnings...)
	s.remember = false
	if required {
		s.applyLocked(InputPasswordChanged, "", "", nil)
		defer s.poke()
	}
	out := s.profile
	out.Warnings = append([]string(nil), out.Warnings...)
	return out, nil
}

// ForgotPassword asks the server at address server to email a password-reset link to email (the
// server answers the same whether or not it knows the address). It needs no session; the server's
// pinned certificate is used.
func (s *Session) ForgotPassword(ctx context.Context, server, email string) error {
	u, err := motion.ParseServerURL(server)
	if err != nil {
		return err
	}
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") {
		return ErrBadEmail
	}
	cl, err := s.clientWithoutSession(u)
	if err != nil {
		return err
	}
	defer cl.CloseIdleConnections()
	return cl.ForgotPassword(ctx, email)
}

// clientWithoutSession makes a client for a call that needs no login (forgot password, the
// providers), with the server's pinned certificate.
func (s *Session) clientWithoutSession(u *url.URL) (Client, error) {
	st, err := s.cfg.Load()
	if err != nil {
		return nil, err // never without the server's pin
	}
	opts := motion.Options{BaseURL: u, Pin: st.Pins[motion.Origin(u)], Roots: s.roots, Logger: s.log}
	if s.clientOpt != nil {
		s.clientOpt(&opts)
	}
	return s.newClient(opts)
}

// Providers lists the single sign-on providers (motion.ProviderGoogle,
// motion.ProviderActiveDirectory) the server at address server offers, so that the login screen
// shows their buttons; none when the server offers none or has no such route. It needs no session;
// the server's pinned certificate is used.
func (s *Session) Providers(ctx context.Context, server string) ([]string, error) {
	u, err := motion.ParseServerURL(server)
	if err != nil {
		return nil, err
	}
	cl, err := s.clientWithoutSession(u)
	if err != nil {
		return nil, err
	}
	defer cl.CloseIdleConnections()
	return cl.Providers(ctx)
}

// apply moves the session of login gen by in; work of an older login is ignored.
func (s *Session) apply(gen uint64, in Input, reason, msg string, cause error) bool {
	s.mu.Lock()
	ok := s.gen == gen && s.applyLocked(in, reason, msg, cause)
	s.mu.Unlock()
	s.notify.flush()
	return ok
}

// applyLocked moves the state by in and queues the change for OnChange. s.mu is held.
func (s *Session) applyLocked(in Input, reason, msg string, cause error) bool {
	next, err := Transition(s.state, in)
	if err != nil {
		s.log.WithField("error", err.Error()).Debug("agent: ignored")
		return false
	}
	if next == s.state && in != InputRealtimeDown {
		return true
	}
	ch := Change{From: s.state, To: next, Input: in, Reason: reason, Message: msg, Err: cause}
	s.state = next
	s.log.WithFields(logrus.Fields{"from": ch.From.String(), "to": ch.To.String(), "input": in.String(), "reason": reason}).Info("agent: state")
	s.notify.push(ch)
	return true
}

// clearLocked forgets the session's client and secrets. s.mu is held.
func (s *Session) clearLocked() {
	if s.sessCancel != nil {
		s.sessCancel()
	}
	s.client, s.sip, s.remember, s.profile = nil, nil, false, Profile{}
}

// poke wakes Run.
func (s *Session) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
