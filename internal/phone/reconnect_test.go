package phone_test

import (
	"context"
	"log/slog"
	"math"
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
	"github.com/phonebar/phonebar/internal/sipua"
)

// regLog keeps the agent's registration states with their times, read while the test also waits on
// the agent's other events.
type regLog struct {
	mu     sync.Mutex
	states []regAt
}

type regAt struct {
	s  sipua.State
	at time.Time
}

func (l *regLog) add(ev phone.Event) {
	if ev.Kind != phone.EventRegistration {
		return
	}
	l.mu.Lock()
	l.states = append(l.states, regAt{ev.Registration, time.Now()})
	l.mu.Unlock()
}

// registeredAfter returns whether the registration was lost (a Waiting state) after from, and when
// it came back after since (the zero time while it did not).
func (l *regLog) registeredAfter(from, since time.Time) (lost bool, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.states {
		if s.at.Before(from) {
			continue
		}
		if s.s == sipua.StateWaiting {
			lost = true
		}
		if lost && s.s == sipua.StateRegistered && !s.at.Before(since) {
			return true, s.at
		}
	}
	return lost, time.Time{}
}

// TestCallSurvivesCut cuts the agent's SIP connection (every packet of its WebSocket to Kamailio
// dropped, in a network namespace of its own) for 5 s in the middle of a call with a browser phone.
// The audio, peer to peer, keeps flowing both ways; the phone registers again once the network is
// back and moves the call to its new connection (a re-INVITE with its new Contact), after which
// hold, resume, transfer and hang-up work in both directions.
func TestCallSurvivesCut(t *testing.T) {
	if !netns.Isolate(t, 3*time.Minute) {
		return
	}
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	b := rtctest.StartBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	browserUser, agentUser, targetUser := pbx.User("browser"), pbx.User("agent"), pbx.User("target")
	// The browser signs in over wss, the agent over ws: the cut takes the ws port only.
	b.Register(pbx, pbx.WSSURL, browserUser)
	b.SetAcceptRefer(true)
	var regs regLog
	a := startAgent(ctx, t, pbx, agentUser, 440, func(c *phone.Config) {
		c.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		next := c.OnEvent
		c.OnEvent = func(ev phone.Event) { regs.add(ev); next(ev) }
	})
	// The transfer target, over wss too.
	target := startAgent(ctx, t, pbx, targetUser, 1000, func(c *phone.Config) {
		c.Account.WSURL, c.Account.Fingerprint = pbx.WSSURL, pbx.Fingerprint
	})
	u, err := url.Parse(pbx.WSURL)
	require.NoError(t, err)

	// call places a call from the browser, answered by the agent, with audio both ways.
	call := func(t *testing.T) *phone.Call {
		b.Call(pbx, agentUser)
		ev := a.wait(ctx, t, kind(phone.EventIncoming))
		require.NoError(t, ev.Call.Answer(ctx))
		eventually(ctx, t, "the agent hears the browser", hears(ev.Call, rtctest.BrowserToneHz))
		b.WaitFor(ctx, "the browser hears the agent", func(b *rtctest.Browser) bool { return math.Abs(b.PeakHz()-440) < 440*0.04 })
		return ev.Call
	}
	// cut drops the agent's signalling for d, checks that audio flowed both ways meanwhile, and
	// returns how long the registration took to come back once the network was.
	cut := func(t *testing.T, c *phone.Call, d time.Duration) time.Duration {
		in, browserIn := c.Stats().PacketsIn, b.Stats().In
		from := time.Now()
		restore := netimpair.CutTCPPort(t, u.Port())
		time.Sleep(d) // the cut itself: a span of real time, not a wait for a state
		assert.Greater(t, c.Stats().PacketsIn, in+uint64(d/(40*time.Millisecond)), "audio reached the agent during the cut")
		assert.Greater(t, b.Stats().In, browserIn+int(d/(40*time.Millisecond)), "audio reached the browser during the cut")
		back := restore()
		var at time.Time
		eventually(ctx, t, "registered again", func() bool {
			lost, when := regs.registeredAfter(from, back)
			require.True(t, lost || time.Since(back) < 10*time.Second, "the cut never took the connection down")
			at = when
			return !when.IsZero()
		})
		took := at.Sub(back)
		ev := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventMoved && ev.Call == c })
		require.NoError(t, ev.Err, "the call moved to the new connection")
		t.Logf("registered again %v after the network came back (a %v cut); call moved %v after", took.Round(time.Millisecond), d,
			time.Since(back).Round(time.Millisecond))
		assert.Less(t, took, 3*time.Second, "registered again within 3 s of the network")
		return took
	}

	t.Run("hold, resume and hang-up from the browser; hold and resume from the agent", func(t *testing.T) {
		c := call(t)
		cut(t, c, 5*time.Second)
		// The browser's requests reach the agent only over its new connection (target refresh).
		// JsSIP starts no re-INVITE while one is under way: ask again.
		eventually(ctx, t, "the browser puts the call on hold", b.Hold)
		a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventHeld && ev.Remote })
		b.WaitFor(ctx, "held by the browser", func(b *rtctest.Browser) bool { return b.State().LocalHeld })
		eventually(ctx, t, "the browser takes the call off hold", b.Unhold)
		a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventActive && ev.Remote })
		if err := c.Hold(ctx, false); err != nil {
			t.Fatalf("hold by the agent: %v; browser: %+v", err, b.State())
		}
		b.WaitFor(ctx, "held by the agent", func(b *rtctest.Browser) bool { return b.State().RemoteHeld })
		require.NoError(t, c.Resume(ctx))
		b.WaitFor(ctx, "resumed by the agent", func(b *rtctest.Browser) bool { return !b.State().RemoteHeld })
		eventually(ctx, t, "the agent hears the browser again", hears(c, rtctest.BrowserToneHz))
		// A transfer asked by the browser reaches the agent, which declines it by design (603).
		b.Refer(pbx, targetUser)
		b.WaitFor(ctx, "the agent answered the browser's REFER", func(b *rtctest.Browser) bool { return b.State().ReferResult != "" })
		assert.Equal(t, "failed 603", b.State().ReferResult)
		b.Hangup()
		a.wait(ctx, t, kind(phone.EventEnded))
		assert.Equal(t, phone.StateEnded, c.State())
	})

	t.Run("transfer and hang-up from the agent", func(t *testing.T) {
		c := call(t)
		cut(t, c, 5*time.Second)
		require.NoError(t, c.Transfer(ctx, targetUser))
		ev := target.wait(ctx, t, kind(phone.EventIncoming))
		assert.Equal(t, "sip:"+browserUser+"@"+pbx.Domain, ev.Call.Remote(), "the browser calls the transfer target")
		require.NoError(t, ev.Call.Answer(ctx))
		eventually(ctx, t, "the target hears the browser", hears(ev.Call, rtctest.BrowserToneHz))
		// The BYE is answered by the browser itself (200): an error here would be the PBX's.
		require.NoError(t, c.Hangup(ctx))
		a.wait(ctx, t, kind(phone.EventEnded))
	})
}

// testWriter logs through t.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
