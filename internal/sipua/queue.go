package sipua

import (
	"context"
	"sync"
)

// queue runs functions one at a time, in the order pushed, on the goroutine that calls run. push
// never blocks, so the read loop can queue events while a handler waits on the network.
type queue struct {
	mu    sync.Mutex
	items []func()
	wake  chan struct{}
}

func newQueue() *queue { return &queue{wake: make(chan struct{}, 1)} }

func (q *queue) push(f func()) {
	q.mu.Lock()
	q.items = append(q.items, f)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// run executes queued functions until ctx ends, then runs what is left and returns.
func (q *queue) run(ctx context.Context) {
	for {
		q.mu.Lock()
		items := q.items
		q.items = nil
		q.mu.Unlock()
		for _, f := range items {
			f()
		}
		if len(items) > 0 {
			continue
		}
		select {
		case <-q.wake:
		case <-ctx.Done():
			q.mu.Lock()
			items := q.items
			q.items = nil
			q.mu.Unlock()
			for _, f := range items {
				f()
			}
			return
		}
	}
}
