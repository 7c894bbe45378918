package config

import (
	"errors"
	"fmt"
)

// ErrCorrupt is matched (errors.Is) by a *CorruptError: the settings file exists but cannot be read as
// settings.
var ErrCorrupt = errors.New("the settings file is damaged")

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
	return fmt.Sprintf("the settings file %s is damaged (%v): fix it in a text editor or delete it; "+
		"otherwise Phonebar can start from default settings and keep the damaged file as %s", e.Path, e.Cause, e.Backup)
}

// Unwrap returns the cause.
func (e *CorruptError) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }
