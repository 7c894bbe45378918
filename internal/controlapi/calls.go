package controlapi

import (
	"time"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/phone"
)

// CallState is the real Phonebar's call state: bit values, several of which may be set at once.
// [doc values]
type CallState int

// The call-state bits. [doc]
const (
	StateNull       CallState = 0
	StateIdle       CallState = 1
	StateConnecting CallState = 2
	StateAlerting   CallState = 4
	StateActive     CallState = 8
	StateReleased   CallState = 16
	StateIncoming   CallState = 32
	StateHolding    CallState = 64
	StateTerminated CallState = 128
)

var stateNames = []struct {
	bit  CallState
	name string
}{
	{StateIdle, "IDLE"}, {StateConnecting, "CONNECTING"}, {StateAlerting, "ALERTING"}, {StateActive, "ACTIVE"},
	{StateReleased, "RELEASED"}, {StateIncoming, "INCOMING"}, {StateHolding, "HOLDING"}, {StateTerminated, "TERMINATED"},
}

// Names lists the bits set, in bit order ("NULL" for none).
func (s CallState) Names() []string {
	if s == StateNull {
		return []string{"NULL"}
	}
	var out []string
	for _, n := range stateNames {
		if s&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// stateOf maps a call of the desk to the bits. [ours: which bits each of our states sets]
//   - an outgoing call not answered yet: CONNECTING
//   - an incoming call ringing: INCOMING | ALERTING
//   - an established call: ACTIVE; put on hold by the agent: ACTIVE | HOLDING
//   - an ended call (never listed, but answered by an action that ended it): RELEASED | TERMINATED
func stateOf(c desk.CallView) CallState {
	switch c.State {
	case phone.StateDialing:
		return StateConnecting
	case phone.StateRinging:
		return StateIncoming | StateAlerting
	case phone.StateActive:
		return StateActive
	case phone.StateHeld:
		return StateActive | StateHolding
	case phone.StateEnded:
		return StateReleased | StateTerminated
	}
	return StateNull
}

// Call is one call in the API's answers. [ours: the shape]
type Call struct {
	// ID names the call in the other routes. A call placed through the API is "dial-N" until it
	// is answered, then takes its lasting ID.
	ID string `json:"id"`
	// State is the bit set; StateNames the names of its bits.
	State      CallState `json:"state"`
	StateNames []string  `json:"stateNames"`
	// Direction is "in" or "out".
	Direction string `json:"direction"`
	// Number is the other side's number or SIP address; Name its display name, if any.
	Number string `json:"number"`
	Name   string `json:"name,omitempty"`
	// AnsweredAt is when the call was established (absent before).
	AnsweredAt *time.Time `json:"answeredAt,omitempty"`
	Muted      bool       `json:"muted"`
	// HeldByRemote says the other side put the call on hold.
	HeldByRemote bool `json:"heldByRemote"`
}

func callOf(c desk.CallView) Call {
	st := stateOf(c)
	out := Call{ID: c.ID, State: st, StateNames: st.Names(), Direction: c.Direction.String(), Number: c.Remote, Name: c.RemoteName,
		Muted: c.Muted, HeldByRemote: c.HeldByRemote}
	if !c.Answered.IsZero() {
		t := c.Answered.UTC()
		out.AnsweredAt = &t
	}
	return out
}

// Calls is the answer of GET /api/calls. [ours]
type Calls struct {
	// Registered says the phone can place and take calls now.
	Registered bool   `json:"registered"`
	Calls      []Call `json:"calls"`
}

// ActionResult is the answer of an action on a call. [ours]
type ActionResult struct {
	// Action is what was done: "originate", "answer", "hangup", "hold", "resume", "transfer".
	Action string `json:"action"`
	Call   Call   `json:"call"`
}

// ErrorBody is the answer of every refusal: a machine-readable Code and a Message that says what
// to do. On NO_CALL, Calls lists the calls there are. [ours]
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Calls   []Call `json:"calls,omitempty"`
}
