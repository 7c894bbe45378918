package audio

import "time"

// lostCloseWait is how long closing a disconnected device may take before it is left behind.
const lostCloseWait = 2 * time.Second

// closeLost releases a device that disappeared while open. miniaudio's PulseAudio backend can wait
// forever to stop a stream whose sink or source was unloaded, so the release runs on its own
// goroutine (reapLostStream) and the caller waits at most lostCloseWait: a call must never hang on
// an unplugged headset. A release that never returns costs one parked goroutine and its thread.
func (s *stream) closeLost() {
	done := make(chan struct{})
	go reapLostStream(s, done)
	select {
	case <-done:
	case <-time.After(lostCloseWait):
	}
}

func reapLostStream(s *stream, done chan<- struct{}) {
	s.close()
	close(done)
}
