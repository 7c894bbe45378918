package agent

import (
	"errors"
	"fmt"
	"strings"

	"github.com/phonebar/phonebar/internal/motion"
)

// Sentinel errors of the agent session.
var (
	// ErrIllegalTransition: an input that the state machine does not allow in the current state.
	ErrIllegalTransition = errors.New("illegal session transition")
	// ErrMissingCredentials: the login name or the password is empty.
	ErrMissingCredentials = errors.New("agent: missing username or password")
	// ErrBusy: a login is already in flight, or a session is open (log out first).
	ErrBusy = errors.New("agent: already logged in or logging in")
	// ErrNotLoggedIn: the call needs a session.
	ErrNotLoggedIn = errors.New("agent: not logged in")
	// ErrNoLineChoice: only an external agent without Hot Desk chooses where calls ring (SetLine),
	// among motion.LineInternal, LinePhone and LineMobile.
	ErrNoLineChoice = errors.New("agent: no line to choose for this agent")
	// ErrNoSavedLogin: AutoLogin found no remembered server and user in the settings.
	ErrNoSavedLogin = errors.New("agent: no remembered login")
	// ErrNoSavedPassword: the keyring holds no password for the remembered server and user.
	ErrNoSavedPassword = errors.New("no saved password")
	// ErrSavedPasswordRejected: the server refused the saved password (see
	// *SavedPasswordRejectedError).
	ErrSavedPasswordRejected = errors.New("the saved password was refused")
	// ErrAlreadyRunning: Run was called while another Run is going.
	ErrAlreadyRunning = errors.New("the session is already running")
	// ErrBadEmail: ForgotPassword was given something that is not an email address.
	ErrBadEmail = errors.New("agent: not an email address")
	// ErrClosed: the session was closed.
	ErrClosed = errors.New("the session is closed")
)

// NoSavedPasswordError says which login has no saved password.
type NoSavedPasswordError struct {
	Server, User string
}

func (e *NoSavedPasswordError) Error() string {
	return fmt.Sprintf("No password is saved for %s on %s: type your password to log in", e.User, e.Server)
}

// Is makes errors.Is(err, ErrNoSavedPassword) true.
func (e *NoSavedPasswordError) Is(target error) bool { return target == ErrNoSavedPassword }

// SavedPasswordRejectedError says the server refused the password saved in the keyring. The saved
// password was tried once only and has been removed from the keyring so that it is not tried again
// (which could lock the account).
type SavedPasswordRejectedError struct {
	Server, User string
	// Err is the server's answer (a *motion.APIError matching motion.ErrInvalidCredentials).
	Err error
}

func (e *SavedPasswordRejectedError) Error() string {
	return fmt.Sprintf("agent: the saved password of %s on %s was refused, removed from the keyring: %v", e.User, e.Server, e.Err)
}

// Unwrap returns the server's answer.
func (e *SavedPasswordRejectedError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrSavedPasswordRejected) true.
func (e *SavedPasswordRejectedError) Is(target error) bool { return target == ErrSavedPasswordRejected }

// PhoneRequiredError says a hot-desk agent must pick a telephone: log in again with
// LoginInput.Phone set to one of Phones (the server's list, already filtered by availability).
type PhoneRequiredError struct {
	Phones []motion.Phone
	// Err is the server's answer (PHONE_REQUIRED, or PHONE_UNAVAILABLE when the one picked was taken).
	Err error
}

func (e *PhoneRequiredError) Error() string {
	return fmt.Sprintf("agent: a telephone must be picked (available: %s): %v", strings.Join(PhoneNames(e), ", "), e.Err)
}

// PhoneNames lists the telephones of a *PhoneRequiredError in err, or nil.
func PhoneNames(err error) []string {
	var pe *PhoneRequiredError
	if !errors.As(err, &pe) {
		return nil
	}
	out := make([]string, 0, len(pe.Phones))
	for _, p := range pe.Phones {
		out = append(out, p.Name)
	}
	return out
}

// Unwrap returns the server's answer.
func (e *PhoneRequiredError) Unwrap() error { return e.Err }
