package diagnostics

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/doctor"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/testenv"
)

// TestBundleParts: each part is there with what it promises, and a secret written into a log file
// by anything (an older build, a library writing text) does not reach the zip.
func TestBundleParts(t *testing.T) {
	dir := t.TempDir()
	logDir := filepath.Join(dir, "logs")
	require.NoError(t, os.MkdirAll(logDir, 0o700))
	const secret = "Hunter2-Secret-Value"
	require.NoError(t, os.WriteFile(filepath.Join(logDir, logging.FileName), []byte(
		"level=info msg=\"login\" user=alice\n"+
			"level=debug msg=\"oops password="+secret+" in a message\"\n"+
			"level=debug msg=\"typed: "+secret+"\"\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(logDir, logging.TraceFileName), []byte(
		"---- sent\nREGISTER sip:x SIP/2.0\nAuthorization: Digest username=\"1001\", response=\"0123456789abcdef0123456789abcdef\"\n"), 0o600))
	require.NoError(t, SaveDoctor(logDir, doctor.Report{OK: true, Checks: []doctor.Check{{Name: "dns", OK: true, Detail: "resolved"}}}))

	store := config.NewStore(filepath.Join(dir, "config", config.FileName))
	require.NoError(t, store.Save(config.Settings{ServerURL: "https://motion.example.com", Username: "alice"}))
	hist := history.NewStore(filepath.Join(dir, "config", "history.json"))
	require.NoError(t, hist.Add(history.Entry{Remote: "1002", Direction: "out", Started: time.Unix(1700000000, 0), Seconds: 30, Outcome: "answered",
		Quality: &quality.Summary{Seconds: 30, MOS: 4.3, LossPct: 0.5}}))

	out := filepath.Join(dir, "bundle.zip")
	got, err := Save(context.Background(), out, false, Sources{LogDir: logDir, Settings: store, History: hist, Secrets: []string{secret}})
	require.NoError(t, err)
	assert.Equal(t, out, got)
	parts := testenv.ReadZip(t, out)
	for name, body := range parts {
		assert.NotContains(t, body, secret, name)
		assert.NotContains(t, body, "0123456789abcdef0123456789abcdef", name)
	}
	assert.Contains(t, parts["settings.json"], `"serverUrl": "https://motion.example.com"`)
	assert.Contains(t, parts["calls.json"], `"mos": 4.3`)
	assert.Contains(t, parts["versions.json"], `"instance_id": "urn:uuid:`)
	assert.Contains(t, parts["doctor-last.json"], `"name": "dns"`)
	assert.Contains(t, parts["logs/"+logging.FileName], "user=alice")
	assert.Contains(t, parts["logs/"+logging.FileName], "password="+logging.Redacted)
	assert.Contains(t, parts["logs/"+logging.TraceFileName], `response="`+logging.Redacted+`"`)
	assert.NotContains(t, parts, "devices.json", "no sound system given")
	assert.NotContains(t, parts["README.txt"], "no SIP trace")
}

// TestBundleSaysWhatIsMissing: with nothing to gather, the zip still says what it would have held.
func TestBundleSaysWhatIsMissing(t *testing.T) {
	dir := t.TempDir()
	path, err := Save(context.Background(), filepath.Join(dir, "b.zip"), false, Sources{LogDir: filepath.Join(dir, "none")})
	require.NoError(t, err)
	readme := testenv.ReadZip(t, path)["README.txt"]
	assert.Contains(t, readme, "no SIP trace")
	assert.Contains(t, readme, "the doctor has not run yet")
	assert.Contains(t, readme, "no call history here")
}

// TestSaveNewNeverReplaces: bundles made in the same second get numbered names.
func TestSaveNewNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 12, 6, 16, 30, 0, 0, time.Local)
	src := Sources{Now: func() time.Time { return at }}
	var paths []string
	for range 3 {
		p, err := SaveNew(context.Background(), dir, src)
		require.NoError(t, err)
		paths = append(paths, filepath.Base(p))
	}
	assert.Equal(t, []string{"phonebar-diagnostics-20261206-163000.zip", "phonebar-diagnostics-20261206-163000-2.zip", "phonebar-diagnostics-20261206-163000-3.zip"}, paths)
}

func TestSaveRefusesToReplace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.zip")
	require.NoError(t, os.WriteFile(p, []byte("keep me"), 0o600))
	_, err := Save(context.Background(), p, false, Sources{})
	require.ErrorIs(t, err, ErrExists)
	var se *SaveError
	require.True(t, errors.As(err, &se))
	assert.Contains(t, se.Advice, "--force")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(b))
	_, err = Save(context.Background(), p, true, Sources{})
	require.NoError(t, err)
	assert.Contains(t, testenv.ReadZip(t, p), "README.txt")
}

func TestParseLevel(t *testing.T) {
	for _, l := range config.LogLevels {
		_, err := ParseLevel(l)
		assert.NoError(t, err, l)
	}
	_, err := ParseLevel("loud")
	assert.Error(t, err)
}
