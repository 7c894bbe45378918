package audio

import "sync/atomic"

// ring is a single-producer single-consumer ring of samples: the device callback writes (capture)
// or reads (playback) without locks or allocation, and one goroutine does the other side.
type ring struct {
	buf  []int16
	mask uint64
	r, w atomic.Uint64 // total samples read and written; w-r are buffered
}

// newRing returns a ring holding at least n samples.
func newRing(n int) *ring {
	size := 1
	for size < n {
		size <<= 1
	}
	return &ring{buf: make([]int16, size), mask: uint64(size - 1)}
}

// buffered is how many samples are waiting to be read.
func (q *ring) buffered() int { return int(q.w.Load() - q.r.Load()) }

// space is how many samples can be written.
func (q *ring) space() int { return len(q.buf) - q.buffered() }

// write copies as much of p as fits and returns how much that was (the producer side).
func (q *ring) write(p []int16) int {
	w := q.w.Load()
	n := min(len(p), len(q.buf)-int(w-q.r.Load()))
	if n <= 0 {
		return 0
	}
	start := int(w & q.mask)
	c := copy(q.buf[start:], p[:n])
	copy(q.buf, p[c:n])
	q.w.Store(w + uint64(n))
	return n
}

// read copies up to len(p) buffered samples into p and returns how many (the consumer side).
func (q *ring) read(p []int16) int {
	r := q.r.Load()
	n := min(len(p), int(q.w.Load()-r))
	if n <= 0 {
		return 0
	}
	start := int(r & q.mask)
	c := copy(p[:n], q.buf[start:])
	copy(p[c:n], q.buf)
	q.r.Store(r + uint64(n))
	return n
}
