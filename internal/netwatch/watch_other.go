//go:build !linux && !windows && !darwin

package netwatch

import "context"

// watchSystem polls the interfaces.
func (w *Watcher) watchSystem(ctx context.Context, out chan<- Change) { w.poll(ctx, out) }
