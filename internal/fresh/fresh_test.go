package fresh

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestValueLapses(t *testing.T) {
	start := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		set     bool
		after   time.Duration
		clear   bool
		wantOK  bool
		wantVal string
	}{
		{"never set", false, 0, false, false, ""},
		{"just set", true, 0, false, true, "v"},
		{"just under the time", true, time.Minute - time.Nanosecond, false, true, "v"},
		{"time is up", true, time.Minute, false, false, ""},
		{"cleared", true, 0, true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Value[string]
			if tt.set {
				f.Set("v", start.Add(time.Minute))
			}
			if tt.clear {
				f.Clear()
			}
			v, ok := f.Get(start.Add(tt.after))
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.wantVal, v)
		})
	}
}

func TestTakeHandsOutOnce(t *testing.T) {
	var f Value[int]
	now := time.Now()
	f.Set(7, now.Add(time.Hour))
	v, ok := f.Take(now)
	assert.True(t, ok)
	assert.Equal(t, 7, v)
	_, ok = f.Take(now)
	assert.False(t, ok, "once")
	_, ok = f.Get(now)
	assert.False(t, ok)
}

// TestTakeIsOneWinner: of many goroutines taking at once, one gets the value.
func TestTakeIsOneWinner(t *testing.T) {
	var f Value[string]
	now := time.Now()
	f.Set("code", now.Add(time.Hour))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := f.Take(now); ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, wins)
}

func TestClock(t *testing.T) {
	fixed := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
	assert.Equal(t, fixed, Clock(func() time.Time { return fixed }).Now())
	var real Clock
	assert.WithinDuration(t, time.Now(), real.Now(), time.Second, "nil is the real clock")
}
