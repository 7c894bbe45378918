package sipua

import "fmt"

// State is where the registration of a user agent stands.
type State int

const (
	// StateUnknown is the zero value: Run has not started.
	StateUnknown State = iota
	// StateConnecting is opening the WebSocket to the SIP server.
	StateConnecting
	// StateRegistering has sent a REGISTER and waits for the answer.
	StateRegistering
	// StateRegistered can take and make calls.
	StateRegistered
	// StateRefreshing is registered and renewing the registration before it expires.
	StateRefreshing
	// StateWaiting lost the connection or was refused for now, and waits before trying again.
	StateWaiting
	// StateUnregistering removes the registration on the way out.
	StateUnregistering
	// StateFailed was refused for good (wrong credentials, unknown account): Run returns the error.
	StateFailed
	// StateClosed is the end: Run has returned.
	StateClosed
)

var stateNames = [...]string{"unknown", "connecting", "registering", "registered", "refreshing", "waiting", "unregistering", "failed", "closed"}

// String names the state in lower case, for logs and JSON.
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// CanCall reports whether calls can be made and received in this state.
func (s State) CanCall() bool { return s == StateRegistered || s == StateRefreshing }

// input is what happens to a registration.
type input int

const (
	inputUnknown       input = iota
	inputStart               // Run starts
	inputConnected           // the WebSocket is open
	inputConnectFailed       // the WebSocket could not be opened
	inputRegistered          // 2xx to REGISTER
	inputRefused             // a final refusal that retrying will not fix (401 after credentials, 403, 404)
	inputRetryable           // a refusal or timeout that may pass (503, 408, no answer)
	inputRefresh             // time to renew
	inputConnLost            // the WebSocket dropped
	inputRetry               // the back-off elapsed
	inputStop                // Run's context ended
	inputUnregistered        // the un-REGISTER was answered (or given up)
)

var inputNames = [...]string{"unknown", "start", "connected", "connect-failed", "registered", "refused", "retryable", "refresh", "conn-lost", "retry", "stop", "unregistered"}

func (i input) String() string {
	if i < 0 || int(i) >= len(inputNames) {
		return fmt.Sprintf("input(%d)", int(i))
	}
	return inputNames[i]
}

// transition is the registration state machine: the next state for s on in, or an error for a move
// that must not happen.
func transition(s State, in input) (State, error) {
	switch s {
	case StateUnknown:
		if in == inputStart {
			return StateConnecting, nil
		}
	case StateConnecting:
		switch in {
		case inputConnected:
			return StateRegistering, nil
		case inputConnectFailed:
			return StateWaiting, nil
		case inputRefused:
			return StateFailed, nil
		case inputStop:
			return StateClosed, nil
		}
	case StateRegistering, StateRefreshing:
		switch in {
		case inputRegistered:
			return StateRegistered, nil
		case inputRefused:
			return StateFailed, nil
		case inputRetryable, inputConnLost:
			return StateWaiting, nil
		case inputStop:
			if s == StateRefreshing {
				return StateUnregistering, nil
			}
			return StateClosed, nil
		}
	case StateRegistered:
		switch in {
		case inputRefresh:
			return StateRefreshing, nil
		case inputConnLost:
			return StateWaiting, nil
		case inputStop:
			return StateUnregistering, nil
		}
	case StateWaiting:
		switch in {
		case inputRetry:
			return StateConnecting, nil
		case inputStop:
			return StateClosed, nil
		}
	case StateUnregistering:
		switch in {
		case inputUnregistered, inputConnLost, inputStop:
			return StateClosed, nil
		}
	case StateFailed:
		if in == inputStop {
			return StateClosed, nil
		}
	}
	return s, fmt.Errorf("sipua: registration cannot go from %s on %s", s, in)
}
