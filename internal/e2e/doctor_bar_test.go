//go:build linux

package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/doctor"
)

// TestWindowDoctorFromTheBar: a WebRTC agent of the demo server, logged in, opens the Doctor from
// the bar's settings; it opens over the bar and runs the checks for the session as it is: the
// login and the window's registered phone are reported, not made again (a second login would end
// the session), STUN and TURN and the sound devices are checked, and there is no test call. When
// the Doctor closes, the agent is still logged in with the phone registered.
func TestWindowDoctorFromTheBar(t *testing.T) {
	d, home, _, logDir := doctorSetup(t)
	shots := shotsDir(t)

	app, win := openBar(t, d, home, 400, 660)
	key(t, win, "ctrl+comma")
	app.waitState(t, "the settings", 10*time.Second, func(s uiState) bool { return s.Sheet == "settings" })
	app.press(t, win, "settings-doctor", "Return")
	app.waitState(t, "the Doctor over the bar with its button focused", 10*time.Second, func(s uiState) bool {
		return s.Sheet == "doctor" && s.Screen == "doctor" && s.Focus == "doctor-run"
	})
	key(t, win, "Return")
	done := app.waitState(t, "the doctor's report", 90*time.Second, func(s uiState) bool {
		return s.Sheet == "doctor" && !s.Busy && s.Answers == 1
	})
	shot := screenshot(t, shots, "doctor-bar-01-report")

	rep := doctorReport(t, logDir)
	t.Logf("doctor report (screenshot %s):", shot)
	var names []string
	byName := map[string]doctor.Check{}
	for _, c := range rep.Checks {
		t.Logf("  %-10s ok=%-5v %5d ms  %s %s", c.Name, c.OK, c.MS, c.Detail, c.Advice)
		names = append(names, c.Name)
		byName[c.Name] = c
	}
	assert.Equal(t, []string{"dns", "tcp", "tls", "login", "sip", "stun", "turn", "microphone", "speaker"}, names)
	for _, name := range []string{"dns", "tcp", "tls", "login", "sip", "stun", "turn"} {
		assert.True(t, byName[name].OK, "%s: %s %s", name, byName[name].Detail, byName[name].Advice)
	}
	assert.Contains(t, byName["login"].Detail, "Logged in as "+d.login.Name)
	assert.Contains(t, byName["login"].Detail, "in this window")
	assert.Contains(t, byName["sip"].Detail, "This window's phone is registered")
	assert.Equal(t, map[bool]string{true: "passed", false: "failed"}[rep.OK], done.Message)

	key(t, win, "Escape")
	app.waitState(t, "the bar again, still logged in and registered", 10*time.Second, func(s uiState) bool {
		return s.Sheet == "" && s.Screen == "home" && s.Registration == "registered"
	})
	screenshot(t, shots, "doctor-bar-02-closed")
	assert.NotContains(t, app.log.String(), d.login.Password)
}
