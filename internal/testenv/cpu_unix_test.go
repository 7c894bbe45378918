//go:build unix

package testenv

import (
	"testing"
	"time"
)

// ContextSwitches counts a thread that sleeps and wakes again.
func TestContextSwitches(t *testing.T) {
	n0, ok := ContextSwitches()
	if !ok {
		t.Fatal("getrusage counts no context switches")
	}
	for range 20 {
		time.Sleep(time.Millisecond)
	}
	n1, _ := ContextSwitches()
	if n1-n0 < 20 {
		t.Fatalf("20 sleeps counted %d context switches", n1-n0)
	}
}
