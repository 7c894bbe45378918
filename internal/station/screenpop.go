package station

import (
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/screenpop"
)

// screenPop opens the page the settings' screenPop.url makes of a ringing call, in the system's
// web browser (or Options.OpenURL), off the desk's goroutine. Settings that cannot be read open
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
	go func() {
		if err := open(u); err != nil {
			s.log.WithError(err).Warn("screen pop: the page could not be opened")
			return
		}
		s.log.WithField("call", cv.ID).Info("screen pop opened")
	}()
}
