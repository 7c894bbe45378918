//go:build unix

package testenv

import (
	"testing"
	"time"
)

// ProcessUsage counts the context switches of a thread that sleeps and wakes again.
func TestProcessUsageCountsSwitches(t *testing.T) {
	u0 := ProcessUsage()
	for range 20 {
		time.Sleep(time.Millisecond)
	}
	if n := ProcessUsage().Sub(u0).Switches; n < 20 {
		t.Fatalf("20 sleeps counted %d context switches", n)
	}
}
