// Command phonebar is the Phonebar: a desktop companion for XCALLY Motion agents. Without arguments it
// opens its window; with a subcommand it runs headless (see `phonebar help`).
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/app"
	"github.com/phonebar/phonebar/internal/cli"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/diagnostics"
	"github.com/phonebar/phonebar/internal/dialurl"
	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/omni"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

func main() {
	args := os.Args[1:]
	if len(args) > 0 && (cli.IsCommand(args[0]) ||
		(!strings.HasPrefix(args[0], "-") && args[0] != omni.WindowCommand && args[0] != omni.SignInCommand)) {
		// Windows: phonebar.exe typed in a console prints there (a command, or "unknown command").
		attachConsole()
	}
	os.Exit(run(args, cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}

func run(args []string, stdio cli.Stdio) int {
	window := len(args) > 0 && (args[0] == omni.WindowCommand || args[0] == omni.SignInCommand)
	if !window && len(args) > 0 && !dialurl.IsLink(args[0]) && (cli.IsCommand(args[0]) || !strings.HasPrefix(args[0], "-")) {
		// A word that names no command is a typo, never a reason to open the window: cli.Run says
		// "unknown command", lists the commands and exits 2. A command opens its own log.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return cli.Run(ctx, args, stdio)
	}
	// The window processes log to the log folder and, from the info level, to standard error (the
	// terminal, or the desktop session's journal).
	proc := "window"
	if window {
		proc = args[0]
	}
	logs := windowLogs(proc)
	defer logs.Close()
	log := logs.Logger
	if len(args) > 0 && args[0] == omni.WindowCommand {
		// The Omni Desktop window process: its handoff arrives on standard input, a pipe from the
		// Phonebar.
		if isTerminal(os.Stdin) {
			fmt.Fprintln(os.Stderr, "phonebar: omni-window is started by the Phonebar itself, not by hand")
			return 2
		}
		if err := app.RunOmniWindow(os.Stdin, log); err != nil {
			log.WithError(err).Error("omni window")
			return 1
		}
		return 0
	}
	if len(args) > 0 && args[0] == omni.SignInCommand {
		// The single sign-on window process: its request arrives on standard input, its answer
		// leaves on standard output.
		if isTerminal(os.Stdin) {
			fmt.Fprintln(os.Stderr, "phonebar: sso-window is started by the Phonebar itself, not by hand")
			return 2
		}
		if err := app.RunSignInWindow(os.Stdin, os.Stdout, log); err != nil {
			log.WithError(err).Error("sign-in window")
			return 1
		}
		return 0
	}
	fset := flag.NewFlagSet("phonebar", flag.ContinueOnError)
	fset.SetOutput(stdio.Err)
	demo := fset.Bool("demo", false, "start the embedded Motion-compatible demo server and log in to it")
	demoListen := fset.String("demo-listen", "127.0.0.1:0", "address of the embedded demo server, with --demo")
	fset.Usage = func() {
		fmt.Fprintf(fset.Output(), "Usage: phonebar [--demo] [--demo-listen ADDR] [tel:NUMBER|sip:USER@HOST|callto:NUMBER]\n       phonebar COMMAND [flags]   (see 'phonebar help')\n\n")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var link string
	if fset.NArg() == 1 && dialurl.IsLink(fset.Arg(0)) {
		link = fset.Arg(0) // untrusted: the window dials it only if it is a number or SIP address
	} else if fset.NArg() > 0 {
		fmt.Fprintf(stdio.Err, "phonebar: unexpected argument %q\n", fset.Arg(0))
		fset.Usage()
		return 2
	}
	launch, status, done := claimInstance(link, stdio, log)
	if done {
		return status
	}
	if launch.Instance != nil {
		defer launch.Instance.Close()
	}
	if problem := desktopProblem(); problem != "" {
		// Checked before Wails starts: GTK would end in a panic and a stack trace.
		fmt.Fprintf(stdio.Err, "phonebar: the window needs a desktop session: %s.\n\n"+
			"Without a desktop, these commands run headless:\n", problem)
		cli.PrintCommands(stdio.Err)
		return 1
	}
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		log.WithError(err).Error("frontend assets")
		return 1
	}
	if err := app.Run(app.Options{Assets: dist, Icon: icon, Demo: *demo, DemoListen: *demoListen, Logger: log, Launch: launch, Logs: logs}); err != nil {
		log.WithError(err).Error("phonebar")
		return 1
	}
	return 0
}

// windowLogs opens the log of a window process (see diagnostics.OpenLogs).
func windowLogs(proc string) *logging.Logs {
	var store *config.Store
	if p, err := config.DefaultPath(); err == nil {
		store = config.NewStore(p)
	}
	return diagnostics.OpenLogs(store, diagnostics.LogOptions{Console: consoleOutput(), ConsoleLevel: logrus.InfoLevel, Proc: proc})
}

// isTerminal reports whether f is a terminal rather than the pipe the Phonebar gives its window
// processes.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
