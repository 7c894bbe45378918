package history

import (
	"errors"
	"fmt"
)

// ErrCorrupt is matched (errors.Is) by a *CorruptError: the history file exists but is not a call
// history.
var ErrCorrupt = errors.New("the call history is damaged")

// CorruptError says the history file is damaged, and where it is kept once moved aside. The damaged
// file is never overwritten.
type CorruptError struct {
	// Path is the history file.
	Path string
	// KeptAs is where the damaged file now is; empty while it is still at Path (List).
	KeptAs string
	// Cause is the parse error.
	Cause error
}

func (e *CorruptError) Error() string {
	if e.KeptAs == "" {
		return fmt.Sprintf("the call history %s is damaged (%v): it is left as it is; the next call starts a new history "+
			"and keeps the damaged file beside it (you may also fix or delete it yourself)", e.Path, e.Cause)
	}
	return fmt.Sprintf("the call history %s was damaged (%v): a new history was started and the damaged file is kept as %s "+
		"(delete it if you do not need the old calls)", e.Path, e.Cause, e.KeptAs)
}

// Unwrap returns the parse error.
func (e *CorruptError) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }
