//go:build linux

package e2e

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim/pbx"
	"github.com/phonebar/phonebar/internal/testenv"
	"github.com/phonebar/phonebar/internal/tray/snitest"
)

// TestWindowTrayAndCompactCall is the Phonebar living on a desktop, with the real window under
// Xvfb and a window manager (openbox, for _NET_WM_STATE), a StatusNotifierWatcher of the test's
// own on the session bus as the desktop's tray, and a WebRTC agent of the demo server:
//   - the app's StatusNotifierItem registers; its title follows the agent (logged out, paused);
//   - the tray menu's Ready makes the agent ready on the server, a pause reason pauses it with
//     that reason there; the menu's "Compact window during calls" is saved in the settings;
//   - a call to *43 shrinks the window to the compact size, above other windows, and the tray says
//     "In a call with *43"; after the call the window is back where and as large as it was;
//   - closing the window during a compact call asks with the window back at its full size; "Keep
//     the call" leaves it compact again;
//   - the tray's Quit during a call asks in the window, as the window's own Quit does, with the
//     window back at its full size for the question.
//
// The window is placed on GTK's main thread in one step (internal/desktop placeNative): through
// Wails' calls alone the size was asked before the new minimum applied, and about one run in three
// did not come back to its size and place after the call.
//
// Screenshots: tray-01-before-call, tray-02-compact-call, tray-03-after-call, tray-04-close-asks,
// tray-05-quit-asks.
func TestWindowTrayAndCompactCall(t *testing.T) {
	testenv.NeedSessionBus(t)
	testenv.NeedPulseAudio(t)
	testenv.NeedCommand(t, "sox")
	testenv.NeedCommand(t, "xprop")
	paplay := testenv.NeedCommand(t, "paplay")
	openbox := testenv.NeedCommand(t, "openbox")
	testenv.NeedDisplay(t)

	// A window manager: it keeps _NET_WM_STATE, which says whether a window is kept above.
	wm := exec.Command(openbox, "--sm-disable")
	require.NoError(t, wm.Start())
	t.Cleanup(func() { _ = wm.Process.Kill(); _ = wm.Wait() })
	waitFor(t, "openbox to manage the screen", 10*time.Second, func() bool {
		out, err := exec.Command("xprop", "-root", "_NET_SUPPORTING_WM_CHECK").Output()
		return err == nil && strings.Contains(string(out), "window id")
	})

	// The desktop's tray.
	w, err := snitest.Start()
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.Close() })

	// A working microphone: going ready checks it.
	tone := filepath.Join(t.TempDir(), "tone.wav")
	out, err := exec.Command("sox", "-n", "-r", "48000", "-c", "1", "-b", "16", tone, "synth", "180", "sine", "440", "vol", "0.5").CombinedOutput()
	require.NoError(t, err, "%s", out)
	play := exec.Command(paplay, "--device=vsink", tone)
	require.NoError(t, play.Start())
	t.Cleanup(func() { _ = play.Process.Kill(); _ = play.Wait() })

	d := newDemo(t, motion.TypologyWebRTC)
	home := homeFor(t, d, nil)
	shots := shotsDir(t)
	app := startApp(t, home)
	win := app.waitUI(t)

	var item snitest.Item
	waitFor(t, "the app's tray item to register", 15*time.Second, func() bool {
		items := w.Items()
		if len(items) > 0 {
			item = items[len(items)-1]
		}
		return len(items) > 0
	})
	trayTitle(t, item, "Phonebar: Logged out")
	m := trayMenu(t, item, func(m snitest.Node) bool { _, ok := m.Find("Quit"); return ok })
	ready, _ := m.Find("Ready")
	assert.False(t, ready.Enabled(), "Ready cannot be used while logged out")

	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	waitFor(t, "the softphone to register", 20*time.Second, logHas(app, `msg="phone registration" state=registered`))
	trayTitle(t, item, "Phonebar: Paused")
	// The microphone check at login has found the tone (a click on Ready during it is refused, with
	// a notice that it runs).
	app.waitState(t, "the microphone checked", 20*time.Second, func(s uiState) bool { return s.Mic == "working" })

	// Ready from the tray: the server sees it, and so do the tray and the window.
	m = trayMenu(t, item, func(m snitest.Node) bool {
		r, _ := m.Find("Ready")
		_, lunch := m.Find("Lunch")
		return r.Enabled() && lunch
	})
	ready, _ = m.Find("Ready")
	require.NoError(t, item.Click(ready.ID))
	waitFor(t, "the agent ready on the server", 20*time.Second, func() bool {
		st, ok := d.sim.AgentStatus(d.login.Name, motion.ClientPhonebar)
		return ok && st.Ready
	})
	trayTitle(t, item, "Phonebar: Ready")
	app.waitState(t, "the window shows ready", 10*time.Second, func(s uiState) bool { return s.Ready })

	// A pause reason from the tray.
	m = trayMenu(t, item, func(m snitest.Node) bool { r, _ := m.Find("Ready"); return r.Checked() })
	lunch, _ := m.Find("Lunch")
	require.NoError(t, item.Click(lunch.ID))
	waitFor(t, "the agent paused for lunch on the server", 15*time.Second, func() bool {
		st, ok := d.sim.AgentStatus(d.login.Name, motion.ClientPhonebar)
		return ok && !st.Ready && st.PauseType != nil && st.PauseType.Name == "Lunch"
	})
	trayTitle(t, item, "Phonebar: Paused: Lunch")

	// The compact window during calls, turned on from the tray.
	compact, _ := m.Find("Compact window during calls")
	assert.False(t, compact.Checked())
	require.NoError(t, item.Click(compact.ID))
	waitFor(t, "the setting saved", 10*time.Second, func() bool { return readSettings(t, home).Desktop.CompactDuringCalls })
	trayMenu(t, item, func(m snitest.Node) bool { c, _ := m.Find("Compact window during calls"); return c.Checked() })

	xdo(t, "windowmove", "--sync", win, "120", "80")
	xdo(t, "windowsize", "--sync", win, "420", "700")
	before := geometryOf(t, win)
	require.Equal(t, [2]int{420, 700}, [2]int{before.W, before.H})
	assert.False(t, keptAbove(t, win))
	screenshot(t, shots, "tray-01-before-call")

	key(t, win, "ctrl+k")
	typeText(t, win, "*43")
	key(t, win, "Return")
	waitFor(t, "the echo call with media both ways", 20*time.Second, pbxHas(func() []pbx.CallInfo { return d.sim.PBXCalls().Rows }, "echo", mediaBothWays))
	trayTitle(t, item, "Phonebar: In a call with *43")
	var g winGeometry
	waitFor(t, "the compact window kept above", 10*time.Second, func() bool {
		g = geometryOf(t, win)
		ok := g.W == 340 && g.H == 280 && keptAbove(t, win)
		if !ok {
			t.Logf("window %+v, kept above %v", g, keptAbove(t, win))
		}
		return ok
	})
	app.waitState(t, "the call's card in the compact window", 10*time.Second, func(s uiState) bool {
		return len(s.Calls) == 1 && s.Layout.VH == 280 && s.Layout.Els["hangup:"+s.Calls[0].ID].inside(s.Layout.VW, s.Layout.VH)
	})
	screenshot(t, shots, "tray-02-compact-call")

	key(t, win, "ctrl+e")
	app.waitState(t, "the call ended", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 0 })
	waitFor(t, "the window back where and as large as it was, not above", 10*time.Second, func() bool {
		return geometryOf(t, win) == before && !keptAbove(t, win)
	})
	trayTitle(t, item, "Phonebar: Paused: Lunch")
	screenshot(t, shots, "tray-03-after-call")

	// Quit from the tray during a call asks in the window first.
	key(t, win, "ctrl+k")
	typeText(t, win, "*43")
	key(t, win, "Return")
	app.waitState(t, "the second echo call", 20*time.Second, func(s uiState) bool { return len(s.Calls) == 1 })
	waitFor(t, "the compact window again", 10*time.Second, func() bool { return geometryOf(t, win).H == 280 })

	// The window's own close during the call asks at the full size; keeping the call keeps the
	// window at its full size until the call ends (the agent was just looking at it).
	closeWindow(t, win)
	app.waitState(t, "the question before closing", 10*time.Second, func(s uiState) bool { return s.Sheet == "confirm" && s.Focus == "confirm-no" })
	waitFor(t, "the window at its full size for the question", 10*time.Second, func() bool {
		return geometryOf(t, win) == before && !keptAbove(t, win)
	})
	app.waitState(t, "the question in view", 10*time.Second, func(s uiState) bool {
		return s.Layout.VH == before.H && s.Layout.Els["confirm-no"].inside(s.Layout.VW, s.Layout.VH)
	})
	screenshot(t, shots, "tray-04-close-asks")
	key(t, win, "Return") // "Keep the call"
	app.waitState(t, "the question gone", 10*time.Second, func(s uiState) bool { return s.Sheet == "" && len(s.Calls) == 1 })

	m = trayMenu(t, item, func(m snitest.Node) bool { _, ok := m.Find("Quit"); return ok })
	quit, _ := m.Find("Quit")
	require.NoError(t, item.Click(quit.ID))
	app.waitState(t, "the question before quitting", 10*time.Second, func(s uiState) bool { return s.Sheet == "confirm" && s.Focus == "confirm-no" })
	waitFor(t, "the window at its full size for the question", 10*time.Second, func() bool {
		return geometryOf(t, win) == before && !keptAbove(t, win)
	})
	select {
	case <-app.done:
		t.Fatal("the app quit from the tray without asking")
	default:
	}
	screenshot(t, shots, "tray-05-quit-asks")
	key(t, win, "shift+Tab", "Return") // "Quit and end the call"
	select {
	case <-app.done:
	case <-time.After(15 * time.Second):
		t.Fatal("the app did not quit after the agent confirmed")
	}
}

