package rtc

// Hold and resume change only which way audio flows: the offer and answer of the re-INVITE carry
// a new direction over the same transport (ICE credentials, DTLS fingerprint, candidates), so the
// PeerConnection is never renegotiated; its descriptions and its transceiver's direction stay as
// the call's first offer/answer left them. What changes is whether the send loop sends and the
// playout plays, and the session version of our next SDP.
//
// Our own change is a transaction: Hold makes the offer and changes nothing; ApplyAnswerDirection
// applies it once the other side accepted; CancelHold forgets it when the other side refused or
// never answered, so the media goes on exactly as before.

// proposal is our offered direction, waiting for the other side's answer.
type proposal struct {
	dir     string
	version uint64
	// restart is the offer of an ICE restart (restart.go), nil for a change of direction.
	restart []byte
}

// Hold returns the offer of a re-INVITE that puts the call on hold (dir SendOnly: we keep
// sending, e.g. music; Inactive: nothing flows) or resumes it (SendRecv). Nothing changes until
// ApplyAnswerDirection applies the answer; CancelHold drops the offer. A new Hold replaces an offer
// still waiting.
func (s *Session) Hold(dir string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.local == nil || (s.proposed != nil && s.proposed.restart != nil) {
		return nil, ErrState
	}
	version := s.version + 1
	sdp, err := withDirection(s.local, dir, version)
	if err != nil {
		return nil, err
	}
	s.proposed = &proposal{dir: dir, version: version}
	return sdp, nil
}

// ApplyAnswerDirection applies our offer from Hold, as the other side's answer to it allows: we
// send only if both our offer and their answer let audio flow our way, and likewise for receiving.
// Without an offer waiting it returns ErrState; with an unreadable answer, ErrBadSDP or ErrNoAudio
// and the offer stays waiting (CancelHold drops it).
func (s *Session) ApplyAnswerDirection(answer []byte) error {
	dir, err := Direction(answer)
	if err != nil {
		return err
	}
	ours := Reverse(dir)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.proposed
	if p == nil || p.restart != nil {
		return ErrState
	}
	s.proposed = nil
	s.version = p.version
	s.sending = sends(p.dir) && sends(ours)
	s.receiving = receives(p.dir) && receives(ours)
	return nil
}

// CancelHold drops the offer Hold or RestartOffer made: the other side refused it or never
// answered, and the media stays as it was (after a restart offer, pion's description is rolled
// back; its ICE agent keeps the new credentials, which no answer will ever match, on the path
// that was gone already).
func (s *Session) CancelHold() {
	s.mu.Lock()
	p := s.proposed
	s.proposed = nil
	s.mu.Unlock()
	if p != nil && p.restart != nil {
		s.rollbackLocal()
	}
}

// Flowing reports whether the media sends and plays audio now (both false while held both ways).
func (s *Session) Flowing() (sending, receiving bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sending, s.receiving
}

// Reoffer answers an offer the other side makes during the call: hold or resume, whose answer has
// the reverse direction and the same transport and applies at once, or an ICE restart (new ICE
// credentials: the other side moved to another network), which moves the media to the addresses
// of the offer and of the candidates gathered now (restart.go). An offer with a new DTLS
// fingerprint (a new association, new keys) returns ErrRenegotiation and changes nothing.
func (s *Session) Reoffer(offer []byte) ([]byte, error) {
	tr, err := transportOf(offer)
	if err != nil {
		return nil, err
	}
	dir, err := Direction(offer)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	if s.local == nil {
		s.mu.Unlock()
		return nil, ErrState
	}
	if tr.fingerprint != s.remote.fingerprint {
		s.mu.Unlock()
		return nil, ErrRenegotiation
	}
	if tr.ice != s.remote.ice {
		if s.proposed != nil || s.offer != nil {
			s.mu.Unlock()
			return nil, ErrState // an offer of ours waits: the signalling answers 491
		}
		s.mu.Unlock()
		return s.answerRestart(offer, tr, dir)
	}
	defer s.mu.Unlock()
	ours := Reverse(dir)
	s.version++
	sdp, err := withDirection(s.local, ours, s.version)
	if err != nil {
		return nil, err
	}
	s.sending = sends(ours)
	s.receiving = receives(ours)
	return sdp, nil
}

func sends(dir string) bool    { return dir == SendRecv || dir == SendOnly }
func receives(dir string) bool { return dir == SendRecv || dir == RecvOnly }
