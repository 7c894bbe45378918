package desk

import "errors"

var (
	// ErrNoCall is returned for a call ID the desk does not hold (it ended, or never existed).
	ErrNoCall = errors.New("desk: no such call")
	// ErrConsultEnded is returned by AttendedTransfer when the consultation call is gone.
	ErrConsultEnded = errors.New("desk: the consultation call has ended")
	// ErrSameCall is returned by AttendedTransfer when both IDs name the same call.
	ErrSameCall = errors.New("desk: a call cannot be transferred to itself")
	// ErrTransferNotReady is returned by AttendedTransfer when the two calls are not both in
	// progress (active or held); it wraps phone.ErrCallState.
	ErrTransferNotReady = errors.New("desk: an attended transfer needs two calls in progress")
	// ErrNoPhone is returned by a caller of the desk when the account has no phone in the
	// Phonebar (its calls go through a desk phone or the Omni Desktop).
	ErrNoPhone = errors.New("desk: no softphone for this account")
	// ErrClosed is returned by the actions of a closed Desk.
	ErrClosed = errors.New("desk: closed")
)
