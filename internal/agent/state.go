package agent

import "fmt"

// State is where the agent session is. The zero value, StateUnknown, is never a session's state.
type State int

// Session states.
const (
	StateUnknown State = iota
	// StateLoggedOut: no session (the start, after a logout, or after the server ended it).
	StateLoggedOut
	// StateLoggingIn: a login is in flight.
	StateLoggingIn
	// StatePasswordChange: logged in, but the password must be changed before anything else.
	StatePasswordChange
	// StateConnecting: logged in; the realtime connection is being opened for the first time.
	StateConnecting
	// StateLoggedIn: logged in with a live realtime connection.
	StateLoggedIn
	// StateReconnecting: logged in; the realtime connection dropped and is being reopened.
	StateReconnecting
	// StateLoggingOut: a logout is in flight.
	StateLoggingOut
)

func (s State) String() string {
	switch s {
	case StateLoggedOut:
		return "logged-out"
	case StateLoggingIn:
		return "logging-in"
	case StatePasswordChange:
		return "password-change"
	case StateConnecting:
		return "connecting"
	case StateLoggedIn:
		return "logged-in"
	case StateReconnecting:
		return "reconnecting"
	case StateLoggingOut:
		return "logging-out"
	}
	return "unknown"
}

// HasSession reports whether the state holds a server session (a token).
func (s State) HasSession() bool {
	switch s {
	case StatePasswordChange, StateConnecting, StateLoggedIn, StateReconnecting:
		return true
	}
	return false
}

// Screen is which screen a front end shows in the state: "logging-in", "password-change",
// "logged-in" (any other state with a session) or "logged-out".
func (s State) Screen() string {
	switch {
	case s == StateLoggingIn, s == StatePasswordChange:
		return s.String()
	case s.HasSession():
		return "logged-in"
	}
	return "logged-out"
}

// Connection is how the realtime connection reads on a front end: "connected", "reconnecting", or
// "" while there is none yet (or no session).
func (s State) Connection() string {
	switch s {
	case StateLoggedIn:
		return "connected"
	case StateReconnecting:
		return "reconnecting"
	}
	return ""
}

// Input is what happens to a session. The zero value, InputUnknown, is never valid.
type Input int

// Session inputs.
const (
	InputUnknown Input = iota
	// InputLoginStart: Login was called.
	InputLoginStart
	// InputLoginOK: the server accepted the login and whoami answered.
	InputLoginOK
	// InputLoginNeedsNewPassword: the server accepted the login but the password must change first.
	InputLoginNeedsNewPassword
	// InputLoginFailed: the login failed.
	InputLoginFailed
	// InputPasswordChanged: the required password change succeeded.
	InputPasswordChanged
	// InputRealtimeUp: the realtime connection said hello.
	InputRealtimeUp
	// InputRealtimeDown: the realtime connection failed or went silent.
	InputRealtimeDown
	// InputEnded: the server ended the session (logout event, token refused).
	InputEnded
	// InputLogoutStart: Logout was called.
	InputLogoutStart
	// InputLogoutDone: the logout finished.
	InputLogoutDone
)

func (i Input) String() string {
	switch i {
	case InputLoginStart:
		return "login-start"
	case InputLoginOK:
		return "login-ok"
	case InputLoginNeedsNewPassword:
		return "login-needs-new-password"
	case InputLoginFailed:
		return "login-failed"
	case InputPasswordChanged:
		return "password-changed"
	case InputRealtimeUp:
		return "realtime-up"
	case InputRealtimeDown:
		return "realtime-down"
	case InputEnded:
		return "ended"
	case InputLogoutStart:
		return "logout-start"
	case InputLogoutDone:
		return "logout-done"
	}
	return "unknown"
}

// Transition is the session's state machine: the state after in happens in from, or an error
// matching ErrIllegalTransition.
func Transition(from State, in Input) (State, error) {
	switch in {
	case InputLoginStart:
		if from == StateLoggedOut {
			return StateLoggingIn, nil
		}
	case InputLoginOK:
		if from == StateLoggingIn {
			return StateConnecting, nil
		}
	case InputLoginNeedsNewPassword:
		if from == StateLoggingIn {
			return StatePasswordChange, nil
		}
	case InputLoginFailed:
		if from == StateLoggingIn {
			return StateLoggedOut, nil
		}
	case InputPasswordChanged:
		if from == StatePasswordChange {
			return StateConnecting, nil
		}
	case InputRealtimeUp:
		if from == StateConnecting || from == StateReconnecting {
			return StateLoggedIn, nil
		}
	case InputRealtimeDown:
		if from == StateConnecting || from == StateLoggedIn || from == StateReconnecting {
			return StateReconnecting, nil
		}
	case InputEnded:
		if from.HasSession() {
			return StateLoggedOut, nil
		}
	case InputLogoutStart:
		if from.HasSession() {
			return StateLoggingOut, nil
		}
	case InputLogoutDone:
		if from == StateLoggingOut {
			return StateLoggedOut, nil
		}
	}
	return from, fmt.Errorf("%w: %s in state %s", ErrIllegalTransition, in, from)
}
