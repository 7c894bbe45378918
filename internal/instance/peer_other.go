//go:build !linux && !darwin && !windows

package instance

import "net"

// samePeer relies on the folder's mode alone where the system names no peer.
func samePeer(net.Conn) error { return nil }
