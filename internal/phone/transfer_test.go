package phone_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

// Tones of the parties, all different, so each one's audio is recognised where it arrives.
const (
	agentHz  = 440                   // the Phonebar doing the transfer
	callerHz = rtctest.BrowserToneHz // X, the caller (the browser's fake microphone)
	targetHz = 900                   // Y, the colleague taking the call over
)

func nearHz(got, want float64) bool { return math.Abs(got-want) < want*0.04 }

// browserHears waits until the browser's current call receives audio at hz.
func browserHears(ctx context.Context, b *rtctest.Browser, hz float64, what string) {
	b.WaitFor(ctx, what, func(b *rtctest.Browser) bool { return nearHz(b.PeakHz(), hz) })
}

// browserPackets waits until the browser's current call both sends and receives RTP, and returns
// the counts.
func browserFlows(ctx context.Context, t *testing.T, b *rtctest.Browser, what string) rtctest.PhoneStats {
	t.Helper()
	first := b.Stats()
	var now rtctest.PhoneStats
	b.WaitFor(ctx, what, func(b *rtctest.Browser) bool {
		now = b.Stats()
		return now.In > first.In && now.Out > first.Out && now.DTLS == "connected"
	})
	return now
}

func waitDone(ctx context.Context, t *testing.T, c *phone.Call, what string) {
	t.Helper()
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatalf("never: %s (state %s)", what, c.State())
	}
}

// The agent takes a call from X (a browser), holds it, consults Y (another browser), and completes
// the transfer: X calls Y with Replaces, Y swaps our consultation call for X's, and both of the
// agent's calls end, leaving X and Y talking. A first attempt that X declines leaves everything as
// it was.
func TestAttendedTransferBetweenBrowsers(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	br := rtctest.StartBrowser(t)
	x, y := br, br.NewTab()
	y.SetTone(targetHz)
	y.SetAutoAnswer(true)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	xUser, yUser, agentUser := pbx.User("caller"), pbx.User("colleague"), pbx.User("agent")
	x.Register(pbx, pbx.WSURL, xUser)
	y.Register(pbx, pbx.WSURL, yUser)
	ag := startAgent(ctx, t, pbx, agentUser, agentHz, nil)

	// Call A: X calls the agent.
	x.Call(pbx, agentUser)
	a := ag.wait(ctx, t, kind(phone.EventIncoming)).Call
	require.NoError(t, a.Answer(ctx))
	eventually(ctx, t, "the agent hears X", hears(a, callerHz))
	browserHears(ctx, x, agentHz, "X hears the agent")

	// The agent holds X and calls Y (call B).
	require.NoError(t, a.Hold(ctx, false))
	b, err := ag.p.Dial(ctx, yUser)
	require.NoError(t, err)
	eventually(ctx, t, "the agent hears Y", hears(b, targetHz))
	browserHears(ctx, y, agentHz, "Y hears the agent")

	// X's phone declines to be transferred: the agent is told, and keeps both calls.
	start := time.Now()
	err = a.TransferTo(ctx, b)
	var te *sipua.TransferError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 603, te.Code)
	assert.False(t, te.Refused, "X took the REFER and reported the outcome in a NOTIFY")
	t.Logf("declined transfer reported in %v: %v", time.Since(start).Round(time.Millisecond), err)
	assert.Equal(t, phone.StateHeld, a.State())
	assert.Equal(t, phone.StateActive, b.State())
	eventually(ctx, t, "the agent still hears Y", hears(b, targetHz))
	st := x.State()
	assert.Equal(t, 1, st.Refers)
	assert.Equal(t, pbx.AOR(yUser), st.ReferTarget)
	assert.True(t, strings.HasPrefix(st.ReferReplaces, b.ID()+";"), "Replaces names call B: %q", st.ReferReplaces)
	assert.Equal(t, "confirmed", st.Status, "X's call with the agent is still up")

	// Now X accepts: the transfer completes.
	x.SetAcceptRefer(true)
	start = time.Now()
	require.NoError(t, a.TransferTo(ctx, b))
	t.Logf("transfer completed in %v (REFER to the final NOTIFY and both calls ended)", time.Since(start).Round(time.Millisecond))
	waitDone(ctx, t, a, "call A ends")
	waitDone(ctx, t, b, "call B ends")
	assert.ErrorIs(t, a.Err(), sipua.ErrCallEnded)
	assert.ErrorIs(t, b.Err(), sipua.ErrCallEnded)
	assert.Equal(t, 1, y.State().Replaced, "Y replaced call B")

	// X and Y talk, audio both ways.
	x.WaitFor(ctx, "X's new call is up", func(b *rtctest.Browser) bool { return b.State().Status == "confirmed" })
	y.WaitFor(ctx, "Y's new call is up", func(b *rtctest.Browser) bool { return b.State().Status == "confirmed" })
	browserHears(ctx, x, targetHz, "X hears Y")
	browserHears(ctx, y, callerHz, "Y hears X")
	xs := browserFlows(ctx, t, x, "X's RTP flows both ways")
	ys := browserFlows(ctx, t, y, "Y's RTP flows both ways")
	t.Logf("after the transfer: X %+v, Y %+v", xs, ys)
	x.Hangup()
	y.WaitFor(ctx, "Y sees X hang up", func(b *rtctest.Browser) bool { return b.State().Status == "ended" })
}

