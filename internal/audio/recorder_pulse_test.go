package audio

import (
	"context"
	"sync"
	"testing"
	"time"
)

// recorder keeps what an engine's microphone delivers once its devices have started, for the tests
// that play into a PulseAudio room and measure what came back.
type recorder struct {
	mu    sync.Mutex
	heard []int16
	done  chan struct{}
}

// record reads e's microphone until ctx ends; wait for done before reading heard without the lock.
func record(ctx context.Context, e *Engine) *recorder {
	r := &recorder{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		f := make([]int16, e.FrameSamples())
		for {
			n, err := e.ReadFrame(ctx, f)
			if err != nil {
				return
			}
			if e.Stats().CaptureFrames-e.Stats().CaptureFiller < 10 {
				continue // the devices are still starting
			}
			r.mu.Lock()
			r.heard = append(r.heard, f[:n]...)
			r.mu.Unlock()
		}
	}()
	return r
}

// len is how many samples were heard so far.
func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.heard)
}

// waitFor waits until n samples were heard, and fails the test when ctx ends first.
func (r *recorder) waitFor(ctx context.Context, t *testing.T, n int) {
	t.Helper()
	for {
		got := r.len()
		if got >= n {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("only %.1f s of audio heard in time", float64(got)/ecRate)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
