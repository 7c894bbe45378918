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
)

// The window's default and minimum sizes (app.Run).
var barSizes = []struct{ w, h int }{{400, 660}, {340, 520}}

// TestWindowBarLayout is an agent's shift in the real window at the default and at the minimum size,
// against the demo server's PBX, with the microphone silent (nothing plays into it). It checks where
// things are, not only that they exist: every rectangle below is measured by the web view after the
// change and compared with the window's visible area.
//   - After login the silent microphone shows one problem banner and a badge, never the settings:
//     the dial field and Call stay in view, and the keyboard is in the dial field.
//   - A customer call takes over the top: Answer and Reject in view without scrolling, the window
//     title names the caller.
//   - Mute shows on the card (a flag in view) and in the status banner.
//   - Call waiting: the second call's Answer and Reject are in view and the first call's Hang up
//     does not move (nor is it covered); once answered, nothing offers to connect the two customers.
//   - A consultation placed while the customer is on hold offers Join and Swap.
//   - Log out during a call asks first; F1 shows the shortcuts; Ctrl+, the settings.
//   - Every state reads whole: no text in the call cards, the status banner or the incoming call is
//     cut (a muted call on hold, a caller with a long name); only a name may end in an ellipsis,
//     put there by the bar (frontend/src/fit.ts: no space or dash before it, no gap after it, at
//     least three characters, the whole text in its title), never by the browser's text-overflow.
//
// Screenshots of each state go to PHONEBAR_SHOTS (bar-WxH-NN-*.png).
func TestWindowBarLayout(t *testing.T) {
	for _, size := range barSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) { barLayout(t, size.w, size.h) })
	}
}

