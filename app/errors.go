package app

import (
	"encoding/json"
	"errors"

	"github.com/phonebar/phonebar/internal/motion"
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
