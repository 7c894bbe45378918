//go:build linux

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/diagnostics"
	"github.com/phonebar/phonebar/internal/doctor"
	"github.com/phonebar/phonebar/internal/motion"
)

// TestWindowDoctorFromTheBar: a WebRTC agent of the demo server, logged in, opens the Doctor from
// the bar's settings; it opens over the bar and runs the checks for the session as it is: the
// login and the window's registered phone are reported, not made again (a second login would end
// the session), STUN and TURN and the sound devices are checked, and there is no test call. When
// the Doctor closes, the agent is still logged in with the phone registered.
func TestWindowDoctorFromTheBar(t *testing.T) {
	d := newDemo(t, motion.TypologyWebRTC)
	home := homeFor(t, d, nil)
	userHome := t.TempDir()
	t.Setenv("HOME", userHome)
	t.Setenv("XDG_STATE_HOME", filepath.Join(userHome, "state"))
	logDir := filepath.Join(userHome, "state", "phonebar", "logs")
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

	b, err := os.ReadFile(filepath.Join(logDir, diagnostics.DoctorFileName))
	require.NoError(t, err, "the doctor's report in the log folder")
	var rep doctor.Report
	require.NoError(t, json.Unmarshal(b, &rep))
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
