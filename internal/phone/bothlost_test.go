package phone_test

import (
	"context"
	"log/slog"
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/rtctest/netimpair"
	"github.com/phonebar/phonebar/internal/rtctest/netns"
)

// TestBothEndsLostConnections: both ends of a call (the agent, and a browser phone: Chromium +
// JsSIP) lose their connections to the SIP server at once, and each registers again over a new
// one. Both registered with a GRUU (RFC 5627) and made it their dialog's Contact, which Kamailio
// looks up in its location table (it names the device, not a connection): so the agent's target
// refresh reaches the browser at its new connection, and hold and resume work from both sides,
// then hang-up. Without GRUU, each end's Contact named a connection that was gone, the requests of
// both got 500, and the browser was never told of the hang-up.
//
// Two ways to lose them: Kamailio restarts (every WebSocket drops and every registration is
// forgotten), and every TCP connection to Kamailio is reset while it runs on (as when a NAT router
// forgets its connections: the old registrations stay until the new flows replace them).
func TestBothEndsLostConnections(t *testing.T) {
	if !netns.Isolate(t, 5*time.Minute) {
		return
	}
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	b := rtctest.StartBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	browserUser, agentUser := pbx.User("browser"), pbx.User("agent")
	// The browser over wss, the agent over ws: two listeners, both lost.
	b.Register(pbx, pbx.WSSURL, browserUser)
	require.Contains(t, b.State().GRUU, ";gr=urn:uuid:", "the browser got a GRUU")
	var regs regLog
	a := startAgent(ctx, t, pbx, agentUser, 440, func(c *phone.Config) {
		c.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		next := c.OnEvent
		c.OnEvent = func(ev phone.Event) { regs.add(ev); next(ev) }
	})
	port := func(raw string) string {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		return u.Port()
	}
	ws, wss := port(pbx.WSURL), port(pbx.WSSURL)

	for _, tc := range []struct {
		name string
		lose func(t *testing.T)
		// agentHangsUp: the agent ends the call, else the browser does.
		agentHangsUp bool
	}{
		{"Kamailio restarts", func(*testing.T) { pbx.Restart() }, true},
		{"every connection to Kamailio reset", func(t *testing.T) {
			netimpair.ResetTCPPort(t, ws)
			netimpair.ResetTCPPort(t, wss)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.Call(pbx, agentUser)
			c := a.wait(ctx, t, kind(phone.EventIncoming)).Call
			require.NoError(t, c.Answer(ctx))
			eventually(ctx, t, "the agent hears the browser", hears(c, rtctest.BrowserToneHz))
			registrations := b.State().Registrations

			lost := time.Now()
			tc.lose(t)
			var agentBack time.Time
			eventually(ctx, t, "the agent registered again", func() bool {
				_, agentBack = regs.registeredAfter(lost, lost)
				return !agentBack.IsZero()
			})
			b.WaitFor(ctx, "the browser registered again", func(b *rtctest.Browser) bool { return b.State().Registrations > registrations })
			browserBack := time.Since(lost)
			moved := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventMoved && ev.Call == c })
			require.NoError(t, moved.Err, "the agent's target refresh reached the browser")
			t.Logf("registered again after the loss: agent %v, browser by %v (JsSIP waits 2 s or more before reconnecting); call moved by %v",
				agentBack.Sub(lost).Round(time.Millisecond), browserBack.Round(time.Millisecond), time.Since(lost).Round(time.Millisecond))

			holdBothWays(ctx, t, a, b, c)
			in, browserIn := c.Stats().PacketsIn, b.Stats().In
			eventually(ctx, t, "audio flows both ways", func() bool {
				return c.Stats().PacketsIn > in+25 && b.Stats().In > browserIn+25
			})
			eventually(ctx, t, "the agent hears the browser", hears(c, rtctest.BrowserToneHz))
			b.WaitFor(ctx, "the browser hears the agent", func(b *rtctest.Browser) bool { return math.Abs(b.PeakHz()-440) < 440*0.04 })

			if tc.agentHangsUp {
				// The BYE is answered by the browser itself: an error would be the PBX's.
				require.NoError(t, c.Hangup(ctx))
				b.WaitFor(ctx, "the browser was told of the hang-up", func(b *rtctest.Browser) bool { return b.State().Status == "ended" })
				a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventEnded && ev.Call == c })
			} else {
				b.Hangup()
				a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventEnded && ev.Call == c })
				assert.Equal(t, phone.StateEnded, c.State())
			}
		})
	}
}
