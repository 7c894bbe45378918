package problem

import (
	"errors"

	"github.com/phonebar/phonebar/internal/credstore"
)

// RememberOff is the one line the login form shows when the keyring cannot keep the password: what
// is missing and what still works. The keyring's own error (a D-Bus object path, a daemon's answer)
// is for the log, where the station writes it, never for this line.
func RememberOff(err error) string {
	if errors.Is(err, credstore.ErrTimeout) {
		return "The system keyring does not answer, so Remember me is off: you can still log in by typing your password (details in the log)."
	}
	return "No system keyring on this computer, so Remember me is off: you can still log in by typing your password (details in the log)."
}
