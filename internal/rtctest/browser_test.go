package rtctest_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

const ourTone = 440

type agent struct {
	p      *phone.Phone
	events chan phone.Event
}

func startAgent(ctx context.Context, t *testing.T, pbx *rtctest.PBX, user string, mutate func(*phone.Config)) *agent {
	t.Helper()
	return startAgentTB(ctx, t, pbx, user, mutate)
}

func startAgentB(ctx context.Context, b *testing.B, pbx *rtctest.PBX, user string) *agent {
	b.Helper()
	return startAgentTB(ctx, b, pbx, user, nil)
}

func startAgentTB(ctx context.Context, t testing.TB, pbx *rtctest.PBX, user string, mutate func(*phone.Config)) *agent {
	t.Helper()
	a := &agent{events: make(chan phone.Event, 256)}
	cfg := phone.Config{
		Account:       phone.Account{AOR: pbx.AOR(user), Password: rtctest.Password, WSURL: pbx.WSSURL, Fingerprint: pbx.Fingerprint},
		AllowLoopback: true,
		NewSource:     func() rtc.Source { return rtc.NewToneSource(ourTone) },
		NewSink:       func() rtc.Sink { return rtc.NewFrequencySink() },
		OnEvent:       func(ev phone.Event) { a.events <- ev },
	}
	if mutate != nil {
		mutate(&cfg)
	}
	p, err := phone.New(cfg)
	require.NoError(t, err)
	a.p = p
	rctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-done })
	a.wait(ctx, t, func(ev phone.Event) bool {
		return ev.Kind == phone.EventRegistration && ev.Registration == sipua.StateRegistered
	})
	return a
}

func (a *agent) wait(ctx context.Context, t testing.TB, match func(phone.Event) bool) phone.Event {
	t.Helper()
	for {
		select {
		case ev := <-a.events:
			if match(ev) {
				return ev
			}
		case <-ctx.Done():
			t.Fatal("the expected event never came")
		}
	}
}

func near(got, want float64) bool { return math.Abs(got-want) < want*0.04 }

func hears(c *phone.Call, hz float64) func() bool {
	return func() bool {
		got, _ := c.Sink().(*rtc.FrequencySink).Frequency()
		return near(got, hz)
	}
}

