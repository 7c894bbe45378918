package phone_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

// agent is a running phone with its events.
type agent struct {
	p      *phone.Phone
	events chan phone.Event
	done   chan error
}

func startAgent(ctx context.Context, t *testing.T, pbx *rtctest.PBX, user string, hz float64, mutate func(*phone.Config)) *agent {
	t.Helper()
	a := &agent{events: make(chan phone.Event, 256), done: make(chan error, 1)}
	cfg := phone.Config{
		Account:       phone.Account{AOR: pbx.AOR(user), Password: rtctest.Password, WSURL: pbx.WSURL},
		AllowLoopback: true,
		NewSource:     func() rtc.Source { return rtc.NewToneSource(hz) },
		NewSink:       func() rtc.Sink { return rtc.NewFrequencySink() },
		OnEvent:       func(ev phone.Event) { a.events <- ev },
	}
	if mutate != nil {
		mutate(&cfg)
	}
	p, err := phone.New(cfg)
	require.NoError(t, err)
	a.p = p
	rctx, cancel := context.WithCancel(ctx)
	go func() { a.done <- p.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-a.done })
	a.wait(ctx, t, func(ev phone.Event) bool {
		return ev.Kind == phone.EventRegistration && ev.Registration == sipua.StateRegistered
	})
	return a
}

func (a *agent) wait(ctx context.Context, t *testing.T, match func(phone.Event) bool) phone.Event {
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

// holdBothWays holds and resumes call c from the agent, then from the browser b, each side seeing
// the other's request. JsSIP starts no re-INVITE while one is under way, so its requests are asked
// again until taken.
func holdBothWays(ctx context.Context, t *testing.T, a *agent, b *rtctest.Browser, c *phone.Call) {
	t.Helper()
	require.NoError(t, c.Hold(ctx, false), "hold by the agent")
	b.WaitFor(ctx, "held by the agent", func(b *rtctest.Browser) bool { return b.State().RemoteHeld })
	require.NoError(t, c.Resume(ctx), "resume by the agent")
	b.WaitFor(ctx, "resumed by the agent", func(b *rtctest.Browser) bool { return !b.State().RemoteHeld })
	eventually(ctx, t, "the browser puts the call on hold", b.Hold)
	a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventHeld && ev.Remote && ev.Call == c })
	eventually(ctx, t, "the browser takes the call off hold", b.Unhold)
	a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventActive && ev.Remote && ev.Call == c })
}

func kind(k phone.EventKind) func(phone.Event) bool {
	return func(ev phone.Event) bool { return ev.Kind == k }
}

func eventually(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("never: %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func hears(c *phone.Call, hz float64) func() bool {
	return func() bool {
		got, _ := c.Sink().(*rtc.FrequencySink).Frequency()
		return math.Abs(got-hz) < hz*0.03
	}
}

func TestCallBetweenAgents(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	tests := []struct {
		name     string
		codec    codec.ID
		dtmf     phone.DTMFMode
		byCallee bool
	}{
		{"pcmu rfc4733 caller hangs up", codec.PCMU, phone.DTMFRFC4733, false},
		{"pcma info callee hangs up", codec.PCMA, phone.DTMFInfo, true},
		{"opus", codec.Opus, phone.DTMFRFC4733, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !codec.Available(tt.codec) {
				t.Skip("codec not in this build")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			set := func(c *phone.Config) { c.Codecs = []codec.ID{tt.codec}; c.DTMF = tt.dtmf }
			calleeUser := pbx.User("callee")
			callee := startAgent(ctx, t, pbx, calleeUser, 1000, set)
			caller := startAgent(ctx, t, pbx, pbx.User("caller"), 440, set)

			type dialed struct {
				c   *phone.Call
				err error
			}
			res := make(chan dialed, 1)
			go func() { c, err := caller.p.Dial(ctx, calleeUser); res <- dialed{c, err} }()
			in := callee.wait(ctx, t, kind(phone.EventIncoming)).Call
			assert.Equal(t, phone.StateRinging, in.State())
			require.NoError(t, in.Answer(ctx))
			d := <-res
			require.NoError(t, d.err)
			out := d.c
			assert.Equal(t, phone.StateActive, out.State())

			eventually(ctx, t, "callee hears 440 Hz", hears(in, 440))
			eventually(ctx, t, "caller hears 1 kHz", hears(out, 1000))
			assert.Equal(t, tt.codec.String(), out.Stats().Codec)

			require.NoError(t, out.SendDTMF(ctx, "42*"))
			eventually(ctx, t, "digits at the callee", func() bool { return in.Digits() == "42*" })

			require.NoError(t, out.Hold(ctx, false))
			assert.Equal(t, phone.StateHeld, out.State())
			callee.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventHeld && ev.Remote })
			require.NoError(t, out.Resume(ctx))
			callee.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventActive && ev.Remote })
			eventually(ctx, t, "caller hears 1 kHz again", hears(out, 1000))

			hanger, other := out, in
			if tt.byCallee {
				hanger, other = in, out
			}
			require.NoError(t, hanger.Hangup(ctx))
			select {
			case <-other.Done():
			case <-ctx.Done():
				t.Fatal("the other side never saw the hang-up")
			}
			assert.ErrorIs(t, other.Err(), sipua.ErrCallEnded)
			assert.ErrorIs(t, hanger.Hangup(ctx), phone.ErrCallState)
		})
	}
}

func TestRefusals(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	busyUser := pbx.User("decliner")
	pcmaUser := pbx.User("pcmaonly")
	callee := startAgent(ctx, t, pbx, busyUser, 1000, nil)
	pcma := startAgent(ctx, t, pbx, pcmaUser, 1000, func(c *phone.Config) { c.Codecs = []codec.ID{codec.PCMA} })
	caller := startAgent(ctx, t, pbx, pbx.User("caller"), 440, func(c *phone.Config) { c.Codecs = []codec.ID{codec.PCMU} })
	go func() {
		for {
			select {
			case ev := <-callee.events:
				if ev.Kind == phone.EventIncoming {
					_ = ev.Call.Reject(ctx, 486)
				}
			case ev := <-pcma.events:
				if ev.Kind == phone.EventIncoming {
					_ = ev.Call.Answer(ctx)
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	tests := []struct {
		name   string
		target string
		code   int
	}{
		{"busy agent", busyUser, 486},
		{"busy line at the PBX", "busy486", 486},
		{"PBX overloaded", "down503", 503},
		{"barred number", "barred403", 403},
		{"nobody there", pbx.User("ghost"), 404},
		{"no codec in common", pcmaUser, 488},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := caller.p.Dial(ctx, tt.target)
			var se *sipua.StatusError
			require.True(t, errors.As(err, &se), "got %v", err)
			assert.Equal(t, tt.code, se.Code)
			assert.NotEmpty(t, se.Message())
		})
	}
}
