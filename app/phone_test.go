package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// TestFormatError: a bound method's error reaches the window as the JSON of a UIError made by
// internal/problem, with the certificate's fingerprint in the form the agent compares.
func TestFormatError(t *testing.T) {
	fp := tlspin.Fingerprint(strings.Repeat("ab", 32))
	tests := []struct {
		name        string
		err         error
		code        string
		contains    string
		fingerprint string
	}{
		{"a UIError stays as it is", &UIError{Code: "TRANSFER_NOT_READY", Message: "x"}, "TRANSFER_NOT_READY", "x", ""},
		{"SIP refusal", &sipua.StatusError{Method: "INVITE", Code: 486, Reason: "Busy Here"}, "SIP_486", "busy", ""},
		{"transfer", &sipua.TransferError{Code: 486, Reason: "Busy Here"}, "TRANSFER_FAILED", "The transfer target is busy", ""},
		{"untrusted", fmt.Errorf("login: %w", &tlspin.UntrustedError{Host: "h:443", Fingerprint: fp}), "UNTRUSTED_CERTIFICATE", "", fp.Pretty()},
		{"no phone", desk.ErrNoPhone, "NO_PHONE", "desk phone", ""},
		{"hold refused is no codec problem", fmt.Errorf("%w: %w", phone.ErrChangeRefused, &sipua.StatusError{Method: "INVITE", Code: 488, Reason: "Not Acceptable Here"}), "CALL_CHANGE_REFUSED", "goes on as it was", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := FormatError(tt.err).(string)
			require.True(t, ok)
			var ui UIError
			require.NoError(t, json.Unmarshal([]byte(s), &ui))
			assert.Equal(t, tt.code, ui.Code)
			assert.Contains(t, ui.Message, tt.contains)
			assert.Equal(t, tt.fingerprint, ui.Fingerprint)
		})
	}
}
