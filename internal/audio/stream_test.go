package audio

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A microphone's callback wakes the capture loop only once the ring holds what the loop's next
// frame needs (wakeAt), not at every period of the device: one wake-up per frame. A speaker fed
// from its own callback wakes nobody.
func TestStreamWakesOncePerFrame(t *testing.T) {
	tests := []struct {
		name    string
		wakeAt  int64
		periods int    // callbacks of 10 ms at 48 kHz
		want    []bool // a wake-up after each callback
	}{
		{"a frame of 20 ms: every second callback", 960, 4, []bool{false, true, false, true}},
		{"nothing asked yet: every callback", 0, 3, []bool{true, true, true}},
		{"part of the frame already read", 470, 2, []bool{true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stream{wake: make(chan struct{}, 1), ring: newRing(4096)}
			s.wakeAt.Store(tt.wakeAt)
			period := make([]int16, 480)
			for i := range tt.periods {
				s.onCapture(period)
				woke := false
				select {
				case <-s.wake:
					woke = true
					s.ring.read(make([]int16, 960*((s.ring.buffered()+959)/960)))
				default:
				}
				assert.Equal(t, tt.want[i], woke, "callback %d", i)
			}
		})
	}

	e := &Engine{rate: 48000}
	s := &stream{wake: make(chan struct{}, 1), ring: newRing(4096)}
	s.feed.Store(&callbackFeed{e: e, rate: 48000})
	for range 3 {
		s.onPlayback(make([]int16, 480))
	}
	assert.Empty(t, s.wake, "a speaker fed from its callback wakes no goroutine")
	assert.Equal(t, uint64(3), s.callbacks.Load())
}
