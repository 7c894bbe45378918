package station

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/controlapi"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/instance"
	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/omni"
	"github.com/phonebar/phonebar/internal/policy"
	"github.com/phonebar/phonebar/internal/readiness"
)

// Keyring is where remembered passwords live (*credstore.Keyring).
type Keyring interface {
	credstore.Store
	// Probe says whether the keyring can be used at all.
	Probe(ctx context.Context) error
}

// Options configures a Station. Zero values are documented per field.
type Options struct {
	// SettingsPath is the settings file; "" means config.DefaultPath. The machine policy
	// (internal/policy) applies over it; the history lives next to it.
	SettingsPath string
	// Keyring keeps remembered passwords; nil means the OS keyring.
	Keyring Keyring
	// Audio is the sound system; nil means audio.New with its defaults. Close closes it.
	Audio *audio.Host
	// NewClient makes the Motion client; nil means the real one.
	NewClient agent.ClientFactory
	// Demo starts the embedded Motion-compatible demo server and pins its certificate.
	Demo bool
	// DemoListen is the demo server's address; "" means 127.0.0.1:0 (a free port).
	DemoListen string
	// OpenURL opens a screen pop's page (internal/screenpop); nil: the system's web browser.
	OpenURL func(url string) error
	// Launch is how this start came: the instance it claimed (answered until Close) and the
	// link it was given; zero: no instance channel, no link.
	Launch Launch
	// Hooks receive the station's changes; nil fields drop them.
	Hooks Hooks
	// Logger receives logs; nil means logrus.StandardLogger().
	Logger *logrus.Logger
	// Logs are the log files (level, SIP trace, secrets to redact); nil: no files, no SIP trace.
	Logs *logging.Logs
}

// Hooks are told what changed. Each is called off the station's locks.
type Hooks struct {
	// Session: the session, its connection or what the login shows changed (read Status).
	Session func()
	// Omni: the Omni Desktop window opened or closed.
	Omni func(open bool)
	// Phone: the softphone's registration or a call changed.
	Phone func(Phone)
	// Incoming: a call started ringing.
	Incoming func(desk.CallView)
	// History: an ended call was written to the history.
	History func()
	// Devices: a sound device came or went.
	Devices func(Devices)
	// MicLevel: one reading of the microphone meter while a check listens.
	MicLevel func(audio.Level)
	// MicCheck: a microphone check finished.
	MicCheck func(audio.CheckResult)
	// Show: another start of the Phonebar (a clicked link) asks for the window in front.
	Show func()
	// Place says where the bar's window is, for the Omni Desktop to open beside it (false: unknown).
	Place func() (omni.Place, bool)
}

// Station is the agent's workstation. Make one with New; Close stops it.
type Station struct {
	log     *logrus.Logger
	logs    *logging.Logs // nil in tests without log files
	hooks   Hooks
	cfg     *config.Store
	creds   Keyring
	agent   *agent.Session
	omni    *omni.Launcher
	audio   *audio.Host
	sound   sound // audio, or a fake in tests
	history *history.Store
	demo    *Demo
	// life is cancelled by Close: every action's context derives from it.
	life context.Context
	end  context.CancelFunc
	// stop ends the session's Run and the device watch (after the logout at Close); done is closed
	// once both returned.
	stop    context.CancelFunc
	done    chan struct{}
	mic     readiness.Microphone
	notices agent.Notices
	signIns agent.SignIns

	keyringOnce sync.Once
	keyringErr  error
	// closeConfirmed: the agent confirmed closing the window during a call (quit.go).
	closeConfirmed atomic.Bool
	openURL        func(string) error // Options.OpenURL
	// instance answers later starts of the Phonebar (Options.Launch) until Close.
	instance *instance.Server
	// autoRetry spaces the automatic login's attempts after network failures.
	autoRetry agent.LoginRetry

	mu     sync.Mutex
	desk   *desk.Desk         // while a WebRTC agent's session lasts
	api    *controlapi.Server // the local control API, while it runs (syncControlAPI)
	apiErr error              // why it does not run although it should
	notice string
	// link is the link handed over last (handoff.go): waiting for the phone, or what the bar says.
	link struct{ pending, notice string }
	// phoneErr is why the softphone did not start (damaged settings, a refused ws:// address).
	phoneErr error
	// historyErr says a damaged call history was kept aside (shown with the phone until restart).
	historyErr error
	// watchers are told of every change (Watch).
	watchers []func()
	// handoff is the password of the current session, kept in memory only, for the Omni Desktop
	// login. It is cleared when the session ends.
	handoff struct{ server, user, password string }
}

