// Package testenv lets tests that need a real component (a display, the Secret Service, PulseAudio,
// Chromium, Kamailio) say so. Under `make test` (PHONEBAR_REQUIRE_REAL=1, set by .ci/with-services'
// callers) a missing component fails the test; in a bare `go test` it skips with the reason, so a
// developer without the services still gets the unit tests.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireRealEnv is the environment variable that turns missing components into failures.
const RequireRealEnv = "PHONEBAR_REQUIRE_REAL"

// Strict reports whether missing real components must fail tests.
func Strict() bool { return os.Getenv(RequireRealEnv) == "1" }

// Need stops the test when ok is false: a failure under Strict, a skip otherwise.
func Need(t testing.TB, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if Strict() {
		t.Fatalf("this test needs %s, which is missing (run it through `make test`, which starts it)", what)
	}
	t.Skipf("needs %s (run `make test` for the whole suite)", what)
}

// NeedCommand stops the test unless the named program is on PATH, and returns its path.
func NeedCommand(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	Need(t, err == nil, "the program "+name)
	return p
}

// NeedDisplay stops the test unless an X display is set.
func NeedDisplay(t testing.TB) {
	t.Helper()
	Need(t, os.Getenv("DISPLAY") != "", "an X display (DISPLAY)")
}

// NeedSessionBus stops the test unless a D-Bus session bus is set (the Secret Service lives there).
func NeedSessionBus(t testing.TB) {
	t.Helper()
	Need(t, os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "", "a D-Bus session bus with the Secret Service")
}

// NeedPulseAudio stops the test unless a PulseAudio server answers.
func NeedPulseAudio(t testing.TB) {
	t.Helper()
	NeedCommand(t, "pactl")
	Need(t, exec.Command("pactl", "info").Run() == nil, "a running PulseAudio server")
}
