//go:build !windows

package main

import (
	"io"
	"os"
)

// attachConsole is needed on Windows only, where the GUI build starts without a console.
func attachConsole() {}

// consoleOutput is standard error: the terminal, or the journal of the desktop session.
func consoleOutput() io.Writer { return os.Stderr }
