package motion

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Typed errors below match them with errors.Is, so callers branch without knowing the
// types.
var (
	// ErrBadURL: the server address is not one (see *BadURLError).
	ErrBadURL = errors.New("not a server address")
	// ErrNotHTTPS: the address is http:// (see *NotHTTPSError).
	ErrNotHTTPS = errors.New("Motion needs a secure (https://) connection")
	// ErrUnreachable: no connection to the server (see *NetError).
	ErrUnreachable = errors.New("the server cannot be reached")
	// ErrTimeout: the server did not answer in time (see *NetError).
	ErrTimeout = errors.New("the server did not answer in time")
	// ErrNotMotion: something answered that does not speak HTTPS or Motion's API (see *NetError).
	ErrNotMotion = errors.New("the server does not answer like a Motion server")

	// ErrInvalidCredentials: wrong login name or password (APIError code INVALID_CREDENTIALS, or a
	// plain 401 on login).
	ErrInvalidCredentials = errors.New("wrong username or password")
	// ErrAccountLocked: too many wrong attempts (ACCOUNT_LOCKED).
	ErrAccountLocked = errors.New("account locked")
	// ErrSessionExists: the user is logged in elsewhere; log in with Force to end that session.
	ErrSessionExists = errors.New("already logged in elsewhere")
	// ErrPasswordRules: a new password broke the rules (PASSWORD_RULES).
	ErrPasswordRules = errors.New("password refused by the rules")
	// ErrPasswordExpired: the password must be changed first (PASSWORD_EXPIRED).
	ErrPasswordExpired = errors.New("password expired")
	// ErrUnauthorized: no token, or the token is no longer valid (UNAUTHORIZED, SESSION_ENDED, or a
	// plain 401 outside login).
	ErrUnauthorized = errors.New("not logged in")
	// ErrSessionEnded: the server ended the session (SESSION_ENDED); also matches ErrUnauthorized.
	ErrSessionEnded = errors.New("session ended by the server")
	// ErrUnknownAuthFormat: the server answered 401 "Unknown authorization format": the
	// credentials did not reach it over a secure connection.
	ErrUnknownAuthFormat = errors.New(UnknownAuthorizationFormat)
	// ErrPhoneRequired: a hot-desk agent must pick a telephone to log in (PHONE_REQUIRED).
	ErrPhoneRequired = errors.New("choose the telephone to use")
	// ErrPhoneUnavailable: the telephone picked is no longer available (PHONE_UNAVAILABLE).
	ErrPhoneUnavailable = errors.New("the telephone is no longer available")
	// ErrServer: the server failed (5xx).
	ErrServer = errors.New("server error")
	// ErrNotLoggedIn: a call that needs a token was made before Login.
	ErrNotLoggedIn = errors.New("not logged in: call Login first")
	// ErrRealtimeStale: the realtime socket stayed silent for three heartbeat intervals.
	ErrRealtimeStale = errors.New("the realtime connection went silent")
	// ErrRealtimeClosed: the realtime socket was closed (by the server, the network or Close).
	ErrRealtimeClosed = errors.New("the realtime connection is closed")
)

// BadURLError says why a server address was refused. It never repeats the address typed (it might
// hold something secret pasted by mistake).
type BadURLError struct {
	Reason string
}

func (e *BadURLError) Error() string { return "motion: not a server address: " + e.Reason }

// Is makes errors.Is(err, ErrBadURL) true.
func (e *BadURLError) Is(target error) bool { return target == ErrBadURL }

// NotHTTPSError refuses an http:// address and offers the https:// one.
type NotHTTPSError struct {
	// Suggested is the https:// address to use instead.
	Suggested string
}

func (e *NotHTTPSError) Error() string {
	return "motion: an http:// address is refused; " + e.Suggested + " is the secure one"
}

// Is makes errors.Is(err, ErrNotHTTPS) true.
func (e *NotHTTPSError) Is(target error) bool { return target == ErrNotHTTPS }

