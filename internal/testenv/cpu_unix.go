//go:build unix

package testenv

import (
	"syscall"
	"time"
)

// ProcessUsage is what this process has spent so far, from one getrusage.
func ProcessUsage() Usage {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return Usage{CPU: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), Switches: int64(ru.Nvcsw + ru.Nivcsw)}
}
