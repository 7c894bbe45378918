package tray

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/testenv"
	"github.com/phonebar/phonebar/internal/tray/snitest"
)

// TestSystemTrayOnTheSessionBus puts the real tray (fyne.io/systray's StatusNotifierItem) on the
// session bus of .ci/with-services, with a StatusNotifierWatcher of the test's own as the desktop:
// the item registers, its title, tooltip and icon follow the status, its com.canonical.dbusmenu menu
// has the items in order with their states, and a "clicked" event on an item calls its action.
// fyne.io/systray runs once per process: this is the package's only test of the real tray.
func TestSystemTrayOnTheSessionBus(t *testing.T) {
	testenv.NeedSessionBus(t)
	w, err := snitest.Start()
	require.NoError(t, err)
	defer w.Close()

	acts := &syncRecorder{calls: make(chan string, clickQueue)}
	tr, err := New(Options{Actions: acts})
	require.NoError(t, err)
	defer tr.Close()

	var item snitest.Item
	waitTrue(t, "the item to register with the watcher", func() bool {
		items := w.Items()
		if len(items) > 0 {
			item = items[0]
		}
		return len(items) > 0
	})
	waitTitle(t, item, "Phonebar: Logged out")
	id, err := item.String("Id")
	require.NoError(t, err)
	assert.NotEmpty(t, id)

	tr.Update(Status{LoggedIn: true, Agent: "alice", PauseTypes: reasons, PauseTypeID: 1, PauseReason: "Lunch"})
	waitTitle(t, item, "Phonebar: Paused: Lunch")
	title, text, err := item.ToolTip()
	require.NoError(t, err)
	assert.Equal(t, "Phonebar: Paused: Lunch\nAgent alice", title)
	assert.Empty(t, text)
	assertIconColour(t, item, LightPaused)

	menu := waitMenu(t, item, func(m snitest.Node) bool { _, ok := m.Find("Training"); return ok })
	assert.Equal(t, []string{"Status: Paused: Lunch", "-", "Ready", "Pause", "Pause for", "-", "Omni Desktop", "Show Phonebar",
		"-", "Start with the system", "Compact window during calls", "-", "Quit"}, menu.Labels())
	ready, _ := menu.Find("Ready")
	lunch, _ := menu.Find("Lunch")
	status, _ := menu.Find("Status: Paused: Lunch")
	assert.False(t, ready.Checked())
	assert.True(t, lunch.Checked())
	assert.False(t, status.Enabled(), "the status line is not an action")

	// Clicks as a tray host sends them.
	require.NoError(t, item.Click(ready.ID))
	assert.Equal(t, "ready", acts.next(t))
	training, _ := menu.Find("Training")
	require.NoError(t, item.Click(training.ID))
	assert.Equal(t, "pause:2", acts.next(t))

	// Ready, on a server without pause reasons: the submenu goes, Ready is ticked, the icon is green.
	tr.Update(Status{LoggedIn: true, Agent: "alice", Ready: true})
	waitTitle(t, item, "Phonebar: Ready")
	assertIconColour(t, item, LightReady)
	menu = waitMenu(t, item, func(m snitest.Node) bool { r, _ := m.Find("Ready"); return r.Checked() })
	assert.NotContains(t, menu.Labels(), "Pause for")

	// In a call.
	tr.Update(Status{LoggedIn: true, Agent: "alice", Ready: true, Calls: 1, CallWith: "*43"})
	waitTitle(t, item, "Phonebar: In a call with *43")
	assertIconColour(t, item, LightCall)

	// Logged out: Ready cannot be used (a click on it does nothing), Quit can.
	tr.Update(Status{})
	waitTitle(t, item, "Phonebar: Logged out")
	menu = waitMenu(t, item, func(m snitest.Node) bool { r, _ := m.Find("Ready"); return !r.Enabled() })
	ready, _ = menu.Find("Ready")
	require.NoError(t, item.Click(ready.ID))
	quit, _ := menu.Find("Quit")
	assert.True(t, quit.Enabled())
	require.NoError(t, item.Click(quit.ID))
	assert.Equal(t, "quit", acts.next(t), "the click on the disabled Ready did nothing")
}

func waitTrue(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitTitle(t *testing.T, item snitest.Item, want string) {
	t.Helper()
	var got string
	waitTrue(t, "the title "+want, func() bool {
		got, _ = item.String("Title")
		return got == want
	})
}

// waitMenu reads the menu until ok: a host reads it again after each LayoutUpdated signal, and
// systray's first answer holds only the first level.
func waitMenu(t *testing.T, item snitest.Item, ok func(snitest.Node) bool) snitest.Node {
	t.Helper()
	var m snitest.Node
	waitTrue(t, "the menu", func() bool {
		var err error
		m, err = item.Menu()
		return err == nil && ok(m)
	})
	return m
}

// assertIconColour checks the pixel in the disc above the mark has the light's colour.
func assertIconColour(t *testing.T, item snitest.Item, l Light) {
	t.Helper()
	c := lightColours[l]
	waitTrue(t, "the "+l.String()+" icon", func() bool {
		w, h, argb, err := item.Icon()
		if err != nil || w != iconSize || h != iconSize || len(argb) != iconSize*iconSize*4 {
			return false
		}
		i := (iconSize/5*iconSize + iconSize/2) * 4
		return argb[i] == 0xff && argb[i+1] == c.R && argb[i+2] == c.G && argb[i+3] == c.B
	})
}
