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
	// ErrChangeRefused wraps why a hold or resume did not happen (the other side refused it, did not
	// answer in time, or the wait was cancelled): the call and its audio are exactly as before.
	ErrChangeRefused = errors.New("the other side did not take the change: the call goes on as it was")
	// ErrMediaNotMoved wraps why the audio of a call could not move to this computer's new address
	// (the ICE restart was refused or failed): the call stays up, held or not as before, without
	// audio.
	ErrMediaNotMoved = errors.New("the network changed and the call's audio could not move to the new address: hang up and call again")
	// ErrRingTimeout is why an incoming call ended that rang for Config.RingTimeout unanswered.
	ErrRingTimeout = errors.New("nobody answered the call in time")
)
