package credstore

import (
	"errors"
	"fmt"
	"os"

	"github.com/godbus/dbus/v5"
)

// keyringName names the OS keyring in messages.
const keyringName = "Secret Service"

// unavailableHint tells a Linux user what is missing.
const unavailableHint = "Phonebar needs a Secret Service (GNOME Keyring or KWallet) running and unlocked in the desktop session " +
	"to remember your password; you can still log in by typing it"

// noBusHint tells a Linux user without a session bus what to do.
const noBusHint = "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and none was found in XDG_RUNTIME_DIR), " +
	"so there is no Secret Service to keep your password; Phonebar starts none itself. Log in from a desktop session, " +
	"or start one for this shell with dbus-run-session; you can still log in by typing the password"

// checkSize: the Secret Service has no practical limit.
func checkSize(_, _, _ string) error { return nil }

// errNoSessionBus is the cause of an *UnavailableError when no session bus exists.
var errNoSessionBus = errors.New("no D-Bus session bus")

// checkBus reports an *UnavailableError when the OS keyring's D-Bus session bus does not exist. The
// D-Bus library behind the keyring would otherwise "autolaunch" one with dbus-launch, and the
// dbus-daemon and gnome-keyring-daemon it starts outlive the command: every headless login would
// leave two more processes behind. An address that is set is left to the keyring call to use (a
// dead one fails at once with "connection refused").
func checkBus(op string) error {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	// Finds a bus the way the library does ($XDG_RUNTIME_DIR/bus, .../dbus-session), never
	// launching one.
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return &UnavailableError{Op: op, Hint: noBusHint, Cause: fmt.Errorf("%w: %v", errNoSessionBus, err)}
	}
	_ = conn.Close()
	return nil
}
