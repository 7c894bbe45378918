package testenv

import (
	"runtime"
	"testing"
	"time"
)

// ProcessCPU counts the CPU a busy loop burns, and no more than the processors could have given it.
func TestProcessCPU(t *testing.T) {
	start, c0 := time.Now(), ProcessCPU()
	var spun uint64
	for ProcessCPU()-c0 < 50*time.Millisecond {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("a busy loop of 10 s counted %v of CPU", ProcessCPU()-c0)
		}
		for i := range 100000 {
			spun += uint64(i)
		}
	}
	used, wall := ProcessCPU()-c0, time.Since(start)
	if limit := wall*time.Duration(runtime.NumCPU()) + 20*time.Millisecond; used > limit {
		t.Fatalf("%v of CPU counted in %v on %d processors", used, wall, runtime.NumCPU())
	}
	t.Logf("%v of CPU in %v (%d)", used, wall, spun%7)
}
