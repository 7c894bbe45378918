// Package netwatch notices what makes a softphone's connections stale without a packet being
// lost yet: a local address that appeared, went or changed, a link that went down or up, a new
// interface, and a resume from sleep (the wall clock jumped ahead of the monotonic one, which
// stands still while the machine sleeps). The phone reconnects at once on a Change instead of
// waiting for a keep-alive to time out.
//
// On Linux the kernel says so through netlink (address and link updates); on Windows and macOS the
// interfaces are polled every PollInterval. A Watcher's Run owns its goroutines and returns when
// its context ends.
package netwatch
