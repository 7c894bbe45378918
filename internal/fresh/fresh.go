// Package fresh holds a value that stands for a while and then lapses: the microphone check's
// verdict that lets the agent go ready without a new check (internal/readiness), the sign-in code a
// server keeps for the agent's answer (internal/agent). Its zero value is empty.
package fresh

import (
	"sync"
	"time"
)

// Clock is a swappable time source; nil means time.Now.
type Clock func() time.Time

// Now returns the clock's time.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}

// Value is one value that stands until its time is up. It is safe for concurrent use; the zero
// value is empty. The caller passes the time (from its Clock), so that one clock serves a type.
type Value[T any] struct {
	mu    sync.Mutex
	v     T
	until time.Time
	set   bool
}

// Set makes v stand until until.
func (f *Value[T]) Set(v T, until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.v, f.until, f.set = v, until, true
}

// Get returns the value while it stands at now; ok is false when none was set, it was cleared, or
// its time is up.
func (f *Value[T]) Get(now time.Time) (v T, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.set || !now.Before(f.until) {
		return v, false
	}
	return f.v, true
}

// Take is Get, and clears the value: it is handed out once.
func (f *Value[T]) Take(now time.Time) (v T, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.set && now.Before(f.until) {
		v, ok = f.v, true
	}
	f.clearLocked()
	return v, ok
}

// Clear drops the value.
func (f *Value[T]) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clearLocked()
}

func (f *Value[T]) clearLocked() {
	var zero T
	f.v, f.until, f.set = zero, time.Time{}, false
}
