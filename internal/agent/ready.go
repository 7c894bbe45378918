package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
)

// ErrMicrophoneNeeded: a WebRTC agent may not go ready before the microphone is known to work
// (see *MicrophoneNeededError).
var ErrMicrophoneNeeded = errors.New("the microphone must work before a WebRTC agent can go ready")

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

// ErrUnknownPauseType: a pause names a pause type the server did not list (see
// *UnknownPauseTypeError).
var ErrUnknownPauseType = errors.New("agent: no such pause type")

// UnknownPauseTypeError refuses a pause with a pause type the server does not have.
type UnknownPauseTypeError struct {
	ID int
	// Known are the server's pause types.
	Known []motion.PauseType
}

func (e *UnknownPauseTypeError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("agent: no pause type %d: the server has none, pause without a reason", e.ID)
	}
	names := make([]string, 0, len(e.Known))
	for _, pt := range e.Known {
		names = append(names, fmt.Sprintf("%d (%s)", pt.ID, pt.Name))
	}
	return fmt.Sprintf("agent: no pause type %d: the server has %s", e.ID, strings.Join(names, ", "))
}

// Is makes errors.Is(err, ErrUnknownPauseType) true.
func (e *UnknownPauseTypeError) Is(target error) bool { return target == ErrUnknownPauseType }

// Status is the agent's availability as the server last said it, with what the timers count from.
// The zero value is "paused, without a reason, since an unknown time" (logged out).
type Status struct {
	Ready bool
	// PauseType is the reason of a pause; nil when ready, or paused without a reason.
	PauseType *motion.PauseType
	// Since is when the status began; LoggedInAt when the session began.
	Since, LoggedInAt time.Time
}

// request is the status request that puts this status back.
func (st Status) request() motion.AgentStatusRequest {
	r := motion.AgentStatusRequest{Ready: st.Ready}
	if !st.Ready && st.PauseType != nil {
		r.PauseTypeID = st.PauseType.ID
	}
	return r
}

// clone copies st, so that the caller cannot change the session's pause type.
func (st Status) clone() Status {
	if st.PauseType != nil {
		pt := *st.PauseType
		st.PauseType = &pt
	}
	return st
}

// StatusFrom reads a server's answer at now (this computer's clock): a time the server leaves
// out, or puts ahead of now, is now (timers never count down).
func StatusFrom(st motion.AgentStatus, now time.Time) Status {
	out := Status{Ready: st.Ready, Since: st.Since, LoggedInAt: st.LoggedInAt}
	if st.PauseType != nil && !st.Ready {
		pt := *st.PauseType
		out.PauseType = &pt
	}
	if out.Since.IsZero() || out.Since.After(now) {
		out.Since = now
	}
	if out.LoggedInAt.IsZero() || out.LoggedInAt.After(out.Since) {
		out.LoggedInAt = out.Since
	}
	return out
}

// readStatus reads the status and pause types of a new session. A server that does not answer
// them leaves the agent paused from now, with no pause types: the login goes on.
func (s *Session) readStatus(ctx context.Context, cl Client, mustChange bool, log logrus.FieldLogger) (Status, []motion.PauseType) {
	now := s.clock.Now()
	fallback := Status{Since: now, LoggedInAt: now}
	if mustChange {
		return fallback, nil // the token is only good for the password change; read after it
	}
	st, err := cl.Status(ctx)
	status := fallback
	if err != nil {
		log.WithField("error", err.Error()).Info("agent: the server did not say the agent's status")
	} else {
		status = StatusFrom(st, now)
	}
	types, err := cl.PauseTypes(ctx)
	if err != nil {
		log.WithField("error", err.Error()).Info("agent: the server did not list its pause types")
	}
	return status, types
}

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

// SetReady makes the agent ready to take contacts, or paused without a reason, on the server,
// after ReadyGate with micVerdict allows it (pausing is always allowed). Errors:
// *MicrophoneNeededError, ErrNotLoggedIn, and the client's.
func (s *Session) SetReady(ctx context.Context, ready bool, micVerdict string) error {
	return s.setStatus(ctx, motion.AgentStatusRequest{Ready: ready}, micVerdict)
}

