package app

import (
	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/omni"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/station"
)

// core is what the bound services share: the agent's workstation (internal/station, which holds
// every decision) and the emitter its changes go out through as the window's events.
type core struct {
	log        *logrus.Logger
	emit       Emitter
	st         *station.Station
	quit, show func()                    // close the window, bring it to the front (set by Run)
	place      func() (omni.Place, bool) // where the window is (set by Run)
}

func newCore(opts Options, emit Emitter) (*core, error) {
	c := &core{log: opts.Logger, emit: emit}
	st, err := station.New(station.Options{Demo: opts.Demo, DemoListen: opts.DemoListen, Logger: opts.Logger, Launch: opts.Launch, Logs: opts.Logs, Hooks: station.Hooks{
		Session:  func() { emit.Emit(EventSession, c.view()) },
		Omni:     func(open bool) { emit.Emit(EventOmni, c.omniView(open)) },
		Phone:    func(p station.Phone) { emit.Emit(EventPhone, p.View()) },
		Incoming: func(cv desk.CallView) { emit.Notify("Incoming call", "From "+station.CallerOf(cv)) },
		History:  func() { emit.Emit(EventHistory, nil) },
		Devices:  func(d station.Devices) { emit.Emit(EventAudio, audioView(d)) },
		MicLevel: func(l audio.Level) { emit.Emit(EventMicLevel, MicLevel{RMSDBFS: l.RMSDBFS, PeakDBFS: l.PeakDBFS}) },
		MicCheck: func(r audio.CheckResult) { emit.Emit(EventMicCheck, micCheckView(r)) },
		Show:     func() { c.show() },
		Place:    func() (omni.Place, bool) { return c.place() },
	}})
	if err != nil {
		return nil, err
	}
	c.st = st
	return c, nil
}

func (c *core) bindings() []any {
	return []any{&Session{c: c}, &Omni{c: c}, &Audio{c: c}, &Phone{c: c}, &Diagnostics{c: c}}
}

// view maps the session's status to the SessionView: the whole view, the same that Session.View
// returns and the session event carries.
func (c *core) view() SessionView {
	s := c.st.Status()
	v := SessionView{Server: s.Server, Username: s.Username, Remember: s.Remember, Notice: s.Notice, Notices: []NoticeView{}, PauseTypes: []motion.PauseType{}}
	if s.SettingsErr != nil {
		v.SettingsProblem = problem.Of(s.SettingsErr).Message // the window shows which file and what to do
	}
	if s.KeyringErr != nil {
		v.RememberNote = problem.RememberOff(s.KeyringErr)
	} else {
		v.RememberAvailable = true
	}
	if s.Demo != nil {
		v.Demo = &DemoView{Server: s.Demo.Server, Logins: s.Demo.Logins}
	}
	v.State, v.Connection = s.State.Screen(), s.State.Connection()
	if !s.State.HasSession() {
		return v
	}
	p := s.Profile
	v.Agent = &AgentView{Name: p.Name, Fullname: p.Fullname, Role: p.Role, Typology: p.Typology, Internal: p.Internal, Phone: p.Phone, Line: p.Line,
		ChooseLine: p.ChooseLine, PhoneNumber: p.PhoneNumber, MobileNumber: p.MobileNumber}
	v.Ready, v.NeedCurrentPassword = s.Ready, s.NeedCurrentPassword
	v.ControlAPI = s.ControlAPI
	v.Status, v.PauseTypes = &StatusView{Ready: s.Agent.Ready, SinceMs: s.Agent.Since.UnixMilli(), LoggedInMs: s.Agent.LoggedInAt.UnixMilli()}, s.PauseTypes
	if pt := s.Agent.PauseType; pt != nil {
		v.Status.PauseTypeID, v.Status.PauseType = pt.ID, pt.Name
	}
	for _, n := range s.Notices {
		nv := NoticeView{ID: n.ID, Text: n.Text, Days: n.Days}
		if n.ChangePassword {
			nv.Action = "change-password"
		}
		v.Notices = append(v.Notices, nv)
	}
	return v
}
