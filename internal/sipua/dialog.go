package sipua

import "fmt"

// DialogState is where a call's SIP dialog stands (RFC 3261 section 12), with the one
// renegotiation of ours that may be under way (section 14).
type DialogState int

const (
	// DialogUnknown is the zero value: no INVITE yet.
	DialogUnknown DialogState = iota
	// DialogEarly: the INVITE was sent or received, no final answer yet.
	DialogEarly
	// DialogAnswered: we answered an incoming INVITE with 200 and wait for the ACK.
	DialogAnswered
	// DialogConfirmed: the dialog is established and no re-INVITE of ours is pending.
	DialogConfirmed
	// DialogReinviting: established, and our re-INVITE waits for its final answer. The session
	// the dialog carries is the one before the re-INVITE until a 2xx comes.
	DialogReinviting
	// DialogEnded: over (BYE, CANCEL, a refusal, a lost connection).
	DialogEnded
)

var dialogStateNames = [...]string{"unknown", "early", "answered", "confirmed", "reinviting", "ended"}

// String names the state in lower case, for logs.
func (s DialogState) String() string {
	if s < 0 || int(s) >= len(dialogStateNames) {
		return fmt.Sprintf("DialogState(%d)", int(s))
	}
	return dialogStateNames[s]
}

// Established reports whether the dialog carries a session (in-dialog requests can be sent).
func (s DialogState) Established() bool {
	return s == DialogAnswered || s == DialogConfirmed || s == DialogReinviting
}

// dialogInput is what happens to a dialog.
type dialogInput int

const (
	dialogInputUnknown      dialogInput = iota
	dialogInputInvite                   // the initial INVITE is sent or received
	dialogInputAccepted                 // a 2xx to our initial INVITE came (we ACK it)
	dialogInputAnswer                   // we answered their initial INVITE with 200
	dialogInputAck                      // the ACK of our 200 came
	dialogInputReinvite                 // we send a re-INVITE
	dialogInputReinviteDone             // our re-INVITE got its final answer, or we gave up on it
	dialogInputEnd                      // BYE either way, CANCEL, a refusal, a failure
)

var dialogInputNames = [...]string{"unknown", "invite", "accepted", "answer", "ack", "reinvite", "reinvite-done", "end"}

func (i dialogInput) String() string {
	if i < 0 || int(i) >= len(dialogInputNames) {
		return fmt.Sprintf("dialogInput(%d)", int(i))
	}
	return dialogInputNames[i]
}

// dialogTransition is the dialog state machine: the next state for s on in, or an error for a
// move that must not happen (the state is then kept).
func dialogTransition(s DialogState, in dialogInput) (DialogState, error) {
	switch s {
	case DialogUnknown:
		if in == dialogInputInvite {
			return DialogEarly, nil
		}
	case DialogEarly:
		switch in {
		case dialogInputAccepted:
			return DialogConfirmed, nil
		case dialogInputAnswer:
			return DialogAnswered, nil
		case dialogInputEnd:
			return DialogEnded, nil
		}
	case DialogAnswered:
		switch in {
		case dialogInputAck:
			return DialogConfirmed, nil
		case dialogInputEnd:
			return DialogEnded, nil
		}
	case DialogConfirmed:
		switch in {
		case dialogInputAck:
			return DialogConfirmed, nil // the ACK of their re-INVITE's 200, or a repeated one
		case dialogInputReinvite:
			return DialogReinviting, nil
		case dialogInputEnd:
			return DialogEnded, nil
		}
	case DialogReinviting:
		switch in {
		case dialogInputAck:
			return DialogReinviting, nil
		case dialogInputReinviteDone:
			return DialogConfirmed, nil
		case dialogInputEnd:
			return DialogEnded, nil
		}
	}
	return s, fmt.Errorf("%w: a dialog cannot go from %s on %s", ErrCallState, s, in)
}

// DialogState returns where the call's dialog stands.
func (c *Call) DialogState() DialogState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// moveLocked moves the dialog's state machine; c.mu must be held. A refused move leaves the state.
func (c *Call) moveLocked(in dialogInput) error {
	next, err := dialogTransition(c.state, in)
	if err != nil {
		return err
	}
	c.state = next
	return nil
}
