package app

import (
	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/motion"
)

// Pause pauses the agent with one of the server's pause reasons (SessionView.PauseTypes; 0:
// without a reason). An unknown reason is refused with the ones there are (UNKNOWN_PAUSE_TYPE).
func (s *Session) Pause(pauseTypeID int) (SessionView, error) {
	return s.after(s.c.st.Pause(s.c.st.Life(), pauseTypeID))
}

// statusView maps the agent's status and the server's pause types to the window's DTOs.
func statusView(st agent.Status, types []motion.PauseType) (*StatusView, []PauseTypeView) {
	v := &StatusView{Ready: st.Ready, SinceMs: st.Since.UnixMilli(), LoggedInMs: st.LoggedInAt.UnixMilli()}
	if st.PauseType != nil {
		v.PauseTypeID, v.PauseType = st.PauseType.ID, st.PauseType.Name
	}
	out := make([]PauseTypeView, 0, len(types))
	for _, pt := range types {
		out = append(out, PauseTypeView{ID: pt.ID, Name: pt.Name})
	}
	return v, out
}
