//go:build linux

package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestWindowDemoWithoutKeyring is the first view of the demo on a desktop without a keyring (no
// D-Bus session bus, as in a bare SSH or CI shell): the login form says in one line that the
// password cannot be remembered and that typing it still works, the Remember me box is greyed out,
// and the demo logins stay in view under the form at the default size; at the minimum size the
// note and Log in are in view, the demo logins below (the login page scrolls).
//
// Screenshots go to PHONEBAR_SHOTS (nokeyring-WxH.png).
func TestWindowDemoWithoutKeyring(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/phonebar-test-bus")
	shots := shotsDir(t)
	app := startApp(t, t.TempDir(), "--demo")
	win := app.waitUI(t)
	xdo(t, "windowmove", win, "0", "0")
	for _, size := range barSizes {
		xdo(t, "windowsize", win, fmt.Sprint(size.w), fmt.Sprint(size.h))
		app.waitState(t, "the login form at the size", 10*time.Second, func(s uiState) bool {
			return s.Screen == "login" && s.Layout.VW == size.w && s.Layout.VH == size.h && s.Layout.Els["remember-note"].W > 0
		})
		// At the default size the demo logins are in view below the form; at the minimum one they
		// are the next thing the page scrolls to.
		inView := []string{"remember-note", "login"}
		if size.w == 400 {
			inView = append(inView, "demo-login")
		}
		s := requireInView(t, app, inView...)
		assert.Zero(t, s.Layout.ScrollY)
		screenshot(t, shots, fmt.Sprintf("nokeyring-%dx%d", size.w, size.h))
	}
}
