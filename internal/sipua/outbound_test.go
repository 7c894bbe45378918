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

// TestOutboundKamailio: Kamailio with its outbound module takes the registration as an RFC 5626
// flow (Require: outbound) and asks for keep-alives (Flow-Timer); the user agent follows it.
func TestOutboundKamailio(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	log := newStateLog()
	ua, done := runUA(t, ctx, sipua.Options{
		AOR: pbx.AOR(pbx.User("outbound")), Password: rtctest.Password, URL: pbx.WSURL,
		Handler: sipua.Handler{State: log.handler},
	})
	log.wait(ctx, t, sipua.StateRegistered)
	ob, flow := ua.Outbound()
	assert.True(t, ob, "the registrar took the registration as an outbound flow")
	assert.Equal(t, rtctest.FlowTimer, flow)
	cancel()
	require.NoError(t, <-done)
}
