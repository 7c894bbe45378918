package app

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/sipua"
)

func TestRegistrationProblemIsOneSentence(t *testing.T) {
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
		{"other errors keep their words", errors.New("the SIP account is incomplete"), false, "the SIP account is incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := registrationProblem(tt.err, tt.retrying)
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got, "dial tcp")
		})
	}
}

func TestPhoneErrorTransfers(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		code     string
		contains string
	}{
		{"target busy", &sipua.TransferError{Code: 486, Reason: "Busy Here"}, "TRANSFER_FAILED", "The transfer target is busy: both calls are still up"},
		{"transferee refuses REFER", &sipua.TransferError{Refused: true, Code: 405, Reason: "Method Not Allowed"}, "TRANSFER_FAILED", "does not accept transfers"},
		{"no report", fmt.Errorf("wrapped: %w", sipua.ErrTransferNoReport), "TRANSFER_UNCONFIRMED", "ask the caller"},
		{"abandoned", sipua.ErrTransferAbandoned, "TRANSFER_ABANDONED", "one of the two calls ended"},
		{"a UIError stays as it is", &UIError{Code: "TRANSFER_NOT_READY", Message: "x"}, "TRANSFER_NOT_READY", "x"},
		{"SIP refusal", &sipua.StatusError{Method: "INVITE", Code: 486, Reason: "Busy Here"}, "SIP_486", "busy"},
		{"hold refused is no codec problem", fmt.Errorf("%w: %w", phone.ErrChangeRefused, &sipua.StatusError{Method: "INVITE", Code: 488, Reason: "Not Acceptable Here"}), "CALL_CHANGE_REFUSED", "goes on as it was"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ui *UIError
			require.ErrorAs(t, phoneError(tt.err), &ui)
			assert.Equal(t, tt.code, ui.Code)
			assert.Contains(t, ui.Message, tt.contains)
		})
	}
}
