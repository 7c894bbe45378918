package agent

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/phonebar/phonebar/internal/fresh"
	"github.com/phonebar/phonebar/internal/motion"
)

// DefaultSignInCodeTTL is how long a sign-in code the server kept (after SESSION_EXISTS or
// PHONE_REQUIRED) is used again for the agent's answer; the server keeps it two minutes.
const DefaultSignInCodeTTL = 100 * time.Second

// ErrSignInRunning is returned by SignIns.Begin while a sign-in window is open.
var ErrSignInRunning = errors.New("agent: a sign-in is already running")

// SignIns runs one single sign-on at a time and keeps its one-time code when the server refused
// the login with a question for the agent (another session, a telephone to pick): the agent's
// answer reuses the same code instead of signing in again. Its zero value is ready to use.
type SignIns struct {
	// TTL is how long a kept code is reused; zero means DefaultSignInCodeTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now fresh.Clock

	mu     sync.Mutex
	cancel context.CancelFunc
	kept   fresh.Value[keptCode]
}

// keptCode is a sign-in code kept for the agent's answer, with the sign-in it belongs to.
type keptCode struct{ origin, provider, code string }

// Begin starts a sign-in with provider on the server at origin; cancel stops it (Cancel calls it).
// It returns the code kept for this origin and provider, "" when there is none (then sign in
// again), or ErrSignInRunning. A kept code is handed out once. Call End when the sign-in is over.
func (s *SignIns) Begin(origin, provider string, cancel context.CancelFunc) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return "", ErrSignInRunning
	}
	s.cancel = cancel
	if k, ok := s.kept.Take(s.Now.Now()); ok && k.origin == origin && k.provider == provider {
		return k.code, nil
	}
	return "", nil
}

// End ends the sign-in Begin started. When the login with code failed with err and the server kept
// the code for the agent's answer (motion.ErrSessionExists, ErrPhoneRequired,
// ErrPhoneUnavailable), the code is kept for the next Begin with the same origin and provider.
func (s *SignIns) End(origin, provider, code string, err error) {
	ttl := s.TTL
	if ttl == 0 {
		ttl = DefaultSignInCodeTTL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancel = nil
	if code != "" && (errors.Is(err, motion.ErrSessionExists) || errors.Is(err, motion.ErrPhoneRequired) || errors.Is(err, motion.ErrPhoneUnavailable)) {
		s.kept.Set(keptCode{origin, provider, code}, s.Now.Now().Add(ttl))
	}
}

// Cancel stops the sign-in in progress, if any.
func (s *SignIns) Cancel() {
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}
