// Package cli holds the Phonebar's headless subcommands (version, login, demo-server, mic-check,
// call, answer). It knows nothing of Wails: main.go hands it the arguments when the first one names a
// subcommand, and opens the window otherwise.
package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Stdio is where a subcommand reads and writes; tests pass buffers.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// command is one subcommand: run returns the process exit status.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, io Stdio) int
}

// commands lists every subcommand by name.
func commands() map[string]command {
	return map[string]command{
		"version":     {"print the version", runVersion},
		"login":       {"log in to the Motion server, check and remember the login", runLogin},
		"demo-server": {"run a Motion-compatible demo server with demo users (HTTPS)", runDemoServer},
		"mic-check":   {"check that a microphone works: level, frequency, verdict (--json)", runMicCheck},
		"call":        {"register to a SIP server over WebSocket and place one call", runCall},
		"answer":      {"register to a SIP server over WebSocket and answer calls", runAnswer},
		"doctor":      {"check everything a call needs, server to speaker, with what to do (--json)", runDoctor},
		"diagnostics": {"write a zip of the logs, SIP trace, call statistics and settings for support (--out FILE)", runDiagnostics},
		"dial":        {"hand a number or tel:/sip:/callto: link to the running Phonebar window to dial", runDial},
	}
}

// IsCommand reports whether name is a subcommand (main.go opens the window otherwise).
func IsCommand(name string) bool {
	if name == "help" || name == "-h" || name == "--help" {
		return true
	}
	_, ok := commands()[name]
	return ok
}

// Run runs the subcommand named by args[0] and returns the exit status.
func Run(ctx context.Context, args []string, stdio Stdio) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdio.Out, cmds)
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stdio.Err, "phonebar: unknown command %q\n", args[0])
		usage(stdio.Err, cmds)
		return 2
	}
	return c.run(ctx, args[1:], stdio)
}

func usage(w io.Writer, cmds map[string]command) {
	io.WriteString(w, "Usage: phonebar [command] [flags]\n\nWithout a command, phonebar opens its window.\n\nCommands:\n")
	listCommands(w, cmds)
}

// PrintCommands lists the headless commands with a line each, and how to see their flags.
func PrintCommands(w io.Writer) { listCommands(w, commands()) }

func listCommands(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %-12s %s\n", n, cmds[n].summary)
	}
	b.WriteString("\nRun 'phonebar COMMAND -h' for a command's flags.\n")
	io.WriteString(w, b.String())
}
