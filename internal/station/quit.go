package station

// AskBeforeClose says whether closing the window now needs the agent's word first: a call is in
// progress (closing would end it) and the agent has not confirmed. The window asks, and on a yes
// calls ConfirmClose and closes again.
func (s *Station) AskBeforeClose() bool {
	if s.closeConfirmed.Load() {
		return false
	}
	return s.LiveCalls() > 0
}

// ConfirmClose records that the agent chose to close the window, ending the calls in progress.
func (s *Station) ConfirmClose() { s.closeConfirmed.Store(true) }

// LiveCalls counts the calls in progress (ringing, being dialled, active or on hold).
func (s *Station) LiveCalls() int {
	d := s.Desk()
	if d == nil {
		return 0
	}
	return len(d.View().Calls)
}
