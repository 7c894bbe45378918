package testenv

import (
	"time"

	"golang.org/x/sys/windows"
)

// ProcessUsage is what this process has spent so far: its CPU time (Windows counts no context
// switches for a process).
func ProcessUsage() Usage {
	var created, exited, kernel, user windows.Filetime
	if windows.GetProcessTimes(windows.CurrentProcess(), &created, &exited, &kernel, &user) != nil {
		return Usage{}
	}
	// Filetimes count 100 ns.
	ticks := func(f windows.Filetime) int64 { return int64(f.HighDateTime)<<32 | int64(f.LowDateTime) }
	return Usage{CPU: time.Duration(ticks(kernel)+ticks(user)) * 100}
}
