package sipua

import (
	"context"
	"time"
)

// ReplacesFromReferTo lets the external tests read a Refer-To the way a transferee does.
var ReplacesFromReferTo = replacesFromReferTo

// SetGlareWait replaces the wait before a 491 retry for the test; the returned func restores it.
func SetGlareWait(f func(ctx context.Context, d time.Duration) error) (restore func()) {
	old := waitGlare
	waitGlare = f
	return func() { waitGlare = old }
}

// HeaderParam lets the external tests read a header parameter the way a 2xx to REGISTER is read.
var HeaderParam = headerParam
