package sipua_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

// An INVITE without an SDP offer, through Kamailio: the callee refuses it with 488 and a Warning that
// names late offer, the caller sees why, and neither side keeps a call.
func TestLateOfferRefusedThroughKamailio(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	calleeUser := pbx.User("late")
	incoming := make(chan *sipua.Call, 1)
	ended := make(chan error, 4)
	calleeLog, callerLog := newStateLog(), newStateLog()
	_, calleeDone := runUA(t, ctx, sipua.Options{
		AOR: pbx.AOR(calleeUser), Password: rtctest.Password, URL: pbx.WSURL,
		Handler: sipua.Handler{State: calleeLog.handler, Incoming: func(c *sipua.Call) { incoming <- c }, Ended: func(_ *sipua.Call, err error) { ended <- err }},
	})
	caller, callerDone := runUA(t, ctx, sipua.Options{
		AOR: pbx.AOR(pbx.User("offerless")), Password: rtctest.Password, URL: pbx.WSURL,
		Handler: sipua.Handler{State: callerLog.handler, Ended: func(_ *sipua.Call, err error) { ended <- err }},
	})
	calleeLog.wait(ctx, t, sipua.StateRegistered)
	callerLog.wait(ctx, t, sipua.StateRegistered)

	c, err := caller.Invite(ctx, calleeUser, nil, nil)
	assert.Nil(t, c)
	var se *sipua.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 488, se.Code)
	assert.Contains(t, se.Warning, "late offer is not supported")

	// The caller's attempt ended once, with the refusal; the callee never saw a call.
	select {
	case err := <-ended:
		assert.ErrorAs(t, err, &se)
	case <-ctx.Done():
		t.Fatal("the caller's attempt never ended")
	}
	select {
	case c := <-incoming:
		t.Fatalf("the callee got a call: %s", c.ID())
	case err := <-ended:
		t.Fatalf("another call ended: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	require.NoError(t, <-calleeDone)
	require.NoError(t, <-callerDone)
}
