package agent

import (
	"context"
	"errors"
	"unicode"
	"unicode/utf8"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// Error codes for the UI and the command line (Describe). Each names one thing the agent can act on.
const (
	CodeInvalidCredentials    = motion.CodeInvalidCredentials
	CodeAccountLocked         = motion.CodeAccountLocked
	CodeSessionExists         = motion.CodeSessionExists
	CodePasswordRules         = motion.CodePasswordRules
	CodePasswordExpired       = motion.CodePasswordExpired
	CodeSessionEnded          = motion.CodeSessionEnded
	CodeUnauthorized          = motion.CodeUnauthorized
	CodePhoneRequired         = motion.CodePhoneRequired
	CodePhoneUnavailable      = motion.CodePhoneUnavailable
	CodeUnknownAuthFormat     = "UNKNOWN_AUTHORIZATION_FORMAT"
	CodeUnreachable           = "UNREACHABLE"
	CodeTimeout               = "TIMEOUT"
	CodeNotMotion             = "NOT_MOTION"
	CodeNotHTTPS              = "NOT_HTTPS"
	CodeBadURL                = "BAD_URL"
	CodeBadFingerprint        = "BAD_FINGERPRINT"
	CodeUntrustedCertificate  = "UNTRUSTED_CERTIFICATE"
	CodeCertificateMismatch   = "CERTIFICATE_MISMATCH"
	CodeKeyringUnavailable    = "KEYRING_UNAVAILABLE"
	CodeKeyringTimeout        = "KEYRING_TIMEOUT"
	CodeInsecureSIP           = "INSECURE_SIP_WS"
	CodePasswordTooLong       = "PASSWORD_TOO_LONG"
	CodeNoSavedLogin          = "NO_SAVED_LOGIN"
	CodeNoSavedPassword       = "NO_SAVED_PASSWORD"
	CodeSavedPasswordRejected = "SAVED_PASSWORD_REJECTED"
	CodeMissingCredentials    = "MISSING_CREDENTIALS"
	CodeBusy                  = "BUSY"
	CodeBadEmail              = "BAD_EMAIL"
	CodeNotLoggedIn           = "NOT_LOGGED_IN"
	CodeSettingsDamaged       = "SETTINGS_DAMAGED"
	CodeSettingsUnreadable    = "SETTINGS_UNREADABLE"
	CodeSettingsLocked        = "SETTINGS_LOCKED"
	CodeServerError           = "SERVER_ERROR"
	CodeServerRefused         = "SERVER_REFUSED"
	CodeCanceled              = "CANCELED"
	CodeInternal              = "INTERNAL"
)

// ErrorInfo is an error as the UI and the command line show it.
type ErrorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Fingerprint is the server certificate's SHA-256 (UNTRUSTED_CERTIFICATE: the one to trust;
	// CERTIFICATE_MISMATCH: the one now presented).
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Describe classifies err for the agent: a code from the list above and a message that says what
// to do.
func Describe(err error) ErrorInfo {
	if err == nil {
		return ErrorInfo{}
	}
	info := ErrorInfo{Code: code(err), Message: sentence(err.Error())}
	var ue *tlspin.UntrustedError
	var me *tlspin.MismatchError
	switch {
	case errors.As(err, &ue):
		info.Fingerprint = string(ue.Fingerprint)
	case errors.As(err, &me):
		info.Fingerprint = string(me.Got)
	}
	return info
}

func code(err error) string {
	var ue *tlspin.UntrustedError
	var me *tlspin.MismatchError
	var ae *motion.APIError
	checks := []struct {
		target error
		code   string
	}{
		{ErrSavedPasswordRejected, CodeSavedPasswordRejected},
		{ErrMicrophoneNeeded, CodeMicrophoneNeeded},
		{ErrNoSavedPassword, CodeNoSavedPassword},
		{ErrNoSavedLogin, CodeNoSavedLogin},
		{motion.ErrNotHTTPS, CodeNotHTTPS},
		{motion.ErrBadURL, CodeBadURL},
		{tlspin.ErrBadFingerprint, CodeBadFingerprint},
		{motion.ErrUnknownAuthFormat, CodeUnknownAuthFormat},
		{motion.ErrInvalidCredentials, CodeInvalidCredentials},
		{motion.ErrAccountLocked, CodeAccountLocked},
		{motion.ErrSessionExists, CodeSessionExists},
		{motion.ErrPasswordRules, CodePasswordRules},
		{motion.ErrPasswordExpired, CodePasswordExpired},
		{motion.ErrPhoneUnavailable, CodePhoneUnavailable},
		{motion.ErrPhoneRequired, CodePhoneRequired},
		{motion.ErrSessionEnded, CodeSessionEnded},
		{motion.ErrUnauthorized, CodeUnauthorized},
		{motion.ErrUnreachable, CodeUnreachable},
		{motion.ErrTimeout, CodeTimeout},
		{motion.ErrNotMotion, CodeNotMotion},
		{motion.ErrServer, CodeServerError},
		{credstore.ErrTimeout, CodeKeyringTimeout},
		{credstore.ErrUnavailable, CodeKeyringUnavailable},
		{ErrInsecureSIP, CodeInsecureSIP},
		{credstore.ErrTooBig, CodePasswordTooLong},
		{ErrMissingCredentials, CodeMissingCredentials},
		{ErrBusy, CodeBusy},
		{ErrBadEmail, CodeBadEmail},
		{ErrNotLoggedIn, CodeNotLoggedIn},
		{motion.ErrNotLoggedIn, CodeNotLoggedIn},
		{config.ErrCorrupt, CodeSettingsDamaged},
		{config.ErrUnreadable, CodeSettingsUnreadable},
		{config.ErrLocked, CodeSettingsLocked},
		{context.Canceled, CodeCanceled},
		{context.DeadlineExceeded, CodeTimeout},
	}
	switch {
	case errors.As(err, &ue):
		return CodeUntrustedCertificate
	case errors.As(err, &me):
		return CodeCertificateMismatch
	}
	for _, c := range checks {
		if errors.Is(err, c.target) {
			return c.code
		}
	}
	if errors.As(err, &ae) {
		return CodeServerRefused
	}
	return CodeInternal
}

// sentence capitalizes the first letter of s.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
