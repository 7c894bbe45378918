package audio

import (
	"sync"
	"sync/atomic"
)

// stream is one opened device with its ring. For capture the driver's data call writes the ring
// and a goroutine reads it; for playback the reverse. The data call only copies and signals.
type stream struct {
	kind   DeviceKind
	device Device
	drv    driverStream
	rate   int
	ring   *ring

	// wake gets a token (never blocking) after a callback: for playback after every one (room for
	// more), for capture once the ring holds wakeAt samples.
	wake chan struct{}
	// wakeAt is how many buffered samples a capture callback waits for before it signals wake,
	// set by the reader to what its next frame needs (0: signal at every callback).
	wakeAt atomic.Int64
	// lost is closed when the sound system stops the device by itself (it was disconnected).
	lost     chan struct{}
	lostOnce sync.Once
	closing  atomic.Bool

	// ref, on a playback stream of an Engine that cancels echo, gets a copy of every sample the
	// speaker took, at the moment it took it: the echo reference, on the sound system's clock.
	ref atomic.Pointer[ring]
	// feed, on a playback stream of an Engine that plays from the callback, fills the speaker's
	// buffer directly instead of the ring.
	feed atomic.Pointer[callbackFeed]

	callbacks atomic.Uint64 // number of device callbacks so far
	samples   atomic.Uint64 // samples captured or played
	dropped   atomic.Uint64 // capture: samples lost to a full ring; playback: samples of silence
}

// streamRingMs is how much audio the ring holds: enough to ride out a stalled consumer goroutine.
const streamRingMs = 500

// openStream opens dev (zero Device: the system default) for kind and starts it. rate 0 takes the
// device's own rate. feed, for a speaker, fills it from its callback instead of the ring.
func openStream(drv driver, kind DeviceKind, dev Device, rate int, feed *callbackFeed) (*stream, error) {
	s := &stream{
		kind:   kind,
		device: dev,
		wake:   make(chan struct{}, 1),
		lost:   make(chan struct{}),
	}
	cfg := streamConfig{
		kind:     kind,
		deviceID: dev.ID,
		rate:     rate,
		periodMs: 10,
		stopped: func() {
			if !s.closing.Load() {
				s.markLost()
			}
		},
	}
	if kind == KindCapture {
		cfg.data = s.onCapture
	} else {
		cfg.data = s.onPlayback
		cfg.played = s.onPlayed
	}
	// The ring must exist before the first callback, and its size depends on the rate; 192 kHz is
	// the highest rate miniaudio opens, so size for that.
	s.ring = newRing(192000 * streamRingMs / 1000)
	ds, err := drv.open(cfg)
	if err != nil {
		return nil, err
	}
	s.drv = ds
	s.rate = ds.sampleRate()
	if feed != nil {
		feed.rate = s.rate
		s.feed.Store(feed)
	}
	if err := ds.start(); err != nil {
		s.closing.Store(true)
		ds.close()
		return nil, err
	}
	return s, nil
}

// onCapture runs on the sound system's thread.
func (s *stream) onCapture(samples []int16) {
	n := s.ring.write(samples)
	if n < len(samples) {
		s.dropped.Add(uint64(len(samples) - n))
	}
	s.samples.Add(uint64(n))
	s.callbacks.Add(1)
	if int64(s.ring.buffered()) >= s.wakeAt.Load() {
		s.signal()
	}
}

// onPlayback fills what the speaker plays next, on the sound system's thread or on its driver's
// goroutine (see streamConfig.data).
func (s *stream) onPlayback(out []int16) {
	f := s.feed.Load()
	if f != nil {
		f.fill(out)
	} else if n := s.ring.read(out); n < len(out) {
		clear(out[n:])
		s.dropped.Add(uint64(len(out) - n))
	}
	s.callbacks.Add(1)
	if f == nil { // a speaker fed from its callback needs no goroutine woken
		s.signal()
	}
}

// onPlayed gets what the speaker took, as it takes it: the echo reference.
func (s *stream) onPlayed(out []int16) {
	if r := s.ref.Load(); r != nil {
		r.write(out)
	}
	s.samples.Add(uint64(len(out)))
}

func (s *stream) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *stream) markLost() {
	s.lostOnce.Do(func() { close(s.lost) })
}

// flowingCallbacks is how many device callbacks show that a stream really runs: PulseAudio makes
// one callback at start (pre-roll) and the steady ones only about a second later.
const flowingCallbacks = 3

// flowing reports whether the device has started streaming in earnest.
func (s *stream) flowing() bool { return s.callbacks.Load() >= flowingCallbacks }

// isLost reports whether the device went away.
func (s *stream) isLost() bool {
	select {
	case <-s.lost:
		return true
	default:
		return false
	}
}

// close stops the device. Idempotent.
func (s *stream) close() {
	s.closing.Store(true)
	s.drv.close()
}
