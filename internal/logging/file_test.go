package logging

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readAll(t *testing.T, l *Logs) string {
	t.Helper()
	var b strings.Builder
	for _, f := range l.Files() {
		got, err := os.ReadFile(f)
		require.NoError(t, err)
		b.Write(got)
	}
	return b.String()
}

// TestFileAndConsoleLevels: the file gets what its level lets through, the console only warnings
// and errors unless asked for more; a level changed at run time applies at once.
func TestFileAndConsoleLevels(t *testing.T) {
	tests := []struct {
		name        string
		file, cons  logrus.Level
		wantFile    []string
		notFile     []string
		wantConsole []string
		notConsole  []string
	}{
		{"defaults", 0, 0, []string{"info-line", "warn-line"}, []string{"debug-line"}, []string{"warn-line", "error-line"}, []string{"info-line", "debug-line"}},
		{"debug file, verbose console", logrus.DebugLevel, logrus.DebugLevel, []string{"debug-line"}, nil, []string{"debug-line", "info-line"}, nil},
		{"errors only in the file", logrus.ErrorLevel, 0, []string{"error-line"}, []string{"warn-line", "info-line"}, []string{"warn-line"}, []string{"info-line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var console bytes.Buffer
			l, err := Open(FileOptions{Dir: t.TempDir(), Level: tt.file, Console: &console, ConsoleLevel: tt.cons, Proc: "test"})
			require.NoError(t, err)
			defer l.Close()
			l.Logger.Debug("debug-line")
			l.Logger.Info("info-line")
			l.Logger.Warn("warn-line")
			l.Logger.Error("error-line")
			file := readAll(t, l)
			for _, s := range tt.wantFile {
				assert.Contains(t, file, s)
			}
			for _, s := range tt.notFile {
				assert.NotContains(t, file, s)
			}
			for _, s := range tt.wantConsole {
				assert.Contains(t, console.String(), s)
			}
			for _, s := range tt.notConsole {
				assert.NotContains(t, console.String(), s)
			}
			assert.Contains(t, file, "proc=test", "the shared file names the process")
			assert.NotContains(t, console.String(), "proc=", "a process's own console does not")
		})
	}

	l, err := Open(FileOptions{Dir: t.TempDir()})
	require.NoError(t, err)
	defer l.Close()
	l.Logger.Debug("before")
	l.SetLevel(logrus.DebugLevel)
	l.Logger.Debug("after")
	file := readAll(t, l)
	assert.NotContains(t, file, "before")
	assert.Contains(t, file, "after")
}

// TestSecretsNeverReachTheFiles: a password in a secret-named field, in an error text, in a
// message, or in a SIP message of the trace is replaced, in the log file, on the console and in the
// trace.
func TestSecretsNeverReachTheFiles(t *testing.T) {
	const canary = "Canary-7f3a91-pw"
	var console bytes.Buffer
	l, err := Open(FileOptions{Dir: t.TempDir(), Level: logrus.TraceLevel, Console: &console, ConsoleLevel: logrus.TraceLevel, SIPTrace: true})
	require.NoError(t, err)
	defer l.Close()
	l.Secret(canary)
	l.Logger.WithField("password", canary).Info("field")
	l.Logger.WithError(errors.New("login refused for password " + canary)).Warn("error text")
	l.Logger.Infof("typed %s by mistake", canary)
	l.SIPTrace(true, []byte("REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username=\"u\", response=\"0123456789abcdef\"\r\nX-Note: "+canary+"\r\n\r\n"))
	l.SIPTrace(false, []byte("SIP/2.0 200 OK\r\nCSeq: 2 REGISTER\r\n\r\n"))

	all := readAll(t, l) + console.String()
	assert.NotContains(t, all, canary)
	assert.NotContains(t, all, "0123456789abcdef")
	assert.Equal(t, 3, strings.Count(console.String(), Redacted), "field, error and message lines each show the redaction")
	trace, err := os.ReadFile(filepath.Join(l.Dir(), TraceFileName))
	require.NoError(t, err)
	assert.Contains(t, string(trace), "sent")
	assert.Contains(t, string(trace), "received")
	assert.Contains(t, string(trace), "SIP/2.0 200 OK\nCSeq: 2 REGISTER\n", "the trace reads with plain line ends")
}

func TestSIPTraceSwitch(t *testing.T) {
	l, err := Open(FileOptions{Dir: t.TempDir()})
	require.NoError(t, err)
	defer l.Close()
	l.SIPTrace(true, []byte("OPTIONS sip:off SIP/2.0\r\n\r\n"))
	l.SetSIPTrace(true)
	l.SIPTrace(true, []byte("OPTIONS sip:on SIP/2.0\r\n\r\n"))
	trace, err := os.ReadFile(filepath.Join(l.Dir(), TraceFileName))
	require.NoError(t, err)
	assert.NotContains(t, string(trace), "sip:off")
	assert.Contains(t, string(trace), "sip:on")
}

// TestRotation: past its size the log is renamed with a time stamp and a new one started; only
// maxFileBackups old files are kept.
func TestRotation(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(FileOptions{Dir: dir})
	require.NoError(t, err)
	defer l.Close()
	line := strings.Repeat("x", 1<<20)
	for i := 0; i < maxFileMB*(maxFileBackups+2)+2; i++ {
		l.Logger.Info(line)
	}
	require.NoError(t, l.Close())
	var logs int
	for _, f := range l.Files() {
		if strings.HasPrefix(filepath.Base(f), "phonebar") {
			logs++
			st, err := os.Stat(f)
			require.NoError(t, err)
			assert.LessOrEqual(t, st.Size(), int64(maxFileMB<<20))
		}
	}
	// Old files are removed in the background by the rotation library: at most the kept ones
	// plus the current file, and at least one old one.
	assert.GreaterOrEqual(t, logs, 2)
	assert.LessOrEqual(t, logs, maxFileBackups+2)
}

func TestConsoleOnly(t *testing.T) {
	var console bytes.Buffer
	l := Console(&console, 0)
	l.Secret("hunter2-long")
	l.Logger.Info("quiet")
	l.Logger.Warn("loud hunter2-long")
	assert.NotContains(t, console.String(), "quiet")
	assert.Contains(t, console.String(), "loud "+Redacted)
	assert.Empty(t, l.Files())
	l.SIPTrace(true, []byte("OPTIONS sip:x SIP/2.0\r\n\r\n")) // no folder: nothing, no panic
	assert.NoError(t, l.Close())
}