// Pause pauses the agent with the pause type pauseTypeID, one of PauseTypes (0: without a
// reason). Errors: *UnknownPauseTypeError, ErrNotLoggedIn, and the client's.
func (s *Session) Pause(ctx context.Context, pauseTypeID int) error {
	if pauseTypeID != 0 {
		s.mu.Lock()
		known := slices.Clone(s.pauseTypes)
		s.mu.Unlock()
		if !slices.ContainsFunc(known, func(pt motion.PauseType) bool { return pt.ID == pauseTypeID }) {
			return &UnknownPauseTypeError{ID: pauseTypeID, Known: known}
		}
	}
	return s.setStatus(ctx, motion.AgentStatusRequest{PauseTypeID: pauseTypeID}, "")
}

func (s *Session) setStatus(ctx context.Context, req motion.AgentStatusRequest, micVerdict string) error {
	s.mu.Lock()
	cl, gen, typology := s.client, s.gen, s.profile.Typology
	ok := s.state.HasSession() && cl != nil
	s.mu.Unlock()
	if !ok {
		return ErrNotLoggedIn
	}
	if req.Ready {
		if err := ReadyGate(typology, micVerdict); err != nil {
			return err
		}
	}
	st, err := cl.SetStatus(ctx, req)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if s.gen == gen {
		loggedIn := s.status.LoggedInAt
		s.status = StatusFrom(st, s.clock.Now())
		if st.LoggedInAt.IsZero() && !loggedIn.IsZero() {
			s.status.LoggedInAt = loggedIn
		}
	}
	s.mu.Unlock()
	s.log.WithFields(logrus.Fields{"ready": st.Ready, "pauseType": req.PauseTypeID}).Info("agent: status changed")
	return nil
}

// SetLine changes where the calls of an external agent without Hot Desk ring for the rest of the
// session (motion.LineInternal, LinePhone or LineMobile), and remembers it as this user's line for
// the next login here. Errors: ErrNoLineChoice, ErrNotLoggedIn, and the client's.
func (s *Session) SetLine(ctx context.Context, line string) error {
	s.mu.Lock()
	cl, gen, p, server, user := s.client, s.gen, s.profile, s.server, s.user
	ok := s.state.HasSession() && cl != nil
	s.mu.Unlock()
	if !ok {
		return ErrNotLoggedIn
	}
	if p.Typology != motion.TypologyExternal || p.Phone != "" ||
		(line != motion.LineInternal && line != motion.LinePhone && line != motion.LineMobile) {
		return ErrNoLineChoice
	}
	if err := cl.SetLine(ctx, line); err != nil {
		return err
	}
	s.mu.Lock()
	if s.gen == gen {
		s.line, s.profile.Line, s.profile.ChooseLine = line, line, false
	}
	s.mu.Unlock()
	if err := s.cfg.Update(func(st *config.Settings) error {
		if st.Lines == nil {
			st.Lines = map[string]string{}
		}
		st.Lines[config.LineKey(server, user)] = line
		return nil
	}); err != nil {
		s.log.WithField("error", err.Error()).Warn("agent: the line could not be saved for the next login")
	}
	s.log.WithField("line", line).Info("agent: line changed")
	return nil
}

// Ready reports whether the agent is ready in the current session.
func (s *Session) Ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status.Ready && s.state.HasSession()
}

// Status returns the agent's status in the current session (zero when logged out).
func (s *Session) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.state.HasSession() {
		return Status{}
	}
	return s.status.clone()
}

// PauseTypes returns the server's pause types, in its order (none when logged out, or from a
// server that has none).
func (s *Session) PauseTypes() []motion.PauseType {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.state.HasSession() {
		return nil
	}
	return slices.Clone(s.pauseTypes)
}
