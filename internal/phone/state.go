package phone

import "fmt"

// State is where a call stands.
type State int

const (
	// StateUnknown is the zero value.
	StateUnknown State = iota
	// StateDialing is an outgoing call waiting for the answer.
	StateDialing
	// StateRinging is an incoming call not answered yet.
	StateRinging
	// StateActive is an established call with audio both ways.
	StateActive
	// StateHeld is an established call we put on hold.
	StateHeld
	// StateEnded is over.
	StateEnded
)

var stateNames = [...]string{"unknown", "dialing", "ringing", "active", "held", "ended"}

// String names the state in lower case.
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// input is what happens to a call.
type input int

const (
	inputUnknown  input = iota
	inputDial           // we place it
	inputIncoming       // it arrives
	inputAnswered       // established (either side answered)
	inputHold           // we hold it
	inputResume         // we resume it
	inputEnd            // hang-up, refusal, cancel, failure
)

var inputNames = [...]string{"unknown", "dial", "incoming", "answered", "hold", "resume", "end"}

func (i input) String() string {
	if i < 0 || int(i) >= len(inputNames) {
		return fmt.Sprintf("input(%d)", int(i))
	}
	return inputNames[i]
}

// transition is the call state machine.
func transition(s State, in input) (State, error) {
	switch s {
	case StateUnknown:
		switch in {
		case inputDial:
			return StateDialing, nil
		case inputIncoming:
			return StateRinging, nil
		}
	case StateDialing, StateRinging:
		switch in {
		case inputAnswered:
			return StateActive, nil
		case inputEnd:
			return StateEnded, nil
		}
	case StateActive:
		switch in {
		case inputHold:
			return StateHeld, nil
		case inputEnd:
			return StateEnded, nil
		}
	case StateHeld:
		switch in {
		case inputResume:
			return StateActive, nil
		case inputEnd:
			return StateEnded, nil
		}
	}
	return s, fmt.Errorf("%w: a call cannot go from %s on %s", ErrCallState, s, in)
}
