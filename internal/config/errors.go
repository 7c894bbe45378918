package config

import (
	"errors"
	"fmt"
	"time"
)

// ErrCorrupt is matched (errors.Is) by a *CorruptError: the settings file exists but cannot be read as
// settings.
var ErrCorrupt = errors.New("the settings file is damaged")

// ErrUnreadable is matched by the error of a settings file that exists but cannot be read (access
// refused, an I/O error).
var ErrUnreadable = errors.New("the settings file cannot be read")

// ErrLocked says another process held the settings file's lock for longer than LockTimeout.
var ErrLocked = errors.New("the settings file is busy")

// errLockBusy is tryLock's "held by someone else".
var errLockBusy = errors.New("lock held")

// ErrInvalid is matched by every validation error of Settings.Validate.
var ErrInvalid = errors.New("invalid settings")

// CorruptError says which settings file cannot be read and what the user can do about it. The file is
// left as it is: Save refuses to overwrite it, and Recover moves it aside to Backup.
type CorruptError struct {
	// Path is the settings file.
	Path string
	// Backup is where Recover keeps the damaged file.
	Backup string
	// Cause is the parse or read error.
	Cause error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("the settings file %s is damaged (%v). Nothing was changed in it and nothing will be written "+
		"over it: fix it in a text editor, or rename it to %s to start from default settings "+
		"(server certificates you trusted must then be trusted again)", e.Path, e.Cause, e.Backup)
}

// Unwrap returns the cause.
func (e *CorruptError) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// UnreadableError says the settings file exists but cannot be read.
type UnreadableError struct {
	Path  string
	Cause error
}

func (e *UnreadableError) Error() string {
	return fmt.Sprintf("the settings file %s cannot be read (%v): check that it belongs to you and that you may read it", e.Path, e.Cause)
}

// Unwrap returns the cause.
func (e *UnreadableError) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrUnreadable) true.
func (e *UnreadableError) Is(target error) bool { return target == ErrUnreadable }

// LockedError says the settings file's lock was not free within the wait.
type LockedError struct {
	Path string
	Wait time.Duration
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("the settings file %s stayed locked by another Phonebar process for %s: nothing was saved; close the other Phonebar (window or command) and try again", e.Path, e.Wait)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }
