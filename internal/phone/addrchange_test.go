package phone_test

import (
	"context"
	"log/slog"
	"math"
	"net/netip"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/rtctest/netimpair"
	"github.com/phonebar/phonebar/internal/rtctest/netns"
)

// TestCallSurvivesAddressChange moves the agent's computer to a new address in the middle of a call
// with a browser phone (Chromium + JsSIP) through Kamailio, in a network namespace of its own: the
// media may only take the namespace's one network interface (UDP over loopback is dropped, as when
// the far end is on another machine), whose address is replaced by another (the new one added,
// the old one removed, as when a laptop changes networks; another subnet, since Linux drops the
// secondary addresses of a subnet with its primary one). The phone notices the change
// (internal/netwatch), restarts ICE with a re-INVITE, and the audio flows again both ways, after
// which hold, resume and hang-up work. Then the browser restarts ICE itself (a re-INVITE with new
// ICE credentials, as a phone that moved would send): the phone accepts it and the audio goes on.
func TestCallSurvivesAddressChange(t *testing.T) {
	if !netns.Isolate(t, 3*time.Minute) {
		return
	}
	rtctest.CheckLeaks(t)
	const link = "pbnet0"
	oldAddr, newAddr := netip.MustParsePrefix("10.66.0.1/24"), netip.MustParsePrefix("10.67.0.1/24")
	netns.Run(t, "ip", "link", "add", link, "type", "veth", "peer", "name", link+"p")
	netns.Run(t, "ip", "link", "set", link, "up")
	netns.Run(t, "ip", "link", "set", link+"p", "up")
	netns.Run(t, "ip", "addr", "add", oldAddr.String(), "dev", link)
	netimpair.BlockUDP(t, netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"))

	pbx := rtctest.StartPBX(t)
	b := rtctest.StartBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	browserUser, agentUser := pbx.User("browser"), pbx.User("agent")
	b.Register(pbx, pbx.WSSURL, browserUser)
	var regs regLog
	var moves movedLog
	a := startAgent(ctx, t, pbx, agentUser, 440, func(c *phone.Config) {
		c.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		next := c.OnEvent
		c.OnEvent = func(ev phone.Event) { regs.add(ev); moves.add(ev); next(ev) }
	})

	b.Call(pbx, agentUser)
	ev := a.wait(ctx, t, kind(phone.EventIncoming))
	c := ev.Call
	require.NoError(t, c.Answer(ctx))
	// flowing waits until audio arrives at both ends anew, each hearing the other's tone.
	flowing := func(what string) {
		t.Helper()
		in, browserIn := c.Stats().PacketsIn, b.Stats().In
		eventually(ctx, t, what+": RTP both ways", func() bool {
			return c.Stats().PacketsIn > in+25 && b.Stats().In > browserIn+25
		})
		eventually(ctx, t, what+": the agent hears the browser", hears(c, rtctest.BrowserToneHz))
		b.WaitFor(ctx, what+": the browser hears the agent", func(b *rtctest.Browser) bool { return math.Abs(b.PeakHz()-440) < 440*0.04 })
	}
	flowing("call set up")
	require.Equal(t, "host/host", c.Stats().ICEPair)

	t.Run("the agent's address changes", func(t *testing.T) {
		netns.Run(t, "ip", "addr", "add", newAddr.String(), "dev", link)
		in, browserIn := c.Stats().PacketsIn, b.Stats().In
		changed := time.Now()
		netns.Run(t, "ip", "addr", "del", oldAddr.String(), "dev", link)
		moved := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventMoved && ev.Call == c })
		require.NoError(t, moved.Err, "the call's audio moved to the new address")
		movedAt := time.Since(changed)
		// Back when both ends receive packets they had not before; polled every 10 ms.
		var agentBack, browserBack time.Duration
		for agentBack == 0 || browserBack == 0 {
			if agentBack == 0 && c.Stats().PacketsIn > in+5 {
				agentBack = time.Since(changed)
			}
			if browserBack == 0 && b.Stats().In > browserIn+5 {
				browserBack = time.Since(changed)
			}
			select {
			case <-ctx.Done():
				t.Fatalf("the audio never came back: agent %v, browser %v; media: %v", agentBack, browserBack, c.MediaError())
			case <-time.After(10 * time.Millisecond):
			}
		}
		t.Logf("address change -> re-INVITE answered %v; audio back at the agent %v, at the browser %v (2 shared cores under load)",
			movedAt.Round(time.Millisecond), agentBack.Round(time.Millisecond), browserBack.Round(time.Millisecond))
		flowing("after the address change")
	})

	t.Run("hold and resume from both sides after the change", func(t *testing.T) {
		holdBothWays(ctx, t, a, b, c)
		flowing("after hold and resume")
	})

	t.Run("the address changes as the signalling reconnects", func(t *testing.T) {
		// As when a laptop changes networks: its address goes and the WebSocket over it with it.
		// Here the signalling runs over loopback (Kamailio listens on 127.0.0.1), so the test ends
		// the WebSocket itself at the moment of the change (every TCP connection to the agent's
		// port reset): the phone must reconnect, register again and restart ICE, in whichever
		// order its network watch and its connection notice them.
		third := netip.MustParsePrefix("10.68.0.1/24")
		wsURL, err := url.Parse(pbx.WSURL)
		require.NoError(t, err)
		netns.Run(t, "ip", "addr", "add", third.String(), "dev", link)
		in, browserIn := c.Stats().PacketsIn, b.Stats().In
		changed := time.Now()
		netimpair.ResetTCPPort(t, wsURL.Port())
		netns.Run(t, "ip", "addr", "del", newAddr.String(), "dev", link)
		var agentBack, browserBack time.Duration
		var registered time.Time
		for agentBack == 0 || browserBack == 0 || registered.IsZero() {
			if agentBack == 0 && c.Stats().PacketsIn > in+5 && c.Stats().ICEPair != "" && moves.since(changed) > 0 {
				agentBack = time.Since(changed)
			}
			if browserBack == 0 && b.Stats().In > browserIn+5 && moves.since(changed) > 0 {
				browserBack = time.Since(changed)
			}
			if registered.IsZero() {
				_, registered = regs.registeredAfter(changed, changed)
			}
			select {
			case <-ctx.Done():
				t.Fatalf("not back: audio at the agent %v, at the browser %v, registered %v; media: %v", agentBack, browserBack, registered, c.MediaError())
			case <-time.After(10 * time.Millisecond):
			}
		}
		for _, err := range moves.errs(changed) {
			require.NoError(t, err, "a move of the call after the change")
		}
		t.Logf("address change with a reconnection -> registered again %v; audio back at the agent %v, at the browser %v (2 shared cores under load)",
			registered.Sub(changed).Round(time.Millisecond), agentBack.Round(time.Millisecond), browserBack.Round(time.Millisecond))
		flowing("after the change with a reconnection")
		holdBothWays(ctx, t, a, b, c)
		flowing("after hold and resume")
	})

	t.Run("the browser restarts ICE", func(t *testing.T) {
		eventually(ctx, t, "the browser sends its restart", b.RestartICE)
		// The restart is answered with 200 (JsSIP would end the call on a 488), and the audio
		// flows over the new credentials.
		b.WaitFor(ctx, "the browser's restart accepted", func(b *rtctest.Browser) bool { return b.State().Restarts == 1 || b.State().Status == "ended" })
		require.Equal(t, 1, b.State().Restarts, "browser: %+v", b.State())
		flowing("after the browser's restart")
		assert.Equal(t, "confirmed", b.State().Status)
		assert.Equal(t, phone.StateActive, c.State())
	})

	b.Hangup()
	a.wait(ctx, t, kind(phone.EventEnded))
	assert.Equal(t, phone.StateEnded, c.State())
}

// movedLog keeps the agent's EventMoved events with their times, read while the test also waits
// on the agent's other events.
type movedLog struct {
	mu    sync.Mutex
	moves []movedAt
}

type movedAt struct {
	at  time.Time
	err error
}

func (l *movedLog) add(ev phone.Event) {
	if ev.Kind != phone.EventMoved {
		return
	}
	l.mu.Lock()
	l.moves = append(l.moves, movedAt{time.Now(), ev.Err})
	l.mu.Unlock()
}

// since counts the moves after from.
func (l *movedLog) since(from time.Time) int { return len(l.errs(from)) }

// errs returns the outcome of each move after from (nil for one that worked).
func (l *movedLog) errs(from time.Time) []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []error
	for _, m := range l.moves {
		if !m.at.Before(from) {
			out = append(out, m.err)
		}
	}
	return out
}
