package credstore

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotFound says no password is saved for that server and user.
var ErrNotFound = errors.New("no saved password")

// ErrUnavailable says the OS keyring cannot be used: no D-Bus session, no Secret Service running, a
// locked or missing collection, a refused access. Logging in still works; remembering the password
// does not.
var ErrUnavailable = errors.New("the system keyring is not available")

// ErrTooBig says the secret is longer than the OS keyring accepts (see TooBigError).
var ErrTooBig = errors.New("the password is too long for the system keyring")

// TooBigError gives the sizes behind ErrTooBig. It never carries the secret.
type TooBigError struct {
	// Keyring names the OS keyring ("Windows Credential Manager", "macOS Keychain").
	Keyring string
	// Size is the number of bytes that would be stored; Limit the most the keyring takes (0:
	// unknown).
	Size, Limit int
}

func (e *TooBigError) Error() string {
	if e.Limit <= 0 {
		return fmt.Sprintf("the password is too long for the %s (%d bytes): it cannot be remembered, type it at each login", e.Keyring, e.Size)
	}
	return fmt.Sprintf("the password is too long for the %s (%d bytes, at most %d): it cannot be remembered, type it at each login", e.Keyring, e.Size, e.Limit)
}

// Is makes errors.Is(err, ErrTooBig) true.
func (e *TooBigError) Is(target error) bool { return target == ErrTooBig }

// UnavailableError explains ErrUnavailable: what failed, a hint for the platform, and the keyring's
// own error (which never holds the secret: the store checks).
type UnavailableError struct {
	// Op is "read", "save", "delete" or "check".
	Op    string
	Hint  string
	Cause error
}

func (e *UnavailableError) Error() string {
	s := fmt.Sprintf("the system keyring is not available (%s failed", e.Op)
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	s += ")"
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	return s
}

// Unwrap returns the keyring's error.
func (e *UnavailableError) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// ErrTimeout says the OS keyring did not answer in time (see TimeoutError). It also matches
// ErrUnavailable: the login goes on without the keyring.
var ErrTimeout = errors.New("the system keyring did not answer in time")

// TimeoutError says a keyring call passed its deadline: the keyring is frozen, or waits for a prompt
// nobody sees. The call goes on in the background; until it ends, later calls fail at once with
// Pending set.
type TimeoutError struct {
	// Op is "read", "save", "delete" or "check".
	Op string
	// After is the Keyring's deadline per call.
	After time.Duration
	// Pending says an earlier call still hangs, so this one was not sent to the keyring.
	Pending bool
}

func (e *TimeoutError) Error() string {
	what := fmt.Sprintf("the system keyring did not answer within %s (%s)", e.After, e.Op)
	if e.Pending {
		what = fmt.Sprintf("the system keyring has still not answered an earlier request (%s not sent)", e.Op)
	}
	return what + ": it may be frozen or waiting for a password prompt; unlock or restart it (or log out of the desktop and in again). " +
		"You can still log in by typing your password"
}

// Is makes errors.Is(err, ErrTimeout) and errors.Is(err, ErrUnavailable) true.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout || target == ErrUnavailable }
