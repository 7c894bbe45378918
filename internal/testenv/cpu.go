package testenv

import "time"

// Usage is what this process has spent so far: what benchmarks of a call's cost take before and
// after holding it.
type Usage struct {
	// CPU is user and system time.
	CPU time.Duration
	// Switches counts the times its threads gave up a processor, waiting or preempted: the
	// scheduling a call's wake-ups cost, steadier from run to run than its CPU time. Windows
	// keeps no such count for a process: there it stays 0.
	Switches int64
}

// Sub is what was spent from v to u.
func (u Usage) Sub(v Usage) Usage { return Usage{u.CPU - v.CPU, u.Switches - v.Switches} }

// Add is u and v together: what several held calls spent.
func (u Usage) Add(v Usage) Usage { return Usage{u.CPU + v.CPU, u.Switches + v.Switches} }

// ProcessCPU is the CPU this process has used so far, user and system.
func ProcessCPU() time.Duration { return ProcessUsage().CPU }