// APIError is an error answer of the Motion API. Code is the server's machine-readable code, or the
// one inferred from the status when a server sends only a message (or no JSON at all). Message is
// the server's own text; Error() says it in technical words (internal/problem writes the sentence).
type APIError struct {
	// Op names the call ("login", "whoami", ...).
	Op     string
	Status int
	Code   string
	// Message is the server's message, or the HTTP status text when it sent none.
	Message      string
	AttemptsLeft *int
	UnlockAt     *time.Time
	Rules        []string
	// Inferred says Code was not sent by the server but deduced from Status.
	Inferred bool
}

// unknownAuthFormat reports the 401 "Unknown authorization format".
func (e *APIError) unknownAuthFormat() bool {
	return e.Status == http.StatusUnauthorized && strings.EqualFold(strings.TrimSpace(e.Message), UnknownAuthorizationFormat)
}

// Is matches the sentinel of the error's code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnknownAuthFormat:
		return e.unknownAuthFormat()
	case ErrInvalidCredentials:
		return e.Code == CodeInvalidCredentials
	case ErrAccountLocked:
		return e.Code == CodeAccountLocked
	case ErrSessionExists:
		return e.Code == CodeSessionExists
	case ErrPasswordRules:
		return e.Code == CodePasswordRules
	case ErrPasswordExpired:
		return e.Code == CodePasswordExpired
	case ErrSessionEnded:
		return e.Code == CodeSessionEnded
	case ErrUnauthorized:
		return e.Code == CodeUnauthorized || e.Code == CodeSessionEnded
	case ErrPhoneRequired:
		return e.Code == CodePhoneRequired
	case ErrPhoneUnavailable:
		return e.Code == CodePhoneUnavailable
	case ErrServer:
		return e.Status >= 500
	}
	return false
}

// Error says what the server answered, in technical words with its data (internal/problem writes
// the sentence the agent reads).
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "motion: %s: %d %s", e.Op, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %q", e.Message)
	}
	if e.AttemptsLeft != nil {
		fmt.Fprintf(&b, " (attempts left: %d)", *e.AttemptsLeft)
	}
	if e.UnlockAt != nil {
		b.WriteString(" (unlock at " + e.UnlockAt.UTC().Format(time.RFC3339) + ")")
	}
	if len(e.Rules) > 0 {
		b.WriteString(" (rules: " + strings.Join(e.Rules, "; ") + ")")
	}
	return b.String()
}

// NetErrorKind classifies a network failure.
type NetErrorKind int

// Network failure kinds.
const (
	NetUnknown NetErrorKind = iota
	// NetUnreachable: no connection (refused, no route, unknown host name, closed early).
	NetUnreachable
	// NetTimeout: no answer in time.
	NetTimeout
	// NetNotMotion: the other end does not speak HTTPS, or answered outside Motion's API.
	NetNotMotion
)

func (k NetErrorKind) String() string {
	switch k {
	case NetUnreachable:
		return "unreachable"
	case NetTimeout:
		return "timeout"
	case NetNotMotion:
		return "not-motion"
	}
	return "unknown"
}

// NetError is a failure to talk to the server at all. Certificate problems are not NetErrors: they
// come as *tlspin.UntrustedError or *tlspin.MismatchError.
type NetError struct {
	Kind NetErrorKind
	Host string
	Port string
	// Reason is a short description of the cause ("connection refused").
	Reason string
	Err    error
}

// Error says what failed, in technical words (internal/problem writes the sentence the agent reads).
func (e *NetError) Error() string {
	return fmt.Sprintf("motion: %s: %s port %s: %s", e.Kind, e.Host, e.Port, e.Reason)
}

// Unwrap returns the cause.
func (e *NetError) Unwrap() error { return e.Err }

// Is matches ErrUnreachable, ErrTimeout or ErrNotMotion by Kind.
func (e *NetError) Is(target error) bool {
	switch target {
	case ErrUnreachable:
		return e.Kind == NetUnreachable
	case ErrTimeout:
		return e.Kind == NetTimeout
	case ErrNotMotion:
		return e.Kind == NetNotMotion
	}
	return false
}
