package app

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// UIError is what a bound method's error becomes in the frontend: a machine-readable code and a
// message that says what happened and what to do. It never carries a secret.
type UIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Fingerprint and Host are set on UNTRUSTED_CERTIFICATE and CERTIFICATE_MISMATCH.
	Fingerprint string `json:"fingerprint,omitempty"`
	Host        string `json:"host,omitempty"`
	// Suggestion is a corrected server address (https:// for http://).
	Suggestion string `json:"suggestion,omitempty"`
	// Phones are the telephones to pick from, on PHONE_REQUIRED and PHONE_UNAVAILABLE.
	Phones []string `json:"phones,omitempty"`
}

func (e *UIError) Error() string { return e.Message }

// FormatError is the window's ErrorFormatter: it turns any error returned by a bound method into a
// UIError, as JSON text. (The Wails runtime rejects the call's promise with new Error(value), which
// keeps a string whole but flattens an object, so the frontend parses Error.message.)
func FormatError(err error) any {
	ui := asUIError(err)
	b, jerr := json.Marshal(ui)
	if jerr != nil {
		return ui.Message
	}
	return string(b)
}

func asUIError(err error) *UIError {
	var ui *UIError
	if errors.As(err, &ui) {
		return ui
	}
	var out *UIError
	errors.As(describe(err), &out)
	return out
}

func untrustedHost(err error) string {
	var ue *tlspin.UntrustedError
	if errors.As(err, &ue) {
		return ue.Host
	}
	var me *tlspin.MismatchError
	if errors.As(err, &me) {
		return me.Host
	}
	return ""
}

func httpsSuggestion(err error) string {
	var ne *motion.NotHTTPSError
	if errors.As(err, &ne) {
		return ne.Suggested
	}
	return ""
}

// phoneError turns an error of the desk of calls into a UIError.
func phoneError(err error) error {
	var ui *UIError
	if errors.As(err, &ui) {
		return ui
	}
	if errors.Is(err, phone.ErrChangeRefused) {
		// Before the SIP status: a 488 to a hold is not a codec problem.
		return &UIError{Code: "CALL_CHANGE_REFUSED", Message: capitalize(phone.ErrChangeRefused.Error()) + "."}
	}
	var se *sipua.StatusError
	if errors.As(err, &se) {
		return &UIError{Code: fmt.Sprintf("SIP_%d", se.Code), Message: se.Error()}
	}
	var te *sipua.TransferError
	switch {
	case errors.Is(err, desk.ErrNoCall):
		return &UIError{Code: "NO_CALL", Message: "That call has ended."}
	case errors.Is(err, desk.ErrConsultEnded):
		return &UIError{Code: "NO_CALL", Message: "The consultation call has ended: call your colleague again, then transfer."}
	case errors.Is(err, desk.ErrSameCall):
		return &UIError{Code: "TRANSFER_SAME_CALL", Message: "Choose two different calls: the caller on hold and the colleague you are talking to."}
	case errors.Is(err, desk.ErrTransferNotReady):
		return &UIError{Code: "TRANSFER_NOT_READY", Message: "A transfer needs two calls in progress: the caller on hold and your colleague on the line."}
	case errors.Is(err, desk.ErrClosed):
		return &UIError{Code: "NO_PHONE", Message: "The phone is not running."}
	case errors.As(err, &te):
		return &UIError{Code: "TRANSFER_FAILED", Message: capitalize(te.Error()) + "."}
	case errors.Is(err, sipua.ErrTransferNoReport):
		return &UIError{Code: "TRANSFER_UNCONFIRMED", Message: capitalize(sipua.ErrTransferNoReport.Error()) + ": ask the caller whether they reached your colleague, then hang up."}
	case errors.Is(err, sipua.ErrTransferAbandoned):
		return &UIError{Code: "TRANSFER_ABANDONED", Message: capitalize(sipua.ErrTransferAbandoned.Error()) + "."}
	case errors.Is(err, phone.ErrNotRegistered):
		return &UIError{Code: "NOT_REGISTERED", Message: "The phone is not registered yet: wait for the green dot, or check the network."}
	}
	return &UIError{Code: "CALL_FAILED", Message: err.Error()}
}

// capitalize makes a sentence of an error message that starts in lower case.
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// registrationProblem says in one sentence why the phone is not registered; the full error is in the
// log.
func registrationProblem(err error, retrying bool) string {
	var se *sipua.StatusError
	switch {
	case errors.As(err, &se):
		return se.Error()
	case errors.Is(err, sipua.ErrConnect), errors.Is(err, sipua.ErrNotConnected), errors.Is(err, sipua.ErrTimeout):
		if retrying {
			return "The phone cannot reach the SIP server. Check the network; the Phonebar keeps trying."
		}
		return "The phone cannot reach the SIP server. Check the network, or ask your administrator whether the phone server is up."
	default:
		return err.Error()
	}
}
