package pbx

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtctest/netimpair"
	"github.com/phonebar/phonebar/internal/rtctest/netns"
	"github.com/phonebar/phonebar/internal/sipua"
)

// TestCallSurvivesReconnection: the agent's connection to the demo PBX goes silent for 5 s in the
// middle of a call to the echo extension (a network namespace of the test's own). The echo goes on
// meanwhile; the phone registers again as the same RFC 5626 flow (its old binding replaced), moves
// the call to its new connection, holds and resumes it, and the PBX's hang-up reaches it there.
func TestCallSurvivesReconnection(t *testing.T) {
	if !netns.Isolate(t, 2*time.Minute) {
		return
	}
	checkLeaks(t)
	tp := startPBX(t, func(o *Options) { o.FlowTimer = 10 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := startAgent(ctx, t, tp.account("1001"), 700, nil)
	require.NoError(t, a.registered(ctx))
	c, err := a.p.Dial(ctx, ExtEcho)
	require.NoError(t, err)
	require.InDelta(t, 700, heard(ctx, c, 700, 15), 15)
	calls := tp.Calls()
	require.Len(t, calls, 1)

	u, err := url.Parse(tp.URL)
	require.NoError(t, err)
	in := c.Stats().PacketsIn
	restore := netimpair.CutTCPPort(t, u.Port())
	time.Sleep(5 * time.Second) // the cut: a span of real time
	assert.Greater(t, c.Stats().PacketsIn, in+100, "the echo went on during the cut")
	back := restore()
	a.wait(ctx, t, func(ev phone.Event) bool {
		return ev.Kind == phone.EventRegistration && ev.Registration == sipua.StateRegistered
	})
	took := time.Since(back)
	ev := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventMoved })
	require.NoError(t, ev.Err)
	t.Logf("registered again %v after the network came back; call moved %v after", took.Round(time.Millisecond), time.Since(back).Round(time.Millisecond))
	assert.Less(t, took, 3*time.Second)
	regs := tp.Registrations()
	require.Len(t, regs, 1, "the new connection's binding replaced the old one")
	assert.True(t, regs[0].Flow, "registered as an RFC 5626 flow")

	require.NoError(t, c.Hold(ctx, false))
	require.NoError(t, c.Resume(ctx))
	require.InDelta(t, 700, heard(ctx, c, 700, 15), 15)
	ci, err := tp.Call(calls[0].ID)
	require.NoError(t, err)
	assert.Equal(t, "active", ci.State)

	require.NoError(t, tp.Hangup(calls[0].ID))
	a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventEnded })
	assert.Equal(t, phone.StateEnded, c.State())
}

// TestReconnectAtOnce: a network change the phone is told of (Reconnect, as on a resume from sleep
// or a lost local address) takes it to a new connection at once, with the call moved there, the
// echo never interrupted, and the call still controllable.
func TestReconnectAtOnce(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := startAgent(ctx, t, tp.account("1002"), 600, nil)
	require.NoError(t, a.registered(ctx))
	c, err := a.p.Dial(ctx, ExtEcho)
	require.NoError(t, err)
	require.InDelta(t, 600, heard(ctx, c, 600, 15), 15)
	start := time.Now()
	a.p.Reconnect("test")
	ev := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventMoved })
	require.NoError(t, ev.Err)
	t.Logf("call moved to a new connection %v after the change", time.Since(start).Round(time.Millisecond))
	require.NoError(t, c.Hold(ctx, true))
	require.NoError(t, c.Resume(ctx))
	require.InDelta(t, 600, heard(ctx, c, 600, 15), 15)
	require.NoError(t, c.Hangup(ctx))
	calls := tp.Calls()
	require.NotEmpty(t, calls)
	require.Eventually(t, func() bool { ci, err := tp.Call(calls[0].ID); return err == nil && ci.State == "ended" }, 5*time.Second, 20*time.Millisecond)
	ci, _ := tp.Call(calls[0].ID)
	assert.Equal(t, "the agent hung up", ci.Reason)
}
