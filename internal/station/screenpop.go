package station

import (
	"errors"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/omni"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/screenpop"
)

// screenPop opens the page the settings' screenPop.url makes of a ringing call, off the desk's
// goroutine: in the Omni Desktop window when screenPop.open says so and the window is open, in the
// system's web browser (or Options.OpenURL) otherwise. Settings that cannot be read open
// nothing (the window says why they cannot be read); the URL is never logged (it names the
// caller).
func (s *Station) screenPop(cv desk.CallView) {
	if cv.Direction != desk.DirectionIn {
		return
	}
	st, err := s.cfg.Load()
	if err != nil {
		s.log.WithField("code", problem.Of(err).Code).Warn("screen pop: settings unreadable, no page opened")
		return
	}
	tpl, err := screenpop.Parse(st.ScreenPop.URL)
	if err != nil || tpl.IsZero() {
		return // Load refuses a bad template already
	}
	u := tpl.Expand(screenpop.Vars{CallerNumber: screenpop.CallerNumber(cv.Remote), CallerName: cv.RemoteName,
		Agent: s.agent.Profile().Name, CallID: cv.ID})
	open := s.openURL
	if open == nil {
		open = screenpop.OpenInBrowser
	}
	toOmni := st.ScreenPop.Open == screenpop.OpenOmni
	go func() {
		if toOmni {
			err := s.omni.ShowPage(u)
			if err == nil {
				s.log.WithField("call", cv.ID).Info("screen pop shown in the Omni Desktop window")
				return
			}
			s.log.WithField("why", screenPopFallback(err)).Info("screen pop: opened in the browser instead of the Omni Desktop window")
		}
		if err := open(u); err != nil {
			s.log.WithError(err).Warn("screen pop: the page could not be opened")
			return
		}
		s.log.WithField("call", cv.ID).Info("screen pop opened")
	}()
}

// screenPopFallback says, for the log, why the page did not go to the Omni Desktop window (never
// the URL: it names the caller).
func screenPopFallback(err error) string {
	switch {
	case errors.Is(err, omni.ErrNotOpen):
		return "the Omni Desktop window is not open"
	case errors.Is(err, omni.ErrUnsupported):
		return "the Omni Desktop window cannot show pages on this system"
	}
	return "the Omni Desktop window did not take it"
}
