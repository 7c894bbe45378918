package rtc

import "github.com/pion/webrtc/v4"

// PeerConnection exposes a session's PeerConnection to the hold tests.
func PeerConnection(s *Session) *webrtc.PeerConnection { return s.pc }