func barLayout(t *testing.T, w, h int) {
	d := newDemo(t, motion.TypologyWebRTC)
	home := homeFor(t, d, nil)
	shots := shotsDir(t)
	shot := func(name string) { screenshot(t, shots, fmt.Sprintf("bar-%dx%d-%s", w, h, name)) }
	app := startApp(t, home)
	win := app.waitUI(t)
	xdo(t, "windowmove", win, "0", "0")
	xdo(t, "windowsize", win, fmt.Sprint(w), fmt.Sprint(h))
	app.waitState(t, "the page at the window's size", 10*time.Second, func(s uiState) bool { return s.Layout.VW == w && s.Layout.VH == h })
	typeText(t, win, d.login.Password)
	key(t, win, "Return")

	// Logged in, the silent microphone reported: the phone stays where it was.
	s := app.waitState(t, "the bar with the microphone's verdict", 30*time.Second, func(s uiState) bool {
		return s.Screen == "home" && s.Registration == "registered" && s.Mic != "" && s.Problem != "" && s.Layout.Els["dial"].W > 0
	})
	assert.Equal(t, "silent", s.Mic, "nothing plays into the microphone")
	assert.Equal(t, "mic", s.Problem, "the silent microphone is the one problem shown")
	assert.Empty(t, s.Sheet, "the settings never open by themselves")
	assert.Equal(t, "dial", s.Focus, "the keyboard starts in the dial field")
	s = requireInView(t, app, "dial", "call", "problem", "status", "ready", "settings")
	assert.Zero(t, s.Layout.ScrollY, "the page never scrolls")
	shot("01-idle-silent-mic")

	// A customer calls: the top of the bar is the call.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := d.sim.CallAgent(ctx, motionsim.AdminCallRequest{Agent: d.login.Name, CallerName: "Dana Customer", CallerNumber: "+390212345678", Seconds: 300})
	require.NoError(t, err)
	s = app.waitState(t, "the incoming call", 15*time.Second, func(s uiState) bool {
		return len(s.Calls) == 1 && s.Calls[0].State == "ringing" && s.Layout.Els["answer:"+s.Calls[0].ID].W > 0
	})
	first := s.Calls[0].ID
	s = requireInView(t, app, "answer:"+first, "reject:"+first)
	assert.Greater(t, s.Layout.Els["answer:"+first].W, w/3, "Answer is a big button")
	assert.Zero(t, s.Layout.ScrollY)
	waitFor(t, "the window title to name the caller", 5*time.Second, func() bool {
		return strings.Contains(xdo(t, "getwindowname", win), "Incoming call: Dana Customer")
	})
	shot("02-incoming")

	key(t, win, "ctrl+Return")
	s = app.waitState(t, "the call answered", 15*time.Second, func(s uiState) bool {
		return len(s.Calls) == 1 && s.Calls[0].State == "active" && s.Layout.Els["hangup:"+first].W > 0
	})
	s = requireInView(t, app, "hangup:"+first, "mute:"+first, "hold:"+first, "dial", "call")
	assert.Contains(t, s.Status, "Connected: Dana Customer")
	assert.Equal(t, "Phonebar", xdo(t, "getwindowname", win), "the title is the app's again")
	time.Sleep(time.Second) // the call timer at 00:01 in the picture, for people; nothing waits on it
	shot("03-in-call")

	key(t, win, "ctrl+m")
	s = app.waitState(t, "the call muted", 10*time.Second, func(s uiState) bool {
		return s.call(first).Muted && s.Layout.Els["muted:"+first].W > 0
	})
	s = requireInView(t, app, "muted:"+first)
	assert.Contains(t, s.Status, "Muted", "the status banner says muted")
	requireWhole(t, app)
	hangup := s.Layout.Els["hangup:"+first]
	shot("04-muted")

	// Call waiting: a second customer, with a long name, rings while the agent talks to the first.
	_, err = d.sim.CallAgent(ctx, motionsim.AdminCallRequest{Agent: d.login.Name, CallerName: longName, CallerNumber: "+390298765432", Seconds: 300})
	require.NoError(t, err)
	s = app.waitState(t, "the waiting call", 15*time.Second, func(s uiState) bool {
		return len(s.Calls) == 2 && s.Calls[1].State == "ringing" && s.Layout.Els["answer:"+s.Calls[1].ID].W > 0
	})
	second := s.Calls[1].ID
	s = requireInView(t, app, "answer:"+second, "reject:"+second, "hangup:"+first)
	assert.Equal(t, hangup, s.Layout.Els["hangup:"+first], "the first call's Hang up did not move")
	assert.False(t, s.Layout.Els["reject:"+second].overlaps(hangup), "Reject is not where Hang up was")
	assert.False(t, s.Layout.Els["answer:"+second].overlaps(hangup), "Answer is not where Hang up was")
	requireWhole(t, app)
	shot("05-call-waiting")

	key(t, win, "ctrl+Return") // the first goes on hold
	s = app.waitState(t, "the first held, the second in call", 15*time.Second, func(s uiState) bool {
		return len(s.Calls) == 2 && s.call(first).State == "held" && s.call(second).State == "active" && s.Layout.Els["held:"+first].W > 0
	})
	assert.Equal(t, hangup, s.Layout.Els["hangup:"+first], "the first call's card stays where it was")
	s = requireInView(t, app, "hangup:"+second, "held:"+first)
	for k := range s.Layout.Els {
		assert.False(t, strings.HasPrefix(k, "join:"), "call waiting never offers to connect two customers (%s)", k)
	}
	assert.True(t, s.call(first).Muted, "the first call is still muted, now on hold")
	requireInView(t, app, "muted:"+first, "held:"+first)
	requireWhole(t, app) // the held and muted card, the long name in the banner
	shot("06-two-customers")

	// The second customer muted too: the banner says connected, muted and one held, whole.
	key(t, win, "ctrl+m")
	s = app.waitState(t, "the second call muted", 10*time.Second, func(s uiState) bool { return s.call(second).Muted })
	assert.Contains(t, s.Status, "Muted")
	assert.Contains(t, s.Status, "+1 held")
	assert.Contains(t, s.Status, longName, "the published status has the name whole, where the banner shortens it")
	requireWhole(t, app) // no browser's ellipsis: "Maria …  · 00:00" had a space and a gap before the "·"
	shot("06b-muted-and-held")

	// The second customer leaves; the agent consults *43 while the first waits on hold.
	key(t, win, "ctrl+e")
	app.waitState(t, "the second call gone", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 1 && s.call(first).State == "held" })
	key(t, win, "ctrl+k")
	typeText(t, win, "*43")
	key(t, win, "Return")
	s = app.waitState(t, "the consultation", 20*time.Second, func(s uiState) bool {
		if len(s.Calls) != 2 || s.Calls[1].State != "active" {
			return false
		}
		return s.Layout.Els["join:"+s.Calls[1].ID].W > 0
	})
	consult := s.Calls[1].ID
	requireInView(t, app, "join:"+consult, "swap:"+consult, "hangup:"+consult, "hangup:"+first)
	requireWhole(t, app)
	shot("07-consultation")

	// Log out during a call asks first; Escape keeps everything.
	key(t, win, "F10")
	app.waitState(t, "the menu", 5*time.Second, func(s uiState) bool { return s.Focus == "logout" })
	key(t, win, "Return")
	s = app.waitState(t, "the question before logging out", 5*time.Second, func(s uiState) bool { return s.Sheet == "confirm" && s.Focus == "confirm-no" })
	shot("08-logout-asks")
	key(t, win, "Escape")
	app.waitState(t, "the question gone", 5*time.Second, func(s uiState) bool { return s.Sheet == "" })
	assert.Len(t, d.sessions(d.login.Name, motion.ClientPhonebar), 1, "still logged in")
	assert.Len(t, app.state().Calls, 2, "both calls still up")

	key(t, win, "F1")
	app.waitState(t, "the shortcut sheet", 5*time.Second, func(s uiState) bool { return s.Sheet == "shortcuts" })
	shot("09-shortcuts")
	key(t, win, "Escape")
	key(t, win, "ctrl+comma")
	app.waitState(t, "the settings", 5*time.Second, func(s uiState) bool { return s.Sheet == "settings" && s.Focus == "mic-select" })
	shot("10-settings")
	key(t, win, "Escape")
	app.waitState(t, "the bar again", 5*time.Second, func(s uiState) bool { return s.Sheet == "" })

	// The consultation ends; Quit with the customer on hold asks, and the yes closes the app.
	key(t, win, "ctrl+e")
	app.waitState(t, "the consultation ended", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 1 })
	key(t, win, "F10", "Up", "Return") // the menu's last item: Quit
	app.waitState(t, "the question before quitting", 5*time.Second, func(s uiState) bool { return s.Sheet == "confirm" && s.Focus == "confirm-no" })
	select {
	case <-app.done:
		t.Fatal("the app quit without asking")
	default:
	}
	key(t, win, "shift+Tab", "Return") // "Quit and end the call"
	select {
	case <-app.done:
	case <-time.After(15 * time.Second):
		t.Fatal("the app did not quit after the agent confirmed")
	}
	assert.Contains(t, app.log.String(), "to=logged-out", "quitting logged the agent out")
}

