package rtc

// RefreshOffer returns the offer of a re-INVITE that changes nothing in the session (the same
// transport and directions as now): a target refresh, which tells the other side our new Contact
// after the signalling moved to a new connection. Like Hold, nothing changes until
// ApplyAnswerDirection, and CancelHold drops it.
func (s *Session) RefreshOffer() ([]byte, error) {
	s.mu.Lock()
	dir := directionOf(s.sending, s.receiving)
	s.mu.Unlock()
	return s.Hold(dir)
}

// directionOf is the SDP direction of a media that sends and receives as told.
func directionOf(sending, receiving bool) string {
	switch {
	case sending && receiving:
		return SendRecv
	case sending:
		return SendOnly
	case receiving:
		return RecvOnly
	}
	return Inactive
}
