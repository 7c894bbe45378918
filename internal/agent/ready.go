package agent

import (
	"context"
	"errors"

	"github.com/phonebar/phonebar/internal/motion"
)

// ErrMicrophoneNeeded: a WebRTC agent may not go ready before the microphone is known to work
// (see *MicrophoneNeededError).
var ErrMicrophoneNeeded = errors.New("the microphone must work before a WebRTC agent can go ready")

// CodeMicrophoneNeeded is the code of ErrMicrophoneNeeded (see internal/problem).
const CodeMicrophoneNeeded = "MICROPHONE_NEEDED"

// MicrophoneNeededError says, in words the agent can act on, why the microphone blocks going ready.
type MicrophoneNeededError struct {
	// Verdict is the microphone check's verdict ("silent", "no microphone", "access denied",
	// "unknown", or "" when no check ran).
	Verdict string
}

func (e *MicrophoneNeededError) Error() string {
	switch e.Verdict {
	case "":
		return "Check your microphone first: as a WebRTC agent you take calls on this computer, and you cannot go ready until the microphone works"
	case "no microphone":
		return "No microphone was found: plug one in and check it again before you go ready (as a WebRTC agent you take calls on this computer)"
	case "access denied":
		return "The Phonebar may not use the microphone: allow it in your system's privacy settings, check it again, then go ready"
	case "silent":
		return "The microphone hears nothing: unmute it or choose another one, check it again, then go ready"
	}
	return "The microphone could not be checked: choose it again in Audio and check it before you go ready"
}

// Is makes errors.Is(err, ErrMicrophoneNeeded) true.
func (e *MicrophoneNeededError) Is(target error) bool { return target == ErrMicrophoneNeeded }

// ReadyGate says whether an agent of typology may go ready given the last microphone check's
// verdict (app.core.checkMicrophone gives it; "" when no check ran): a WebRTC agent needs a
// "working" microphone (Motion: WebRTC agents must allow the microphone, or they cannot take
// calls); every other typology's calls ring elsewhere, so nil. The bar's Ready control calls this
// before asking the server to go ready.
func ReadyGate(typology, micVerdict string) error {
	if typology != motion.TypologyWebRTC || micVerdict == "working" {
		return nil
	}
	return &MicrophoneNeededError{Verdict: micVerdict}
}

// SetReady makes the agent ready to take contacts, or not ready, on the server, after ReadyGate
// with micVerdict allows it (going not ready is always allowed). The status is part of the
// session: a new login starts not ready. Errors: *MicrophoneNeededError, ErrNotLoggedIn, and the
// client's.
func (s *Session) SetReady(ctx context.Context, ready bool, micVerdict string) error {
	s.mu.Lock()
	cl, gen, typology := s.client, s.gen, s.profile.Typology
	ok := s.state.HasSession() && cl != nil
	s.mu.Unlock()
	if !ok {
		return ErrNotLoggedIn
	}
	if ready {
		if err := ReadyGate(typology, micVerdict); err != nil {
			return err
		}
	}
	st, err := cl.SetReady(ctx, ready)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if s.gen == gen {
		s.ready = st.Ready
	}
	s.mu.Unlock()
	s.log.WithField("ready", st.Ready).Info("agent: status changed")
	return nil
}

// Ready reports whether the agent is ready in the current session.
func (s *Session) Ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ready && s.state.HasSession()
}
