package netwatch

import (
	"context"
	"fmt"

	"github.com/vishvananda/netlink"
)

// watchSystem follows the kernel's address and link updates over netlink; if the kernel refuses
// the subscription it polls instead.
func (w *Watcher) watchSystem(ctx context.Context, out chan<- Change) {
	addrs := make(chan netlink.AddrUpdate, 32)
	links := make(chan netlink.LinkUpdate, 32)
	done := make(chan struct{})
	defer close(done)
	if err := netlink.AddrSubscribe(addrs, done); err != nil {
		w.poll(ctx, out)
		return
	}
	if err := netlink.LinkSubscribe(links, done); err != nil {
		w.poll(ctx, out)
		return
	}
	// A link update comes for every change of its counters too: only up/down counts.
	up := map[int]bool{}
	for {
		var c Change
		select {
		case <-ctx.Done():
			return
		case a, ok := <-addrs:
			if !ok {
				w.poll(ctx, out)
				return
			}
			verb := "gone"
			if a.NewAddr {
				verb = "new"
			}
			if a.LinkAddress.IP.IsLinkLocalUnicast() {
				continue
			}
			c = Change{Kind: KindAddress, Detail: fmt.Sprintf("%s address %s", verb, a.LinkAddress.IP)}
		case l, ok := <-links:
			if !ok {
				w.poll(ctx, out)
				return
			}
			attrs := l.Link.Attrs()
			isUp := attrs.OperState == netlink.OperUp || attrs.OperState == netlink.OperUnknown && attrs.Flags&1 != 0
			was, seen := up[attrs.Index]
			up[attrs.Index] = isUp
			if seen && was == isUp {
				continue
			}
			state := "down"
			if isUp {
				state = "up"
			}
			c = Change{Kind: KindLink, Detail: attrs.Name + " " + state}
		}
		select {
		case out <- c:
		case <-ctx.Done():
			return
		}
	}
}