// longName is a caller's name longer than any card or banner at the window's sizes.
const longName = "Maria Alessandra Bianchi-Fontanarosa di Castelnuovo"

// requireWhole waits until no text of the call cards, the status banner and the incoming call is cut
// (the window measures it with the layout: frontend/src/state.ts clippedText), and fails naming
// what is cut if that takes more than a few seconds.
func requireWhole(t *testing.T, app *appProc) uiState {
	t.Helper()
	var s uiState
	deadline := time.Now().Add(3 * time.Second)
	for {
		s = app.state()
		if s.Clipped != nil && len(s.Clipped) == 0 {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("text cut at %dx%d: %s", s.Layout.VW, s.Layout.VH, strings.Join(s.Clipped, "; "))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// requireInView waits until each named element is rendered and wholly inside the visible area (the
// page measures itself a moment after each change), and returns that state. It fails, naming the
// elements out of view, if they are not within a few seconds.
func requireInView(t *testing.T, app *appProc, names ...string) uiState {
	t.Helper()
	var s uiState
	out := func(s uiState) []string {
		var bad []string
		for _, n := range names {
			if r, ok := s.Layout.Els[n]; !ok || !r.inside(s.Layout.VW, s.Layout.VH) {
				bad = append(bad, fmt.Sprintf("%s at %+v", n, r))
			}
		}
		return bad
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		s = app.state()
		bad := out(s)
		if len(bad) == 0 {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("not inside the visible %dx%d: %s (layout %+v)", s.Layout.VW, s.Layout.VH, strings.Join(bad, ", "), s.Layout.Els)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
