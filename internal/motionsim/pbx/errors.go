package pbx

import "errors"

var (
	// ErrNotRegistered is returned by CallAgent for an agent with no live registration.
	ErrNotRegistered = errors.New("the agent's softphone is not registered")
	// ErrClosed is returned by a PBX that was closed.
	ErrClosed = errors.New("the PBX is closed")
	// ErrNoSuchCall is returned for a call ID the PBX does not know.
	ErrNoSuchCall = errors.New("no such call")
	// ErrTooManyConnections refuses a connection beyond MaxConnections or MaxConnectionsPerAddress.
	ErrTooManyConnections = errors.New("too many SIP connections")
	// ErrBusy is returned by CallAgent for an agent who has MaxCallsPerUser live calls already.
	ErrBusy = errors.New("the agent has as many calls as the PBX allows")
)
