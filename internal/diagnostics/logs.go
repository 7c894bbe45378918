// Package diagnostics is what the Phonebar keeps and gathers to find out why something went wrong:
// it opens the log files as the settings say (internal/logging), and it writes the diagnostics
// bundle, one zip with the logs and the SIP trace, the calls with their statistics, the sound
// devices, the versions, the settings and the doctor's last report, every secret redacted. The
// command line (phonebar diagnostics) and the window's Doctor page both use it.
package diagnostics

import (
	"fmt"
	"io"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/logging"
)

// ParseLevel reads a level of config.LogLevels; empty means info.
func ParseLevel(s string) (logrus.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return logrus.ErrorLevel, nil
	case "warn", "warning":
		return logrus.WarnLevel, nil
	case "", "info":
		return logrus.InfoLevel, nil
	case "debug":
		return logrus.DebugLevel, nil
	case "trace":
		return logrus.TraceLevel, nil
	}
	return 0, fmt.Errorf("diagnostics: log level %q is not one of %s", s, strings.Join(config.LogLevels, ", "))
}

// LogOptions say where a process logs besides the log folder.
type LogOptions struct {
	// Dir is the log folder; empty means logging.DefaultDir.
	Dir string
	// Console gets the lines at ConsoleLevel or more severe; nil: none.
	Console io.Writer
	// ConsoleLevel: 0 means warnings and errors only.
	ConsoleLevel logrus.Level
	// Proc names the process in every line ("window", "call", ...).
	Proc string
}

// OpenLogs opens the log files at the level and with the SIP trace the settings in store say. It
// never fails: settings that cannot be read mean the defaults (info, SIP trace on), and a log
// folder that cannot be made means the console only, each said on the console.
func OpenLogs(store *config.Store, opts LogOptions) *logging.Logs {
	var st config.Settings
	var stErr error
	if store != nil {
		st, stErr = store.Load()
	}
	level, lerr := ParseLevel(st.Log.Level)
	if lerr != nil {
		level = logrus.InfoLevel
	}
	logs, err := logging.Open(logging.FileOptions{Dir: opts.Dir, Level: level, SIPTrace: !st.Log.SIPTraceOff,
		Console: opts.Console, ConsoleLevel: opts.ConsoleLevel, Proc: opts.Proc})
	if err != nil {
		console := opts.Console
		if console == nil {
			console = io.Discard
		}
		logs = logging.Console(console, opts.ConsoleLevel)
		logs.Logger.WithError(err).Warn("no log file: logging to the console only")
	}
	if stErr != nil {
		logs.Logger.WithError(stErr).Info("settings unreadable: logging at the default level")
	}
	return logs
}
