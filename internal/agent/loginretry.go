package agent

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/phonebar/phonebar/internal/motion"
)

// LoginRetry decides whether and when the automatic login (the saved password, at start) is tried
// again after it failed. Only a network failure is retried: the server was not reached or did not
// answer, so no password attempt was counted against the lockout rules. A refused password, a
// locked account, a certificate to trust or anything the agent must answer is never retried. The
// waits grow with each failure in a row (Backoff: 2 s doubling to 60 s by default) and start again
// after a success. The zero value is ready to use; it is safe for concurrent use.
type LoginRetry struct {
	// Backoff spaces the attempts; zero fields: 2 s, doubling, at most 60 s, ±20 %.
	Backoff Backoff

	mu       sync.Mutex
	failures int
}

// RetryError is an automatic login's network failure with the wait before the next attempt.
type RetryError struct {
	Err   error
	After time.Duration
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("%v (trying again in %s)", e.Err, e.After.Round(time.Second))
}

func (e *RetryError) Unwrap() error { return e.Err }

// Retryable says whether err is a network failure of a login, worth trying again by itself.
func Retryable(err error) bool {
	return errors.Is(err, motion.ErrUnreachable) || errors.Is(err, motion.ErrTimeout)
}

// Failed records the automatic login's outcome: nil (a success) starts the waits again; a
// network failure comes back as a *RetryError with the wait before the next attempt (rnd in
// [0, 1) spreads it); any other error comes back as it is.
func (r *LoginRetry) Failed(err error, rnd float64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.failures = 0
		return nil
	}
	if !Retryable(err) {
		return err
	}
	b := r.Backoff
	if b.Initial <= 0 {
		b.Initial = 2 * time.Second
	}
	if b.Max <= 0 {
		b.Max = time.Minute
	}
	d := b.Delay(r.failures, rnd)
	r.failures++
	return &RetryError{Err: err, After: d}
}
