package problem

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/omni"
	"github.com/phonebar/phonebar/internal/sipua"
)

func TestRegistrationIsOneSentence(t *testing.T) {
	raw := fmt.Errorf("%w at wss://pbx:8089/ws: failed to WebSocket dial: dial tcp 127.0.0.1:8089: connect: connection refused", sipua.ErrConnect)
	tests := []struct {
		name     string
		err      error
		retrying bool
		want     string
	}{
		{"unreachable while retrying", raw, true, "The phone cannot reach the SIP server. Check the network; the Phonebar keeps trying."},
		{"unreachable, given up", raw, false, "The phone cannot reach the SIP server. Check the network, or ask your administrator whether the phone server is up."},
		{"timeout", sipua.ErrTimeout, true, "The phone cannot reach the SIP server. Check the network; the Phonebar keeps trying."},
		{"other errors keep their words, as a sentence", errors.New("the SIP account is incomplete"), false, "The SIP account is incomplete"},
		{"a SIP refusal", &sipua.StatusError{Method: "REGISTER", Code: 403, Reason: "Forbidden"}, false, "The SIP server forbids this account to sign in: it may be disabled; ask your administrator."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Registration(tt.err, tt.retrying)
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got, "dial tcp")
		})
	}
}

// TestOmniDesktopNeedsTheSession: the Omni Desktop's refusals carry the login vocabulary's codes
// with the sentence that says what to do.
func TestOmniDesktopNeedsTheSession(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code Code
		says string
	}{
		{"no session", omni.ErrNoSession, CodeNotLoggedIn, "Log in first: the Omni Desktop opens with your Phonebar login."},
		{"no password held", fmt.Errorf("open: %w", omni.ErrNoPassword), CodeNoSavedPassword, "log out and log in again to open the Omni Desktop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Of(tt.err)
			assert.Equal(t, tt.code, p.Code)
			assert.Contains(t, p.Message, tt.says)
		})
	}
}
