package agent

import "sync"

// notifier delivers changes to fn in the order they were pushed, from whichever goroutine flushes
// first, never under the session's lock.
type notifier struct {
	fn         func(Change)
	mu         sync.Mutex
	queue      []Change
	delivering bool
}

func (n *notifier) push(c Change) {
	if n.fn == nil {
		return
	}
	n.mu.Lock()
	n.queue = append(n.queue, c)
	n.mu.Unlock()
}

func (n *notifier) flush() {
	n.mu.Lock()
	if n.delivering || n.fn == nil {
		n.mu.Unlock()
		return
	}
	n.delivering = true
	for len(n.queue) > 0 {
		c := n.queue[0]
		n.queue = n.queue[1:]
		n.mu.Unlock()
		n.fn(c)
		n.mu.Lock()
	}
	n.delivering = false
	n.mu.Unlock()
}
