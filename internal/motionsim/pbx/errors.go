package pbx

import "errors"

var (
	// ErrNotRegistered is returned by CallAgent for an agent with no live registration.
	ErrNotRegistered = errors.New("the agent's softphone is not registered")
	// ErrClosed is returned by a PBX that was closed.
	ErrClosed = errors.New("the PBX is closed")
	// ErrNoSuchCall is returned for a call ID the PBX does not know.
	ErrNoSuchCall = errors.New("no such call")
)
