package cli

import (
	"flag"
	"fmt"
	"log/slog"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/diagnostics"
	"github.com/phonebar/phonebar/internal/logging"
)

// logFlags are the flags of the commands that log (call, answer, doctor): their log goes to the
// log file as the settings say, and standard error shows only warnings and errors unless -v or
// --log-level asks for more.
type logFlags struct {
	verbose bool
	level   string
}

func addLogFlags(fs *flag.FlagSet) *logFlags {
	f := &logFlags{}
	fs.BoolVar(&f.verbose, "v", false, "also print the log on standard error, from the debug level")
	fs.StringVar(&f.level, "log-level", "", "also print the log on standard error from this level: error, warn, info, debug or trace (default: warn)")
	return f
}

// open opens the log for the command named proc. A bad --log-level is an error to show as usage.
func (f *logFlags) open(stdio Stdio, proc string) (*logging.Logs, error) {
	console := logrus.WarnLevel
	switch {
	case f.level != "":
		l, err := diagnostics.ParseLevel(f.level)
		if err != nil {
			return nil, fmt.Errorf("--log-level: use error, warn, info, debug or trace, not %q", f.level)
		}
		console = l
	case f.verbose:
		console = logrus.DebugLevel
	}
	var store *config.Store
	if p, err := config.DefaultPath(); err == nil {
		store = config.NewStore(p)
	}
	return diagnostics.OpenLogs(store, diagnostics.LogOptions{Console: stdio.Err, ConsoleLevel: console, Proc: proc}), nil
}

// slogOf is the logs as the phone takes them.
func slogOf(l *logging.Logs) *slog.Logger { return slog.New(logging.SlogHandler(l.Logger)) }
