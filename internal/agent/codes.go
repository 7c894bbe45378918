package agent

import "github.com/phonebar/phonebar/internal/motion"

// Error codes, kept for the code that names them (app/omni.go): the vocabulary is
// internal/problem's, which maps every error to its code and message; its tests check these agree.
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
