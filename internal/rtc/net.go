package rtc

import (
	ptransport "github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// freshNet is the system's network for pion, whose list of interfaces and addresses is read anew
// each time ICE gathers candidates. pion's own (stdnet) reads it once, when the call's media is
// made, so that an ICE restart after this computer moved to another address would gather on the
// addresses of before.
type freshNet struct {
	*stdnet.Net
}

func newFreshNet() (*freshNet, error) {
	n, err := stdnet.NewNet()
	if err != nil {
		return nil, err
	}
	return &freshNet{Net: n}, nil
}

// Interfaces lists the interfaces there are now (those of before if they cannot be read).
func (n *freshNet) Interfaces() ([]*ptransport.Interface, error) {
	now, err := stdnet.NewNet()
	if err != nil {
		return n.Net.Interfaces()
	}
	return now.Interfaces()
}
