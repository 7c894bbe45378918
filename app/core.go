package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/omni"
	"github.com/phonebar/phonebar/internal/policy"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/readiness"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// core holds what the bound services share: settings, keyring, the agent session, the Omni Desktop
// launcher and, in demo mode, the embedded demo server. Who starts a goroutine here stops it in close.
type core struct {
	log      *logrus.Logger
	emit     Emitter
	cfg      *config.Store
	creds    *credstore.Keyring
	agent    *agent.Session
	omni     *omni.Launcher
	audio    *audio.Host
	history  *history.Store
	demo     *DemoView
	stopDemo func()
	// life is the app's life: every bound method's context derives from it, and it is cancelled
	// when the window shuts down (end), so that nothing started by the window outlives it.
	life context.Context
	end  context.CancelFunc
	// cancel stops the session and device watch that newCore started; done is closed once both
	// returned.
	cancel  context.CancelFunc
	done    chan struct{}
	mic     readiness.Microphone
	notices agent.Notices
	signIns agent.SignIns

	keyringOnce sync.Once
	keyringErr  error

	mu     sync.Mutex
	desk   *desk.Desk // the WebRTC agent's desk of calls while the session lasts
	notice string
	// phoneErr is why the softphone did not start (damaged settings, a refused ws:// address).
	phoneErr error
	// historyErr says a damaged call history was kept aside (shown with the phone until restart).
	historyErr error
	// handoff is the password of the current session, kept in memory only, for the Omni Desktop
	// login. It is cleared when the session ends.
	handoff struct{ server, user, password string }
}

func newCore(opts Options, emit Emitter) (*core, error) {
	log := opts.Logger
	path, err := config.DefaultPath()
	if err != nil {
		return nil, fmt.Errorf("cannot find the settings folder: %w", err)
	}
	// The machine policy (internal/policy) applies over the user's settings; a refused policy file
	// stops the start with a message naming its bad keys.
	cfg, err := policy.SettingsStore(path)
	if err != nil {
		return nil, err
	}
	c := &core{
		log: log, emit: emit, cfg: cfg, creds: credstore.NewKeyring(), audio: audio.New(audio.Options{}),
		history: history.NewStore(filepath.Join(filepath.Dir(path), "history.json")), done: make(chan struct{}),
	}
	c.life, c.end = context.WithCancel(context.Background())
	c.omni = omni.NewLauncher(omni.LauncherOptions{
		Logger: log,
		OnExit: func(err error) {
			if err != nil {
				log.WithError(err).Warn("omni: the Omni Desktop window ended with an error")
			}
			c.emit.Emit(EventOmni, OmniView{Open: false})
		},
	})
	if opts.Demo {
		if err := c.startDemo(filepath.Dir(path), opts.DemoListen); err != nil {
			return nil, err
		}
	}
	c.agent, err = agent.New(agent.Deps{
		Creds:    c.creds,
		Config:   c.cfg,
		Logger:   log,
		OnChange: c.onChange,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := c.agent.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.WithError(err).Warn("agent session stopped")
		}
	}()
	go func() {
		defer wg.Done()
		c.watchDevices(ctx)
	}()
	go func() {
		wg.Wait()
		close(c.done)
	}()
	return c, nil
}

// startDemo runs the embedded demo server and pins its certificate: the app made that certificate
// itself, so trusting it needs no prompt.
func (c *core) startDemo(configDir, listen string) error {
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	seed := motionsim.DefaultConfig()
	logins := seed.DemoLogins() // before New, which hashes the seed's passwords
	srv, err := motionsim.New(motionsim.Options{Config: seed, DataDir: filepath.Join(configDir, "demo-server"), Logger: c.log.WithField("proc", "demo-server")})
	if err != nil {
		return fmt.Errorf("demo server: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ep, err := srv.Start(ctx, listen)
	if err != nil {
		cancel()
		return fmt.Errorf("demo server: %w", err)
	}
	c.stopDemo = func() { cancel(); _ = srv.Close() }
	if err := c.cfg.Update(func(s *config.Settings) error {
		if s.Pins == nil {
			s.Pins = map[string]tlspin.Fingerprint{}
		}
		s.Pins[ep.URL] = ep.Fingerprint
		return nil
	}); err != nil {
		c.stopDemo()
		return fmt.Errorf("demo server: saving its certificate pin: %w", err)
	}
	c.demo = &DemoView{Server: ep.URL, Logins: logins}
	c.log.WithField("url", ep.URL).WithField("fingerprint", ep.Fingerprint.Pretty()).Info("demo server started")
	return nil
}

func (c *core) bindings() []any {
	return []any{&Session{c: c}, &Omni{c: c}, &Audio{c: c}, &Phone{c: c}}
}

// close logs out (so that the next start is not refused as a second session), stops the session,
// the Omni Desktop window and the demo server, and waits for them.
func (c *core) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.end()
	_ = c.omni.Close(ctx)
	c.stopPhone()
	if c.agent.State().HasSession() {
		if err := c.agent.Logout(ctx); err != nil {
			c.log.WithError(err).Warn("logout at quit failed")
		}
	}
	c.cancel()
	_ = c.agent.Close()
	<-c.done
	_ = c.audio.Close()
	if c.stopDemo != nil {
		c.stopDemo()
	}
}

// keyringStatus probes the OS keyring once.
func (c *core) keyringStatus() error {
	c.keyringOnce.Do(func() {
		ctx, cancel := context.WithTimeout(c.life, 5*time.Second)
		defer cancel()
		c.keyringErr = c.creds.Probe(ctx)
		if c.keyringErr != nil {
			c.log.WithError(c.keyringErr).Warn("the OS keyring cannot be used: remember me is off")
		}
	})
	return c.keyringErr
}

// onChange receives every session change, in order, off the session's lock.
func (c *core) onChange(ch agent.Change) {
	if ch.To.HasSession() && ch.To != agent.StatePasswordChange {
		c.startPhone()
	}
	if !ch.To.HasSession() {
		c.stopPhone()
		c.mu.Lock()
		c.handoff.server, c.handoff.user, c.handoff.password = "", "", ""
		if ch.Message != "" {
			c.notice = ch.Message
		}
		c.mu.Unlock()
		if c.omni.IsOpen() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = c.omni.Close(ctx)
			cancel()
		}
	}
	c.emit.Emit(EventSession, c.view())
}

