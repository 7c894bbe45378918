package phone_test

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/rtctest/farend"
	"github.com/phonebar/phonebar/internal/sipua"
)

// Ringing calls are capped (one more is refused with 486 Busy Here and never shown) and time out
// locally (refused with 480 after RingTimeout, ending with ErrRingTimeout).
func TestRingingCapAndTimeout(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	agentUser := pbx.User("agent")
	const ringFor = 1500 * time.Millisecond
	ag := startAgent(ctx, t, pbx, agentUser, agentHz, func(c *phone.Config) { c.MaxRinging = 1; c.RingTimeout = ringFor })
	first := farend.Start(ctx, t, pbx, pbx.User("first"), farHz)
	second := farend.Start(ctx, t, pbx, pbx.User("second"), farHz)

	firstDone := make(chan farend.Result, 1)
	start := time.Now()
	go func() { firstDone <- first.Call(ctx, agentUser) }()
	ringing := ag.wait(ctx, t, kind(phone.EventIncoming)).Call
	assert.Equal(t, phone.StateRinging, ringing.State())

	busyAt := time.Now()
	res := second.Call(ctx, agentUser)
	require.NoError(t, res.Err)
	assert.Equal(t, 486, res.Code, "beyond the cap: busy here")
	t.Logf("second call refused busy in %v", time.Since(busyAt).Round(time.Millisecond))

	r := <-firstDone
	require.NoError(t, r.Err)
	assert.Equal(t, 480, r.Code, "nobody answered: temporarily unavailable")
	rang := time.Since(start)
	t.Logf("unanswered call refused after %v (RingTimeout %v)", rang.Round(time.Millisecond), ringFor)
	assert.GreaterOrEqual(t, rang, ringFor)
	ev := ag.wait(ctx, t, kind(phone.EventEnded))
	assert.Same(t, ringing, ev.Call)
	assert.ErrorIs(t, ev.Err, phone.ErrRingTimeout)
	// Only the first call was ever shown.
	for {
		select {
		case ev := <-ag.events:
			assert.NotEqual(t, phone.EventIncoming, ev.Kind, "the refused call never reached the agent")
			continue
		default:
		}
		break
	}
	// Once nothing rings, a call rings again.
	go func() { firstDone <- first.Call(ctx, agentUser) }()
	again := ag.wait(ctx, t, kind(phone.EventIncoming)).Call
	require.NoError(t, again.Reject(ctx, 486))
	assert.Equal(t, 486, (<-firstDone).Code)
}

// replacesFor is the Replaces header a phone that knows the far end's side of call sends to name
// it at the agent (RFC 3891: the tags as the agent sees them).
func replacesFor(c *farend.Call) sip.Header {
	r := sipua.Replaces{CallID: c.CallID, ToTag: c.RemoteTag, FromTag: c.LocalTag}
	return sip.NewHeader("Replaces", r.String())
}

// An INVITE with Replaces for a call the agent holds is never answered unasked: it rings, says
// which call it would replace, and the held call goes on untouched until the agent answers (then
// the held call ends). One for an active call (the end of an attended transfer to the agent) is
// answered at once and the old call hung up.
func TestReplacesRingsForHeldCall(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	tests := []struct {
		name string
		hold bool
	}{
		{"held call: rings", true},
		{"active call: answered at once", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			agentUser, custUser := pbx.User("agent"), pbx.User("customer")
			ag := startAgent(ctx, t, pbx, agentUser, agentHz, nil)
			cust := farend.Start(ctx, t, pbx, custUser, farHz)
			other := farend.Start(ctx, t, pbx, pbx.User("otherdevice"), 700)
			call, err := ag.p.Dial(ctx, custUser)
			require.NoError(t, err)
			cc := cust.Current()
			flowsBothWays(ctx, t, call, cc, "audio both ways")
			if tt.hold {
				require.NoError(t, call.Hold(ctx, false))
			}

			done := make(chan farend.Result, 1)
			go func() { done <- other.Call(ctx, agentUser, replacesFor(cc)) }()
			if !tt.hold {
				r := <-done
				require.NoError(t, r.Err)
				assert.Equal(t, 200, r.Code)
				ev := ag.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventActive && ev.Call != call })
				assert.Nil(t, ev.Call.Replaces())
				waitDone(ctx, t, call, "the replaced call ends")
				eventually(ctx, t, "the agent hears the new party", hears(ev.Call, 700))
				eventually(ctx, t, "the new party hears the agent", func() bool { return r.Call.Hears(agentHz) })
				return
			}
			ev := ag.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventIncoming })
			in := ev.Call
			assert.Same(t, call, in.Replaces(), "the ringing call says which call it would replace")
			assert.Equal(t, phone.StateRinging, in.State())
			// Not answered: for a while, nothing reaches the other device, and the held call is held.
			select {
			case r := <-done:
				t.Fatalf("the INVITE with Replaces was answered unasked: %+v", r)
			case <-time.After(time.Second):
			}
			assert.Equal(t, phone.StateHeld, call.State())
			assert.Equal(t, phone.StateRinging, in.State())
			// The agent answers: the held call ends, the new one carries audio.
			require.NoError(t, in.Answer(ctx))
			r := <-done
			require.NoError(t, r.Err)
			assert.Equal(t, 200, r.Code)
			waitDone(ctx, t, call, "the replaced call ends once the agent answered")
			eventually(ctx, t, "the agent hears the other device", hears(in, 700))
			eventually(ctx, t, "the other device hears the agent", func() bool { return r.Call.Hears(agentHz) })
		})
	}
}