func eventually(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("never: %s", what)
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// TestBrowserCalls proves the softphone against a browser phone (JsSIP in Chromium) through
// Kamailio: calls both ways with audio checked by frequency on both sides, digits both ways,
// hold and resume from either side, hang-up from either side, refusals and cancels.
func TestBrowserCalls(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	b := rtctest.StartBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	browserUser, agentUser := pbx.User("browser"), pbx.User("agent")
	b.Register(pbx, pbx.WSURL, browserUser)
	a := startAgent(ctx, t, pbx, agentUser, nil)

	t.Run("browser registers over wss", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		tab := b.NewTab()
		tab.Register(pbx, pbx.WSSURL, pbx.User("wssbrowser"))
		tab.WaitFor(ctx, "registered", func(b *rtctest.Browser) bool { return b.State().Registered })
	})

	t.Run("phonebar calls browser", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		type dialed struct {
			c   *phone.Call
			err error
		}
		res := make(chan dialed, 1)
		go func() { c, err := a.p.Dial(ctx, browserUser); res <- dialed{c, err} }()
		b.WaitFor(ctx, "ringing", func(b *rtctest.Browser) bool { s := b.State(); return s.Incoming && s.Status == "progress" })
		b.Answer()
		d := <-res
		require.NoError(t, d.err)
		c := d.c
		eventually(ctx, t, "agent hears the browser", hears(c, rtctest.BrowserToneHz))
		b.WaitFor(ctx, "browser hears the agent", func(b *rtctest.Browser) bool { return near(b.PeakHz(), ourTone) })
		st := b.Stats()
		assert.Equal(t, "connected", st.DTLS)
		assert.NotZero(t, st.In)
		assert.Equal(t, "connected", c.Stats().DTLSState)

		// SIP INFO digits reach JsSIP's newDTMF.
		require.NoError(t, sendInfo(ctx, c, "159#"))
		b.WaitFor(ctx, "digits in the browser", func(b *rtctest.Browser) bool { return b.State().DTMF == "159#" })

		require.NoError(t, c.Hold(ctx, false))
		b.WaitFor(ctx, "browser sees hold", func(b *rtctest.Browser) bool { return b.State().RemoteHeld })
		require.NoError(t, c.Resume(ctx))
		b.WaitFor(ctx, "browser sees resume", func(b *rtctest.Browser) bool { return !b.State().RemoteHeld })

		require.NoError(t, c.Hangup(ctx))
		b.WaitFor(ctx, "browser call ended", func(b *rtctest.Browser) bool { return b.State().Status == "ended" })
	})

	t.Run("browser calls phonebar", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		b.Call(pbx, agentUser)
		c := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventIncoming }).Call
		require.NoError(t, c.Answer(ctx))
		b.WaitFor(ctx, "browser confirmed", func(b *rtctest.Browser) bool { return b.State().Status == "confirmed" })
		eventually(ctx, t, "agent hears the browser", hears(c, rtctest.BrowserToneHz))
		b.WaitFor(ctx, "browser hears the agent", func(b *rtctest.Browser) bool { return near(b.PeakHz(), ourTone) })

		b.SendDTMF("73*", "RFC2833")
		eventually(ctx, t, "RFC 4733 digits at the agent", func() bool { return c.Digits() == "73*" })

		// JsSIP refuses a re-offer while its last one is still settling: try until it takes it.
		b.WaitFor(ctx, "browser holds", func(b *rtctest.Browser) bool { return b.Hold() })
		a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventHeld && ev.Remote && ev.Call == c })
		b.WaitFor(ctx, "browser resumes", func(b *rtctest.Browser) bool { return b.Unhold() })
		a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventActive && ev.Remote && ev.Call == c })

		b.Hangup()
		select {
		case <-c.Done():
		case <-ctx.Done():
			t.Fatal("the agent never saw the browser hang up")
		}
		assert.ErrorIs(t, c.Err(), sipua.ErrCallEnded)
	})

	t.Run("browser refuses", func(t *testing.T) {
		for _, code := range []int{486, 603} {
			ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			errc := make(chan error, 1)
			go func() { _, err := a.p.Dial(ctx, browserUser); errc <- err }()
			b.WaitFor(ctx, "ringing", func(b *rtctest.Browser) bool { s := b.State(); return s.Incoming && s.Status == "progress" })
			b.Reject(code)
			err := <-errc
			var se *sipua.StatusError
			require.True(t, errors.As(err, &se), "got %v", err)
			assert.Equal(t, code, se.Code)
			cancel()
		}
	})

	t.Run("browser gives up while ringing", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		b.Call(pbx, agentUser)
		c := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventIncoming }).Call
		b.WaitFor(ctx, "ringing at the browser", func(b *rtctest.Browser) bool { return b.State().Status == "progress" })
		b.Hangup()
		select {
		case <-c.Done():
		case <-ctx.Done():
			t.Fatal("the agent kept ringing")
		}
		assert.ErrorIs(t, c.Err(), sipua.ErrCancelled)
	})

	t.Run("phonebar gives up while ringing", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		dctx, stop := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() { _, err := a.p.Dial(dctx, browserUser); errc <- err }()
		b.WaitFor(ctx, "ringing", func(b *rtctest.Browser) bool { s := b.State(); return s.Incoming && s.Status == "progress" })
		stop()
		assert.ErrorIs(t, <-errc, context.Canceled)
		b.WaitFor(ctx, "the browser stops ringing", func(b *rtctest.Browser) bool { return b.State().Status == "failed" })
		assert.Equal(t, "Canceled", b.State().EndCause)
	})
}

func sendInfo(ctx context.Context, c *phone.Call, digits string) error {
	return c.SendDTMFInfo(ctx, digits)
}
