package motionsim

import "time"

// ring keeps the latest values pushed into it, at most its capacity: what the demo server records
// for tests and the administrator (records, sessions, the outbox, ended tokens) stays bounded
// however long it runs and whatever it is sent. The zero value keeps nothing; use newRing.
type ring[T any] struct {
	buf  []T
	head int // index of the oldest value once buf is full
	cap  int
}

func newRing[T any](capacity int) ring[T] {
	return ring[T]{cap: capacity}
}

// push adds v as the newest value; when the ring was full, it returns the oldest value, which it
// dropped, and true.
func (r *ring[T]) push(v T) (dropped T, full bool) {
	if r.cap <= 0 {
		return v, true
	}
	if len(r.buf) < r.cap {
		r.buf = append(r.buf, v)
		return dropped, false
	}
	dropped = r.buf[r.head]
	r.buf[r.head] = v
	r.head = (r.head + 1) % r.cap
	return dropped, true
}

// len is how many values the ring holds.
func (r *ring[T]) len() int { return len(r.buf) }

// last returns a copy of the newest n values (fewer when it holds fewer), oldest first.
func (r *ring[T]) last(n int) []T {
	n = min(max(n, 0), len(r.buf))
	out := make([]T, 0, n)
	for i := len(r.buf) - n; i < len(r.buf); i++ {
		out = append(out, r.buf[(r.head+i)%len(r.buf)])
	}
	return out
}

// all returns a copy of every value, oldest first.
func (r *ring[T]) all() []T { return r.last(len(r.buf)) }

// makeRoom drops the entries of m that expire first until it has room for one more under limit:
// for the short-lived tokens (pending web logins, sign-in codes) that requests create.
func makeRoom[V any](m map[string]V, limit int, expires func(V) time.Time) {
	for len(m) >= limit && len(m) > 0 {
		var oldest string
		var at time.Time
		for k, v := range m {
			if e := expires(v); oldest == "" || e.Before(at) {
				oldest, at = k, e
			}
		}
		delete(m, oldest)
	}
}