// view builds the SessionView from the session and the settings: the whole view, the same that
// Session.View returns and the session event carries.
func (c *core) view() SessionView { return c.decorate(c.baseView()) }

// baseView is the view without what the login adds (decorate).
func (c *core) baseView() (v SessionView) {
	st, err := c.cfg.Load()
	if err != nil {
		c.log.WithError(err).Warn("settings unreadable")
	}
	defer func() {
		if err != nil {
			v.SettingsProblem = problem.Of(err).Message // the window shows which file and what to do
		}
	}()
	v = SessionView{Server: st.ServerURL, Username: st.Username, Remember: st.RememberMe, Demo: c.demo}
	if kerr := c.keyringStatus(); kerr != nil {
		v.RememberNote = "Remember me is off: " + problem.Of(kerr).Message
	} else {
		v.RememberAvailable = true
	}
	if c.demo != nil && v.Server == "" {
		v.Server = c.demo.Server
	}
	state := c.agent.State()
	switch {
	case state == agent.StateLoggingIn:
		v.State = "logging-in"
	case state.HasSession():
		p := c.agent.Profile()
		v.State = "logged-in"
		v.Server, v.Username = p.Server, p.Name
		v.Agent = &AgentView{Name: p.Name, Fullname: p.Fullname, Role: p.Role, Typology: p.Typology, Internal: p.Internal}
		v.Ready = c.agent.Ready()
		switch state {
		case agent.StateLoggedIn:
			v.Connection = "connected"
		case agent.StateReconnecting:
			v.Connection = "reconnecting"
		}
	default:
		v.State = "logged-out"
	}
	c.mu.Lock()
	v.Notice = c.notice
	c.mu.Unlock()
	return v
}

// loggedIn keeps the session's password in memory for the Omni Desktop login.
func (c *core) loggedIn(p agent.Profile, password string) {
	c.mu.Lock()
	c.handoff.server, c.handoff.user, c.handoff.password = p.Server, p.Name, password
	c.mu.Unlock()
}

func (c *core) clearNotice() {
	c.mu.Lock()
	c.notice = ""
	c.mu.Unlock()
}

// phonebarOwnsPhone says whether the Phonebar's own softphone is the agent's phone (it runs for a
// WebRTC agent while the session lasts), so that the Omni Desktop must not register another one.
func (c *core) phonebarOwnsPhone() bool { return c.currentDesk() != nil }

// phoneOwner says in a sentence which one is the agent's phone.
func (c *core) phoneOwner() string {
	p := c.agent.Profile()
	if p.Typology != motion.TypologyWebRTC {
		return ""
	}
	if c.phonebarOwnsPhone() {
		return "Your phone is the Phonebar; the Omni Desktop does not register a second one."
	}
	return "Your phone is the Omni Desktop's WebRTC bar."
}

// settingsOrDefault reads the settings for a device choice: when they cannot be read the defaults
// serve (the window's notice says why; nothing is written over the file).
func (c *core) settingsOrDefault(what string) config.Settings {
	st, err := c.cfg.Load()
	if err != nil {
		c.log.WithField("code", problem.Of(err).Code).Warn("settings unreadable: default devices for " + what)
		return config.Default()
	}
	return st
}

// decorate adds to the core's view what the login shows: the password-change state, the
// notices, the hot-desk telephone.
func (c *core) decorate(v SessionView) SessionView {
	v.Notices = []NoticeView{}
	st := c.agent.State()
	if !st.HasSession() {
		return v
	}
	if st == agent.StatePasswordChange {
		v.State = "password-change"
	}
	p := c.agent.Profile()
	if v.Agent != nil {
		v.Agent.Phone, v.Agent.Line = p.Phone, p.Line
	}
	v.NeedCurrentPassword = c.handoffPassword() == ""
	for _, n := range c.notices.For(p, time.Now()) {
		nv := NoticeView{ID: n.ID, Text: n.Text, Days: n.Days}
		if n.ChangePassword {
			nv.Action = "change-password"
		}
		v.Notices = append(v.Notices, nv)
	}
	return v
}
