package credstore

import (
	"errors"
	"fmt"
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
