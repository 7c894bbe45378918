//go:build linux

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/diagnostics"
	"github.com/phonebar/phonebar/internal/doctor"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/testenv"
)

// TestWindowDoctorPage opens the Doctor page from the login screen of a WebRTC agent of the demo
// server (the password typed in the login form, nothing saved), runs the checks of phonebar doctor
// from its button and sees one line per check; then turns the log level up and saves the
// diagnostics zip from the page, which holds the doctor's report and no trace of the password.
func TestWindowDoctorPage(t *testing.T) {
	d, home, userHome, logDir := doctorSetup(t)
	shots := shotsDir(t)

	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password)
	app.press(t, win, "open-doctor", "Return")
	app.waitState(t, "the Doctor page with its button focused", 10*time.Second, func(s uiState) bool {
		return s.Screen == "doctor" && s.Focus == "doctor-run"
	})
	key(t, win, "Return")
	done := app.waitState(t, "the doctor's report", 90*time.Second, func(s uiState) bool {
		return s.Screen == "doctor" && !s.Busy && s.Answers == 1
	})
	shot := screenshot(t, shots, "doctor-01-report")

	// What the page showed is the report the doctor kept for the bundle: one line per check.
	rep := doctorReport(t, logDir)
	byName := map[string]doctor.Check{}
	for _, c := range rep.Checks {
		byName[c.Name] = c
	}
	for _, name := range []string{"dns", "tcp", "tls", "login", "sip", "echo_call"} {
		assert.True(t, byName[name].OK, "%s: %s %s", name, byName[name].Detail, byName[name].Advice)
	}
	for _, name := range []string{"microphone", "speaker"} {
		assert.Contains(t, byName, name, "the sound devices are checked too")
	}
	assert.Equal(t, map[bool]string{true: "passed", false: "failed"}[rep.OK], done.Message)
	t.Logf("doctor report (screenshot %s):", shot)
	for _, c := range rep.Checks {
		t.Logf("  %-10s ok=%-5v %5d ms  %s %s", c.Name, c.OK, c.MS, c.Detail, c.Advice)
	}

	// The log level, changed on the page, is kept in the settings.
	app.tabTo(t, win, "log-level")
	key(t, win, "End") // the last level: trace
	waitFor(t, "the log level in the settings", 10*time.Second, func() bool { return readSettings(t, home).Log.Level == "trace" })

	app.press(t, win, "save-diagnostics", "Return")
	app.waitState(t, "the diagnostics saved", 30*time.Second, func(s uiState) bool { return s.Form == "saved" })
	screenshot(t, shots, "doctor-02-saved")
	zips, err := filepath.Glob(filepath.Join(userHome, "Downloads", "phonebar-diagnostics-*.zip"))
	require.NoError(t, err)
	require.Len(t, zips, 1)
	parts := testenv.ReadZip(t, zips[0])
	for _, want := range []string{"README.txt", "versions.json", "settings.json", "devices.json", "doctor-last.json", "logs/phonebar.log", "logs/sip-trace.log"} {
		assert.Contains(t, parts, want)
	}
	assert.Contains(t, parts["logs/sip-trace.log"], "INVITE sip:*43@", "the doctor's test call is in the SIP trace")
	for name, body := range parts {
		assert.False(t, strings.Contains(body, d.login.Password), "%s holds the password", name)
	}
	for _, f := range []string{"phonebar.log", "sip-trace.log"} {
		b, err := os.ReadFile(filepath.Join(logDir, f))
		require.NoError(t, err)
		assert.False(t, strings.Contains(string(b), d.login.Password), "%s holds the password", f)
	}
	assert.NotContains(t, app.log.String(), d.login.Password)
}

// doctorSetup is the demo server and the homes of the Doctor's window tests: a WebRTC agent, and a
// user home of the test's own (HOME, where the zip goes to ~/Downloads, and XDG_STATE_HOME, where
// the logs and the doctor's report are kept) with its log folder.
func doctorSetup(t *testing.T) (d *demo, home, userHome, logDir string) {
	t.Helper()
	d = newDemo(t, motion.TypologyWebRTC)
	home = homeFor(t, d, nil)
	userHome = t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(userHome, "Downloads"), 0o700))
	t.Setenv("HOME", userHome)
	t.Setenv("XDG_STATE_HOME", filepath.Join(userHome, "state"))
	return d, home, userHome, filepath.Join(userHome, "state", "phonebar", "logs")
}

// doctorReport reads the report the doctor kept in the log folder for the diagnostics bundle.
func doctorReport(t *testing.T, logDir string) doctor.Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(logDir, diagnostics.DoctorFileName))
	require.NoError(t, err, "the doctor's report in the log folder")
	var rep doctor.Report
	require.NoError(t, json.Unmarshal(b, &rep))
	return rep
}
