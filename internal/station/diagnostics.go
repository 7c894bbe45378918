package station

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/diagnostics"
	"github.com/phonebar/phonebar/internal/doctor"
	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// LogSettings are the log's settings as the Doctor page shows them.
type LogSettings struct {
	// Level is the log file's level, one of Levels.
	Level  string   `json:"level"`
	Levels []string `json:"levels"`
	// SIPTrace says every SIP message is written to the trace (secrets redacted).
	SIPTrace bool `json:"sipTrace"`
	// Folder is the log folder; empty when the logs go to the console only.
	Folder string `json:"folder"`
}

// LogSettings returns the log's settings in force.
func (s *Station) LogSettings() LogSettings {
	v := LogSettings{Level: "info", Levels: config.LogLevels}
	if s.logs == nil {
		return v
	}
	v.Level, v.SIPTrace, v.Folder = s.logs.FileLevel().String(), s.logs.SIPTraceOn(), s.logs.Dir()
	if v.Level == "warning" {
		v.Level = "warn"
	}
	return v
}

// SetLogSettings changes the log file's level and the SIP trace at once, and keeps them in the
// settings.
func (s *Station) SetLogSettings(level string, sipTrace bool) (LogSettings, error) {
	lvl, err := diagnostics.ParseLevel(level)
	if err != nil {
		return s.LogSettings(), &problem.Problem{Code: problem.CodeUsage, Message: "Choose a log level among " + strings.Join(config.LogLevels, ", ") + "."}
	}
	if err := s.cfg.Update(func(st *config.Settings) error {
		st.Log.Level, st.Log.SIPTraceOff = level, !sipTrace
		return nil
	}); err != nil {
		return s.LogSettings(), err
	}
	if s.logs != nil {
		s.logs.SetLevel(lvl)
		s.logs.SetSIPTrace(sipTrace)
		s.log.WithField("level", level).WithField("sip_trace", sipTrace).Info("log settings changed")
	}
	return s.LogSettings(), nil
}

// Doctor runs the checks of phonebar doctor (internal/doctor) from the login screen: with server,
// user and password as typed in the login form, each empty one taken from the saved login (the
// password from the keyring). The report is kept for the diagnostics bundle. While an agent is
// logged in it uses the session instead (see sessionDoctor): a login of its own would end it.
func (s *Station) Doctor(ctx context.Context, server, user, password string) (doctor.Report, error) {
	st, err := s.cfg.Load()
	if err != nil {
		return doctor.Report{}, err // never without the saved pins
	}
	if s.agent.State().HasSession() {
		return s.sessionDoctor(ctx, st), nil
	}
	if server == "" {
		server = st.ServerURL
	}
	if user == "" {
		user = st.Username
	}
	if server == "" {
		return doctor.Report{}, &problem.Problem{Code: problem.CodeMissing, Message: "Type the server's address in the login form, then run the doctor."}
	}
	if password == "" && user != "" {
		if u, err := motion.ParseServerURL(server); err == nil {
			pw, err := s.creds.Get(ctx, motion.Origin(u), user)
			if err != nil && !errors.Is(err, credstore.ErrNotFound) {
				s.log.WithField("code", problem.Of(err).Code).Info("doctor: no saved password")
			}
			password = pw
		}
	}
	if password == "" {
		user = "" // the doctor then says how far it got without a login
	}
	opts := doctor.Options{Server: server, User: user, Password: password, Settings: st, SettingsPath: s.cfg.Path(),
		EchoTarget: "*43", Audio: s.audio, AllowLoopback: true}
	if s.logs != nil {
		s.logs.Secret(password)
		opts.Logger, opts.SIPTrace = slog.New(logging.SlogHandler(s.log.WithField("proc", "doctor"))), s.logs.SIPTrace
	}
	return s.runDoctor(ctx, opts), nil
}

// sessionDoctor runs the doctor while the agent is logged in: with the session's server, its SIP
// account and the window's phone as they are (doctor.Options.Session), neither logging in again
// nor registering a second phone. The microphone and speaker are left alone during a call.
func (s *Station) sessionDoctor(ctx context.Context, st config.Settings) doctor.Report {
	p := s.agent.Profile()
	se := &doctor.Session{Who: fmt.Sprintf("%s (%s), typology %s", p.Name, p.Fullname, p.Typology)}
	if acc, ok := s.agent.SIPAccount(); ok {
		var pin tlspin.Fingerprint
		if u, err := url.Parse(acc.WSURI); err == nil {
			pin = st.Pins["https://"+u.Host]
		}
		a := phone.AccountFromMotion(acc, pin)
		se.Account = &a
		state, explain := s.Phone().Registration()
		se.Registered, se.Registration = state == "registered", explain
		if explain == "" {
			se.Registration = "it is " + state + "."
		}
	}
	opts := doctor.Options{Server: p.Server, Settings: st, SettingsPath: s.cfg.Path(), Session: se, AllowLoopback: true}
	if s.LiveCalls() == 0 {
		opts.Audio = s.audio
	}
	if s.logs != nil {
		opts.Logger = slog.New(logging.SlogHandler(s.log.WithField("proc", "doctor")))
	}
	return s.runDoctor(ctx, opts)
}

// runDoctor runs the doctor and keeps its report for the diagnostics bundle.
func (s *Station) runDoctor(ctx context.Context, opts doctor.Options) doctor.Report {
	rep := doctor.Run(ctx, opts)
	if s.logs != nil {
		if err := diagnostics.SaveDoctor(s.logs.Dir(), rep); err != nil {
			s.log.WithError(err).Warn("the doctor's report was not kept for the diagnostics bundle")
		}
	}
	return rep
}

// SaveDiagnostics writes the diagnostics bundle (internal/diagnostics) under a new name in the
// Downloads folder (else the home folder) and returns its path. Nothing is ever replaced.
func (s *Station) SaveDiagnostics(ctx context.Context) (string, error) {
	dir, err := diagnostics.DefaultDir()
	if err != nil {
		return "", &problem.Problem{Code: problem.CodeWriteFailed, Message: "No folder to save the diagnostics in: " + err.Error()}
	}
	src := diagnostics.Sources{Settings: s.cfg, History: s.history, Audio: s.audio, Secrets: []string{s.handoffPassword()}}
	if s.logs != nil {
		src.LogDir = s.logs.Dir()
	}
	path, err := diagnostics.SaveNew(ctx, dir, src)
	if err != nil {
		return "", &problem.Problem{Code: problem.CodeWriteFailed, Message: "The diagnostics could not be saved: " + err.Error() + "."}
	}
	s.log.WithField("path", path).Info("diagnostics saved")
	return path, nil
}

// traceCalls gives the softphone the SIP trace, the secrets to redact and this installation's RFC
// 5626 instance ID (config.Store.InstanceID), so that after a restart the registrar replaces this
// desk's registration instead of keeping a stale one.
func (s *Station) traceCalls(cfg *phone.Config) {
	id, err := s.cfg.InstanceID()
	if err != nil {
		s.log.WithError(err).Warn("no instance ID kept: the phone uses one for this session")
	}
	cfg.InstanceID = id
	if s.logs == nil {
		return
	}
	s.logs.Secret(cfg.Account.Password)
	for _, ice := range cfg.Account.ICEServers {
		s.logs.Secret(ice.Credential)
	}
	cfg.SIPTrace = s.logs.SIPTrace
}
