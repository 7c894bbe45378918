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