// New opens the settings (refusing a bad machine policy with a message naming its keys), starts the
// demo server when asked, and starts the agent session and the device watch.
func New(opts Options) (*Station, error) {
	log := opts.Logger
	if log == nil {
		log = logrus.StandardLogger()
	}
	path := opts.SettingsPath
	if path == "" {
		p, err := config.DefaultPath()
		if err != nil {
			return nil, fmt.Errorf("cannot find the settings folder: %w", err)
		}
		path = p
	}
	cfg, err := policy.SettingsStore(path)
	if err != nil {
		return nil, err
	}
	s := &Station{log: log, logs: opts.Logs, hooks: opts.Hooks, cfg: cfg, creds: opts.Keyring, audio: opts.Audio, openURL: opts.OpenURL,
		history: history.NewStore(filepath.Join(filepath.Dir(path), "history.json")), done: make(chan struct{})}
	if s.creds == nil {
		s.creds = credstore.NewKeyring()
	}
	if s.audio == nil {
		s.audio = audio.New(audio.Options{})
	}
	s.sound = s.audio
	s.life, s.end = context.WithCancel(context.Background())
	s.omni = omni.NewLauncher(omni.LauncherOptions{
		Logger: log,
		OnExit: func(err error) {
			if err != nil {
				log.WithError(err).Warn("omni: the Omni Desktop window ended with an error")
			}
			if s.hooks.Omni != nil {
				s.hooks.Omni(false)
			}
		},
	})
	if opts.Demo {
		if s.demo, err = StartDemo(cfg, filepath.Dir(path), opts.DemoListen, log); err != nil {
			s.end()
			return nil, err
		}
	}
	s.agent, err = agent.New(agent.Deps{NewClient: opts.NewClient, Creds: s.creds, Config: cfg, Logger: log, OnChange: s.onChange})
	if err != nil {
		s.end()
		if s.demo != nil {
			s.demo.Close()
		}
		return nil, err
	}
	run, stop := context.WithCancel(context.Background())
	s.stop = stop
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := s.agent.Run(run); err != nil && !errors.Is(err, context.Canceled) {
			log.WithError(err).Warn("agent session stopped")
		}
	}()
	go func() {
		defer wg.Done()
		s.watchDevices(run)
	}()
	go func() {
		wg.Wait()
		close(s.done)
	}()
	s.launch(opts.Launch)
	return s, nil
}

// Life is the station's life: cancelled when the window shuts down or Close is called, so that
// nothing a front end started outlives it.
func (s *Station) Life() context.Context { return s.life }

// Shutdown cancels Life: the actions still running give up. Close does it too.
func (s *Station) Shutdown() { s.end() }

// Agent is the agent session.
func (s *Station) Agent() *agent.Session { return s.agent }

// Settings is the settings store.
func (s *Station) Settings() *config.Store { return s.cfg }

// History is the call history.
func (s *Station) History() *history.Store { return s.history }

// Demo is the embedded demo server, nil when the station runs without one.
func (s *Station) Demo() *Demo { return s.demo }

// Close logs out (so that the next start is not refused as a second session), stops the Omni
// Desktop window, the softphone, the session, the device watch and the demo server, and waits for
// them.
func (s *Station) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.end()
	if s.instance != nil {
		_ = s.instance.Close()
	}
	_ = s.omni.Close(ctx)
	s.stopControlAPI()
	s.stopPhone()
	if s.agent.State().HasSession() {
		if err := s.agent.Logout(ctx); err != nil {
			s.log.WithError(err).Warn("logout at quit failed")
		}
	}
	s.stop()
	_ = s.agent.Close()
	<-s.done
	_ = s.audio.Close()
	if s.demo != nil {
		s.demo.Close()
	}
}

// keyringStatus probes the OS keyring once.
func (s *Station) keyringStatus() error {
	s.keyringOnce.Do(func() {
		ctx, cancel := context.WithTimeout(s.life, 5*time.Second)
		defer cancel()
		s.keyringErr = s.creds.Probe(ctx)
		if s.keyringErr != nil {
			s.log.WithError(s.keyringErr).Warn("the OS keyring cannot be used: remember me is off")
		}
	})
	return s.keyringErr
}

// onChange receives every session change, in order, off the session's lock: the softphone runs
// while the session lasts, and the session's password and the Omni Desktop window end with it.
func (s *Station) onChange(ch agent.Change) {
	if ch.To.HasSession() && ch.To != agent.StatePasswordChange {
		s.startPhone()
		s.settleQueued()
	}
	if !ch.To.HasSession() {
		s.stopPhone()
		s.mu.Lock()
		s.handoff.server, s.handoff.user, s.handoff.password = "", "", ""
		if ch.Message != "" {
			s.notice = ch.Message
		}
		s.mu.Unlock()
		if s.omni.IsOpen() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = s.omni.Close(ctx)
			cancel()
		}
	}
	s.syncControlAPI()
	s.sessionChanged()
}

func (s *Station) sessionChanged() {
	if s.hooks.Session != nil {
		s.hooks.Session()
	}
	s.changed()
}

// Watch adds fn to what is told, after the Hooks, of every change of the session, the agent's
// status or the phone (registration and calls). fn is called off the station's locks and must not
// block: it reads what it needs (Status, Phone) later, on its own goroutine.
func (s *Station) Watch(fn func()) {
	s.mu.Lock()
	s.watchers = append(s.watchers, fn)
	s.mu.Unlock()
}

func (s *Station) changed() {
	s.mu.Lock()
	ws := s.watchers
	s.mu.Unlock()
	for _, fn := range ws {
		fn()
	}
}
