package netwatch

import "context"

// watchSystem polls the interfaces (Windows' NotifyIpInterfaceChange would say it sooner).
func (w *Watcher) watchSystem(ctx context.Context, out chan<- Change) { w.poll(ctx, out) }
