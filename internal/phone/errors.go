package phone

import "errors"

var (
	// ErrCallState is returned when an action does not fit the call's state (answering a call that
	// already ended, resuming a call that is not held).
	ErrCallState = errors.New("the call is not in a state that allows this")
	// ErrNotRegistered is returned by Dial while the phone is not registered.
	ErrNotRegistered = errors.New("the phone is not signed in to the SIP server yet")
	// ErrNoCommonCodec is the media's refusal of an offer (answered with 488).
	ErrNoCommonCodec = errors.New("the other side offers no audio codec this phone can use")
)
