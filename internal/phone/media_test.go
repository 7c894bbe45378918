package phone_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/rtctest/netns"
)

// TestMediaEventSaysWhy: a call whose audio cannot pass (every UDP packet dropped, as by a
// firewall) stays up, and after MediaTimeout both phones say why: ICE found no pair although both
// sides offered addresses, the one case where a firewall is the likely cause.
func TestMediaEventSaysWhy(t *testing.T) {
	if !netns.Isolate(t, time.Minute) {
		return
	}
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	netns.Run(t, "iptables", "-A", "INPUT", "-p", "udp", "-j", "DROP")
	quick := func(c *phone.Config) { c.MediaTimeout = 1500 * time.Millisecond }
	calleeUser := pbx.User("callee")
	callee := startAgent(ctx, t, pbx, calleeUser, 1000, quick)
	caller := startAgent(ctx, t, pbx, pbx.User("caller"), 440, quick)
	go func() {
		ev := callee.wait(ctx, t, kind(phone.EventIncoming))
		_ = ev.Call.Answer(ctx)
	}()
	c, err := caller.p.Dial(ctx, calleeUser)
	require.NoError(t, err)
	for _, a := range []*agent{caller, callee} {
		ev := a.wait(ctx, t, kind(phone.EventMedia))
		var ie *rtc.ICEError
		require.True(t, errors.As(ev.Err, &ie), "got %v", ev.Err)
		assert.True(t, ie.FirewallLikely(), "%+v", ie)
		assert.NotEqual(t, phone.StateEnded, ev.Call.State(), "the call stays up")
	}
	assert.ErrorIs(t, c.MediaError(), rtc.ErrICEFailed)
	require.NoError(t, c.Hangup(ctx))
}
