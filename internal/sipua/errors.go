package sipua

import (
	"errors"
	"fmt"
)

var (
	// ErrClosed is returned by calls on a user agent whose Run has returned.
	ErrClosed = errors.New("the phone line is closed")
	// ErrNotConnected is returned when a request is made while the WebSocket to the SIP server is down.
	ErrNotConnected = errors.New("not connected to the SIP server: check the network; the phone reconnects by itself")
	// ErrConnect wraps a failure to open the WebSocket to the SIP server.
	ErrConnect = errors.New("could not connect to the SIP server")
	// ErrCallState is returned when a call operation does not fit the call's state (answering a call
	// that ended, hanging up twice).
	ErrCallState = errors.New("the call is not in a state that allows this")
	// ErrCallEnded is the reason of a call that ended normally (BYE from either side).
	ErrCallEnded = errors.New("the call ended")
	// ErrCancelled is the reason of an incoming call the caller gave up before it was answered.
	ErrCancelled = errors.New("the caller hung up before the call was answered")
	// ErrBadTarget is returned for a call target that is neither a SIP URI nor a number.
	ErrBadTarget = errors.New("not a valid number or SIP address")
	// ErrBadAccount is returned by New for an account without an address of record or a server URL.
	ErrBadAccount = errors.New("the SIP account is incomplete: it needs a SIP user (sip:user@domain) and a WebSocket URL (ws:// or wss://)")
	// ErrTimeout is returned when the server does not answer a request in time.
	ErrTimeout = errors.New("the SIP server did not answer in time")
	// ErrBadDTMF is returned for a DTMF digit outside 0-9, *, #, A-D.
	ErrBadDTMF = errors.New("not a DTMF digit: use 0-9, *, #, A-D")
)

// StatusError is a SIP final answer other than success, to a request of ours.
type StatusError struct {
	// Method is the request that was refused (REGISTER, INVITE, ...).
	Method string
	// Code is the SIP status code, 300-699.
	Code int
	// Reason is the server's reason phrase, as sent.
	Reason string
}

// Error says what happened and what to do, in words an agent understands.
func (e *StatusError) Error() string {
	return fmt.Sprintf("%s (SIP %d %s)", e.Message(), e.Code, e.Reason)
}

// Message is the human part of Error, without the code.
func (e *StatusError) Message() string {
	reg := e.Method == "REGISTER"
	switch e.Code {
	case 401, 407:
		if reg {
			return "the SIP server refused the user name or password: check the SIP account settings"
		}
		return "the SIP server refused the call's credentials: check the SIP account settings"
	case 403:
		if reg {
			return "the SIP server forbids this account to sign in: it may be disabled; ask your administrator"
		}
		return "the SIP server does not allow this call: the number may be barred for this account; ask your administrator"
	case 404:
		if reg {
			return "the SIP server does not know this account: check the SIP user and domain"
		}
		return "the number was not found: check it and dial again"
	case 408:
		return "nobody answered in time"
	case 480:
		return "the other side is not available right now: try again later"
	case 486, 600:
		return "the line is busy: the other side is on another call; try again later"
	case 487:
		return "the call was cancelled"
	case 488, 606:
		return "the other side cannot take audio in a format this phone offers: check the codec setting"
	case 503:
		return "the SIP server is unavailable (overloaded or restarting): try again in a minute"
	case 603:
		return "the other side declined the call"
	}
	switch {
	case e.Code >= 300 && e.Code < 400:
		return "the number has moved and this phone does not follow redirects: ask for the new number"
	case e.Code >= 500 && e.Code < 600:
		return "the SIP server failed to handle the request: try again, and tell your administrator if it keeps failing"
	case e.Code >= 600:
		return "the call was refused everywhere"
	}
	return "the SIP server refused the request"
}

// Temporary reports whether trying again later may succeed (the server is busy or restarting).
func (e *StatusError) Temporary() bool {
	return e.Code == 408 || e.Code == 480 || e.Code == 500 || e.Code == 503 || e.Code == 504
}