// The Phonebar is the transfer target: its consultation call with a colleague's Phonebar is replaced
// by the caller's INVITE with Replaces, answered at once, and the replaced call is hung up.
func TestAttendedTransferToPhonebar(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	x := rtctest.StartBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	xUser, agentUser, targetUser := pbx.User("caller"), pbx.User("agent"), pbx.User("target")
	x.Register(pbx, pbx.WSURL, xUser)
	x.SetAcceptRefer(true)
	ag := startAgent(ctx, t, pbx, agentUser, agentHz, nil)
	tg := startAgent(ctx, t, pbx, targetUser, targetHz, nil)

	x.Call(pbx, agentUser)
	a := ag.wait(ctx, t, kind(phone.EventIncoming)).Call
	require.NoError(t, a.Answer(ctx))
	browserHears(ctx, x, agentHz, "X hears the agent")
	require.NoError(t, a.Hold(ctx, false))

	type dialed struct {
		c   *phone.Call
		err error
	}
	res := make(chan dialed, 1)
	go func() { c, err := ag.p.Dial(ctx, targetUser); res <- dialed{c, err} }()
	tb := tg.wait(ctx, t, kind(phone.EventIncoming)).Call
	require.NoError(t, tb.Answer(ctx))
	d := <-res
	require.NoError(t, d.err)
	b := d.c
	eventually(ctx, t, "the target hears the agent", hears(tb, agentHz))

	require.NoError(t, a.TransferTo(ctx, b))
	waitDone(ctx, t, a, "the agent's call A ends")
	waitDone(ctx, t, b, "the agent's call B ends")

	// At the target: a new call, answered without ringing; the consultation call ended.
	nc := tg.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventActive && ev.Call != tb }).Call
	assert.Equal(t, sipua.DirectionIncoming, nc.Direction())
	assert.Equal(t, pbx.AOR(xUser), nc.Remote())
	waitDone(ctx, t, tb, "the target's consultation call ends")
	eventually(ctx, t, "the target hears X", hears(nc, callerHz))
	browserHears(ctx, x, targetHz, "X hears the target")
	require.NoError(t, nc.Hangup(ctx))
	x.WaitFor(ctx, "X sees the hang-up", func(b *rtctest.Browser) bool { return b.State().Status == "ended" })
}

// A caller asking the Phonebar to transfer itself (REFER from the far end) is declined with 603, and
// the call goes on.
func TestFarEndReferDeclined(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	x := rtctest.StartBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	xUser, agentUser := pbx.User("caller"), pbx.User("agent")
	x.Register(pbx, pbx.WSURL, xUser)
	ag := startAgent(ctx, t, pbx, agentUser, agentHz, nil)

	x.Call(pbx, agentUser)
	a := ag.wait(ctx, t, kind(phone.EventIncoming)).Call
	require.NoError(t, a.Answer(ctx))
	browserHears(ctx, x, agentHz, "X hears the agent")

	x.Refer(pbx, pbx.User("elsewhere"))
	x.WaitFor(ctx, "X's REFER is answered", func(b *rtctest.Browser) bool { return b.State().ReferResult != "" })
	assert.Equal(t, "failed 603", x.State().ReferResult)
	assert.Equal(t, phone.StateActive, a.State())
	assert.Equal(t, "confirmed", x.State().Status)
	browserFlows(ctx, t, x, "the call still carries audio both ways")
	eventually(ctx, t, "the agent still hears X", hears(a, callerHz))
	require.NoError(t, a.Hangup(ctx))
	x.WaitFor(ctx, "X sees the hang-up", func(b *rtctest.Browser) bool { return b.State().Status == "ended" })
	assert.False(t, errors.Is(a.Err(), sipua.ErrCancelled))
}
