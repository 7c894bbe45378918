package station

import "encoding/json"

// uiMarks are the marks the window may log (the fault figures read them).
var uiMarks = map[string]bool{"banner-shown": true, "banner-hidden": true}

// maxUIState bounds what UIState logs.
const maxUIState = 4096

// UIMark logs a moment of the window (the connection banner shown or hidden), so that tests
// measure what the agent sees rather than what the session thinks. Other marks are ignored.
func (s *Station) UIMark(what string) {
	if uiMarks[what] {
		s.log.WithField("what", what).Info("ui mark")
	}
}

// UIState logs the window's published state (frontend/src/state.ts: the screen, the focused
// element's id, the calls' states; never what the agent typed) as one JSON line, so that the window
// tests wait for what the agent sees rather than for sleeps. Anything but JSON of at most 4 KiB is
// ignored.
func (s *Station) UIState(state string) {
	if len(state) <= maxUIState && json.Valid([]byte(state)) {
		s.log.WithField("state", state).Info("ui state")
	}
}
