//go:build linux

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/rtctest/netns"
)

// TestWindowMediaNoticeOnTheCard is a call whose audio cannot pass, in the real window: the test
// runs in a network namespace of its own (the window, the demo server and its PBX on its loopback)
// where every UDP packet is dropped, as by a firewall. The customer's call rings and is answered
// (the signalling goes over TCP), its audio never arrives, and after the phone's media timeout the
// call's card says why, inside the card and under its buttons (which it does not move), while the
// call stays up: the notice, the card's Hang up
// and the dial field are in view and nothing is cut, at the default size and at the minimum one.
// The microphone is silent too (nothing plays into it): the card says so, and the bar's banner,
// which said it before the call, gives way to it.
//
// Screenshots go to PHONEBAR_SHOTS (media-notice-WxH.png).
func TestWindowMediaNoticeOnTheCard(t *testing.T) {
	if !netns.Isolate(t, 3*time.Minute) {
		return
	}
	netns.Run(t, "iptables", "-A", "INPUT", "-p", "udp", "-j", "DROP")
	d := newDemo(t, motion.TypologyWebRTC)
	home := homeFor(t, d, nil)
	shots := shotsDir(t)
	app, win := d.loginRegistered(t, home)
	xdo(t, "windowmove", win, "0", "0")
	app.waitState(t, "the bar's check: the microphone silent (nothing plays into it)", 20*time.Second, func(s uiState) bool { return s.Problem == "mic" })

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := d.sim.CallAgent(ctx, motionsim.AdminCallRequest{Agent: d.login.Name, CallerName: "Dana Customer", CallerNumber: "+390212345678", Seconds: 120})
	require.NoError(t, err)
	app.waitState(t, "the incoming call", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 1 && s.Calls[0].State == "ringing" })
	key(t, win, "ctrl+Return")
	s := app.waitState(t, "the call's notice that no audio comes", 30*time.Second, func(s uiState) bool {
		return len(s.Calls) == 1 && s.Calls[0].State == "active" && s.Calls[0].Notice != ""
	})
	id := s.Calls[0].ID
	t.Logf("the card says: %s", s.Calls[0].Notice)
	// Nothing plays into the microphone: the card warns of it too, and then the banner's
	// "Microphone silent" gives way: the same problem is said once.
	s = app.waitState(t, "the card's warning of a silent microphone", 20*time.Second, func(s uiState) bool { return s.Layout.Els["warnings:"+id].W > 0 })
	s = app.waitState(t, "the banner gone", 5*time.Second, func(s uiState) bool { return s.Problem == "" })
	_, banner := s.Layout.Els["problem"]
	assert.False(t, banner, "no problem banner under the card")
	assert.Contains(t, strings.ToLower(s.Calls[0].Notice), "firewall", "the notice says the likely cause")

	for _, size := range barSizes {
		xdo(t, "windowsize", win, fmt.Sprint(size.w), fmt.Sprint(size.h))
		app.waitState(t, "the bar at the size", 10*time.Second, func(s uiState) bool {
			return s.Layout.VW == size.w && s.Layout.VH == size.h && s.Layout.Els["notice:"+id].W > 0
		})
		s = requireInView(t, app, "notice:"+id, "hangup:"+id, "mute:"+id, "dial", "call", "status")
		assert.Zero(t, s.Layout.ScrollY, "the page never scrolls")
		card, notice := s.Layout.Els["card:"+id], s.Layout.Els["notice:"+id]
		assert.True(t, notice.X >= card.X && notice.X+notice.W <= card.X+card.W && notice.Y >= card.Y && notice.Y+notice.H <= card.Y+card.H,
			"the notice is inside its call's card: %+v in %+v", notice, card)
		hangup := s.Layout.Els["hangup:"+id]
		assert.GreaterOrEqual(t, notice.Y, hangup.Y+hangup.H, "the notice came under the buttons, which it did not move: %+v, Hang up %+v", notice, hangup)
		requireWhole(t, app)
		assert.Equal(t, "active", s.call(id).State, "the call stays up")
		screenshot(t, shots, fmt.Sprintf("media-notice-%dx%d", size.w, size.h))
	}
	key(t, win, "ctrl+e")
	app.waitState(t, "the call ended", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 0 })
}
