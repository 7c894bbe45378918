//go:build linux

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/motionsim/pbx"
)

// TestWindowBarShiftSteps is the rest of an agent's shift in the real window, at the default and
// the minimum size, beyond TestWindowBarLayout: the parts of issue 14 that the agent meets between
// calls and in the middle of one.
//   - A call nobody answers is counted on the recent calls' badge, in view, until the list is
//     opened; the list then names the caller, with their number, as missed.
//   - Transfer pressed with an empty dial field says what to do on the call's card, under the
//     buttons, not in small text elsewhere; Hang up does not move.
//   - Opening the keypad during a call does not move Hang up; digits typed outside the dial field
//     go to the other side and "Keys sent" shows on the card, in view, under the buttons.
//
// Screenshots go to PHONEBAR_SHOTS (bar-WxH-14..17-*.png).
func TestWindowBarShiftSteps(t *testing.T) {
	for _, size := range barSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) { shiftSteps(t, size.w, size.h) })
	}
}

func shiftSteps(t *testing.T, w, h int) {
	d := newDemoWith(t, motion.TypologyWebRTC, func(c *motionsim.Config) { c.PBX.RingSeconds = 2 })
	shots := shotsDir(t)
	shot := func(name string) { screenshot(t, shots, fmt.Sprintf("bar-%dx%d-%s", w, h, name)) }
	app, win := openBar(t, d, homeFor(t, d, nil), w, h)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// A call that rings out unanswered.
	_, err := d.sim.CallAgent(ctx, motionsim.AdminCallRequest{Agent: d.login.Name, CallerName: "Luca Ferri", CallerNumber: "+390611122233", Seconds: 30})
	require.NoError(t, err)
	app.waitState(t, "the call ringing", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 1 })
	s := app.waitState(t, "the missed call counted", 20*time.Second, func(s uiState) bool {
		return len(s.Calls) == 0 && s.Missed == 1 && s.Layout.Els["missed"].W > 0
	})
	requireInView(t, app, "missed", "dial", "call")
	shot("14-missed-badge")
	app.press(t, win, "recent-summary", "Return")
	s = app.waitState(t, "the list opened, the badge gone", 5*time.Second, func(s uiState) bool { return s.Missed == 0 })
	require.NotEmpty(t, s.Recent)
	assert.Equal(t, "Luca Ferri +390611122233", s.Recent[0], "the missed caller by name and number")
	shot("15-recent-missed")
	key(t, win, "ctrl+k")
	app.waitState(t, "back in the dial field", 5*time.Second, func(s uiState) bool { return s.Focus == "dial" })

	// A call answered; Transfer with nothing to transfer to.
	_, err = d.sim.CallAgent(ctx, motionsim.AdminCallRequest{Agent: d.login.Name, CallerName: "Dana Customer", CallerNumber: "+390212345678", Seconds: 120})
	require.NoError(t, err)
	s = app.waitState(t, "the incoming call", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 1 && s.Calls[0].State == "ringing" })
	id := s.Calls[0].ID
	key(t, win, "ctrl+Return")
	app.waitState(t, "the call answered", 15*time.Second, func(s uiState) bool {
		return s.call(id).State == "active" && s.Layout.Els["hangup:"+id].W > 0
	})
	hangup := app.state().Layout.Els["hangup:"+id]
	app.press(t, win, "button:Transfer", "Return")
	s = app.waitState(t, "the card's error", 5*time.Second, func(s uiState) bool { return s.Layout.Els["error:"+id].W > 0 })
	s = requireInView(t, app, "error:"+id, "hangup:"+id, "transfer:"+id, "dial")
	card, msg := s.Layout.Els["card:"+id], s.Layout.Els["error:"+id]
	assert.True(t, msg.X >= card.X && msg.X+msg.W <= card.X+card.W && msg.Y >= card.Y && msg.Y+msg.H <= card.Y+card.H,
		"the error is on the call's card: %+v in %+v", msg, card)
	assert.Equal(t, "dial", s.Focus, "the keyboard waits in the dial field for the number")
	assert.Equal(t, hangup, s.Layout.Els["hangup:"+id], "the error does not move Hang up")
	requireWhole(t, app)
	shot("16-transfer-empty")

	// The keypad, and keys to the other side.
	app.press(t, win, "pad-toggle", "Return")
	s = app.waitState(t, "the keypad open", 5*time.Second, func(s uiState) bool { return s.Layout.Els["dialpad"].W > 0 })
	assert.Equal(t, hangup, s.Layout.Els["hangup:"+id], "opening the keypad does not move Hang up")
	typeText(t, win, "12")
	s = app.waitState(t, "the keys sent on the card", 10*time.Second, func(s uiState) bool { return s.Layout.Els["keys:"+id].W > 0 })
	rows := func() []pbx.CallInfo { return d.sim.PBXCalls().Rows }
	waitFor(t, "both keys at the other side, in order", 10*time.Second, pbxHas(rows, "customer", func(c pbx.CallInfo) bool { return c.Digits == "12" }))
	s = requireInView(t, app, "keys:"+id, "hangup:"+id, "mute:"+id)
	assert.Equal(t, hangup, s.Layout.Els["hangup:"+id], "the keys sent do not move Hang up")
	assert.Zero(t, s.Layout.ScrollY, "the page never scrolls")
	requireWhole(t, app)
	shot("17-keypad-keys-sent")
	key(t, win, "ctrl+e")
	app.waitState(t, "the call ended", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 0 })
}
