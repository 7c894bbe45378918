package agent

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allStates = []State{StateUnknown, StateLoggedOut, StateLoggingIn, StatePasswordChange, StateConnecting, StateLoggedIn, StateReconnecting, StateLoggingOut}

var allInputs = []Input{InputUnknown, InputLoginStart, InputLoginOK, InputLoginNeedsNewPassword, InputLoginFailed, InputPasswordChanged,
	InputRealtimeUp, InputRealtimeDown, InputEnded, InputLogoutStart, InputLogoutDone}

// TestTransitionTable checks every state × input against the legal moves; everything not listed must
// be refused and leave the state as it was.
func TestTransitionTable(t *testing.T) {
	type key struct {
		s State
		i Input
	}
	legal := map[key]State{
		{StateLoggedOut, InputLoginStart}:            StateLoggingIn,
		{StateLoggingIn, InputLoginOK}:               StateConnecting,
		{StateLoggingIn, InputLoginNeedsNewPassword}: StatePasswordChange,
		{StateLoggingIn, InputLoginFailed}:           StateLoggedOut,
		{StatePasswordChange, InputPasswordChanged}:  StateConnecting,
		{StatePasswordChange, InputEnded}:            StateLoggedOut,
		{StatePasswordChange, InputLogoutStart}:      StateLoggingOut,
		{StateConnecting, InputRealtimeUp}:           StateLoggedIn,
		{StateConnecting, InputRealtimeDown}:         StateReconnecting,
		{StateConnecting, InputEnded}:                StateLoggedOut,
		{StateConnecting, InputLogoutStart}:          StateLoggingOut,
		{StateLoggedIn, InputRealtimeDown}:           StateReconnecting,
		{StateLoggedIn, InputEnded}:                  StateLoggedOut,
		{StateLoggedIn, InputLogoutStart}:            StateLoggingOut,
		{StateReconnecting, InputRealtimeUp}:         StateLoggedIn,
		{StateReconnecting, InputRealtimeDown}:       StateReconnecting,
		{StateReconnecting, InputEnded}:              StateLoggedOut,
		{StateReconnecting, InputLogoutStart}:        StateLoggingOut,
		{StateLoggingOut, InputLogoutDone}:           StateLoggedOut,
	}
	n := 0
	for _, st := range allStates {
		for _, in := range allInputs {
			t.Run(st.String()+"/"+in.String(), func(t *testing.T) {
				got, err := Transition(st, in)
				if want, ok := legal[key{st, in}]; ok {
					n++
					require.NoError(t, err)
					assert.Equal(t, want, got)
					return
				}
				require.ErrorIs(t, err, ErrIllegalTransition)
				assert.Equal(t, st, got, "a refused move keeps the state")
				assert.Contains(t, err.Error(), in.String())
				assert.Contains(t, err.Error(), st.String())
			})
		}
	}
	assert.Equal(t, len(legal), n, "every legal move was visited")
}

func TestEnumStrings(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range allStates[1:] {
		assert.NotEqual(t, "unknown", s.String())
		assert.False(t, seen[s.String()], "duplicate %s", s)
		seen[s.String()] = true
	}
	assert.Equal(t, "unknown", StateUnknown.String())
	assert.Equal(t, "unknown", State(99).String())
	seen = map[string]bool{}
	for _, i := range allInputs[1:] {
		assert.NotEqual(t, "unknown", i.String())
		assert.False(t, seen[i.String()], "duplicate %s", i)
		seen[i.String()] = true
	}
	assert.Equal(t, "unknown", InputUnknown.String())
}

func TestStateOnAFrontEnd(t *testing.T) {
	tests := []struct {
		state              State
		screen, connection string
	}{
		{StateUnknown, "logged-out", ""},
		{StateLoggedOut, "logged-out", ""},
		{StateLoggingIn, "logging-in", ""},
		{StatePasswordChange, "password-change", ""},
		{StateConnecting, "logged-in", ""},
		{StateLoggedIn, "logged-in", "connected"},
		{StateReconnecting, "logged-in", "reconnecting"},
		{StateLoggingOut, "logged-out", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.screen, tt.state.Screen(), tt.state.String())
		assert.Equal(t, tt.connection, tt.state.Connection(), tt.state.String())
	}
}
