package testenv

import (
	"time"

	"golang.org/x/sys/windows"
)

// ProcessCPU is the CPU this process has used so far, user and system: what benchmarks of a
// call's cost divide by the time they held it.
func ProcessCPU() time.Duration {
	var created, exited, kernel, user windows.Filetime
	if windows.GetProcessTimes(windows.CurrentProcess(), &created, &exited, &kernel, &user) != nil {
		return 0
	}
	// Filetimes count 100 ns.
	ticks := func(f windows.Filetime) int64 { return int64(f.HighDateTime)<<32 | int64(f.LowDateTime) }
	return time.Duration(ticks(kernel)+ticks(user)) * 100
}

// ContextSwitches is how many times this process's threads have given up a processor so far.
// Windows keeps no such count for a process, so ok is false.
func ContextSwitches() (n int64, ok bool) { return 0, false }
