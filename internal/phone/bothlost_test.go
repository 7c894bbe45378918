package phone_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

// TestBothEndsLostConnections records what happens when both ends of a call lose their
// connections to the SIP server at once (Kamailio restarts mid-call: every WebSocket drops), the
// case GRUU (RFC 5627) would solve and this phone does not handle yet. Each end registers again
// over a new connection, but the other's Contact in the dialog names a connection that is gone
// (the PBX routes in-dialog requests by the connection a Contact came over): the agent's target
// refresh cannot reach the browser, and the phone says so (EventMoved with an error). The audio,
// peer to peer, keeps flowing; the agent's hang-up ends the call on its side only, and the browser
// is never told. If this test starts failing because the refresh succeeds, the limit is gone:
// update the README's known limits.
func TestBothEndsLostConnections(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	b := rtctest.StartBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	browserUser, agentUser := pbx.User("browser"), pbx.User("agent")
	b.Register(pbx, pbx.WSURL, browserUser)
	a := startAgent(ctx, t, pbx, agentUser, 440, func(c *phone.Config) {
		c.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	b.Call(pbx, agentUser)
	c := a.wait(ctx, t, kind(phone.EventIncoming)).Call
	require.NoError(t, c.Answer(ctx))
	eventually(ctx, t, "the agent hears the browser", hears(c, rtctest.BrowserToneHz))

	pbx.Restart()
	a.wait(ctx, t, func(ev phone.Event) bool {
		return ev.Kind == phone.EventRegistration && ev.Registration == sipua.StateRegistered
	})
	moved := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventMoved && ev.Call == c })
	require.Error(t, moved.Err, "the target refresh reached the browser: the limit is gone")
	t.Logf("the agent's target refresh after both connections dropped: %v", moved.Err)

	in, browserIn := c.Stats().PacketsIn, b.Stats().In
	eventually(ctx, t, "audio still flows both ways, peer to peer", func() bool {
		return c.Stats().PacketsIn > in+25 && b.Stats().In > browserIn+25
	})
	err := c.Hangup(ctx)
	t.Logf("the agent's hang-up: %v", err)
	a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventEnded && ev.Call == c }) // on the agent's side
	assert.Equal(t, "confirmed", b.State().Status, "the browser was not told")
	b.Hangup()
}