type winGeometry struct{ X, Y, W, H int }

// geometryOf reads the window's place and size from the X server.
func geometryOf(t testing.TB, win string) winGeometry {
	t.Helper()
	var g winGeometry
	for _, line := range strings.Split(xdo(t, "getwindowgeometry", "--shell", win), "\n") {
		k, v, _ := strings.Cut(line, "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "X":
			g.X = n
		case "Y":
			g.Y = n
		case "WIDTH":
			g.W = n
		case "HEIGHT":
			g.H = n
		}
	}
	return g
}

// keptAbove says the window manager keeps the window above others (_NET_WM_STATE_ABOVE).
func keptAbove(t testing.TB, win string) bool {
	t.Helper()
	out, err := exec.Command("xprop", "-id", win, "_NET_WM_STATE").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return strings.Contains(string(out), "_NET_WM_STATE_ABOVE")
}

func trayTitle(t testing.TB, item snitest.Item, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := item.String("Title")
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tray title is %q (%v), want %q", got, err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// trayMenu reads the tray's menu as a tray host does, until ok.
func trayMenu(t testing.TB, item snitest.Item, ok func(snitest.Node) bool) snitest.Node {
	t.Helper()
	var m snitest.Node
	waitFor(t, "the tray menu", 10*time.Second, func() bool {
		var err error
		m, err = item.Menu()
		return err == nil && ok(m)
	})
	return m
}
