package desk

import "fmt"

// Direction says who placed a call.
type Direction int

const (
	// DirectionUnknown is the zero value.
	DirectionUnknown Direction = iota
	// DirectionIn is a call the agent received.
	DirectionIn
	// DirectionOut is a call the agent placed.
	DirectionOut
)

var directionNames = [...]string{"unknown", "in", "out"}

// String is "in", "out" or "unknown", as the history and the window spell it.
func (d Direction) String() string {
	if d < 0 || int(d) >= len(directionNames) {
		return fmt.Sprintf("Direction(%d)", int(d))
	}
	return directionNames[d]
}

// Outcome is how a call ended, for the history.
type Outcome int

const (
	// OutcomeUnknown is the zero value.
	OutcomeUnknown Outcome = iota
	// OutcomeAnswered: the call was established and ended.
	OutcomeAnswered
	// OutcomeTransferred: the call was established, then handed to someone else.
	OutcomeTransferred
	// OutcomeMissed: an incoming call ended without being answered or refused.
	OutcomeMissed
	// OutcomeRejected: the agent refused an incoming call.
	OutcomeRejected
	// OutcomeFailed: an outgoing call was refused or could not be placed.
	OutcomeFailed
	// OutcomeCancelled: the agent hung up an outgoing call before the answer.
	OutcomeCancelled
)

var outcomeNames = [...]string{"unknown", "answered", "transferred", "missed", "rejected", "failed", "cancelled"}

// String is the outcome in lower case, as the history file spells it.
func (o Outcome) String() string {
	if o < 0 || int(o) >= len(outcomeNames) {
		return fmt.Sprintf("Outcome(%d)", int(o))
	}
	return outcomeNames[o]
}
