//go:build unix

package testenv

import (
	"syscall"
	"time"
)

// ProcessCPU is the CPU this process has used so far, user and system: what benchmarks of a
// call's cost divide by the time they held it.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ContextSwitches is how many times this process's threads have given up a processor so far,
// waiting or preempted: the scheduling a call's wake-ups cost, steadier from run to run than its
// CPU time. ok is false where the system does not count them.
func ContextSwitches() (n int64, ok bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return int64(ru.Nvcsw + ru.Nivcsw), true
}
