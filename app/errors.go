package app

import (
	"encoding/json"
	"errors"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/problem"
)

// UIError is what a bound method's error becomes in the frontend: a machine-readable code and a
// message that says what happened and what to do (both from internal/problem, which the command
// line uses too). It never carries a secret.
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
	// RetryInMs is set when the automatic login failed on the network: the window tries again then.
	RetryInMs int64 `json:"retryInMs,omitempty"`
}

func (e *UIError) Error() string { return e.Message }

// FormatError is the window's ErrorFormatter: it turns any error returned by a bound method into a
// UIError, as JSON text. (The Wails runtime rejects the call's promise with new Error(value), which
// keeps a string whole but flattens an object, so the frontend parses Error.message.)
func FormatError(err error) any {
	ui := describe(err)
	b, jerr := json.Marshal(ui)
	if jerr != nil {
		return ui.Message
	}
	return string(b)
}

// describe turns any error into a UIError.
func describe(err error) *UIError {
	var ui *UIError
	if errors.As(err, &ui) {
		return ui
	}
	p := problem.Of(err)
	ui = &UIError{Code: string(p.Code), Message: p.Message, Host: p.Host, Suggestion: p.Suggestion, Phones: p.Phones}
	if p.Fingerprint != "" {
		ui.Fingerprint = p.Fingerprint.Pretty()
	}
	if re := (*agent.RetryError)(nil); errors.As(err, &re) {
		ui.RetryInMs = re.After.Milliseconds()
	}
	return ui
}
