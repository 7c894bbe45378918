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
	// ErrTransferNoReport is returned by TransferTo when the other side took the REFER but its
	// outcome never came (no final NOTIFY before the deadline, or the subscription ended without
	// one). Both calls are kept.
	ErrTransferNoReport = errors.New("the other side took the transfer request but never said whether it went through: both calls are still up")
	// ErrTransferAbandoned is returned by TransferTo when one of the two calls ended before the
	// transfer completed.
	ErrTransferAbandoned = errors.New("the transfer stopped: one of the two calls ended before it completed")
)

// TransferError is an attended transfer that did not go through. Both calls are still up, so the
// agent can take either party back.
type TransferError struct {
	// Refused is true when the transferee refused the REFER itself; false when it accepted the
	// request and then reported that its call to the target failed (NOTIFY message/sipfrag).
	Refused bool
	// Code is the SIP status: the answer to the REFER, or the one in the final NOTIFY.
	Code int
	// Reason is the reason phrase, as sent.
	Reason string
}

// Error says what happened and what to do.
func (e *TransferError) Error() string {
	return fmt.Sprintf("%s (SIP %d %s)", e.Message(), e.Code, e.Reason)
}

// Message is the human part of Error, without the code.
func (e *TransferError) Message() string {
	if e.Refused {
		switch e.Code {
		case 401, 403, 405, 420, 501, 603:
			return "the caller's phone does not accept transfers: both calls are still up; resume the caller, or give them the number to call"
		case 481:
			return "the call being transferred no longer exists on the other side"
		}
		return "the caller's phone refused the transfer: both calls are still up; resume the caller or try again"
	}
	switch e.Code {
	case 481:
		return "the transfer target no longer has the consultation call: both calls are still up; try again"
	case 486, 600:
		return "the transfer target is busy: both calls are still up; resume the caller"
	case 404:
		return "the caller's phone could not find the transfer target: both calls are still up"
	case 408, 480, 487:
		return "the transfer target did not take the call: both calls are still up; resume the caller"
	case 488, 606:
		return "the caller and the transfer target have no audio format in common: both calls are still up"
	case 603:
		return "the transfer was declined: both calls are still up; resume the caller"
	}
	return "the transfer did not go through: both calls are still up; resume the caller or try again"
}

// StatusError is a SIP final answer other than success, to a request of ours.
type StatusError struct {
	// Method is the request that was refused (REGISTER, INVITE, ...).
	Method string
	// Code is the SIP status code, 300-699.
	Code int
	// Reason is the server's reason phrase, as sent.
	Reason string
	// Warning is the text of the answer's Warning header, if any (printable ASCII, at most 200
	// bytes): the other side's own words on why. Error does not include it.
	Warning string
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
