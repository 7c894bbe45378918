package tray

import (
	"strconv"
	"strings"
)

// Keys of the menu's items. The pause reasons are KeyPauseFor + ":" + the reason's ID.
const (
	KeyStatus    = "status"
	KeyReady     = "ready"
	KeyPause     = "pause"
	KeyPauseFor  = "pause-for"
	KeyOmni      = "omni"
	KeyShow      = "show"
	KeyAutostart = "autostart"
	KeyCompact   = "compact"
	KeyQuit      = "quit"
)

// Item is one entry of the menu. The menu has the same items, in the same order, in every status:
// what changes is their titles, whether they can be used and the pause reasons (Children of
// KeyPauseFor).
type Item struct {
	Key       string
	Title     string
	Disabled  bool
	Hidden    bool
	Checkable bool
	Checked   bool
	// Separator draws a line before the item.
	Separator bool
	Children  []Item
}

// Menu returns the menu for s.
func Menu(s Status) []Item {
	lk := Describe(s)
	out := !s.LoggedIn
	reasons := make([]Item, 0, len(s.PauseTypes))
	for _, pt := range s.PauseTypes {
		reasons = append(reasons, Item{Key: pauseKey(pt.ID), Title: pt.Name, Disabled: out, Checkable: true,
			Checked: s.LoggedIn && !s.Ready && s.PauseTypeID == pt.ID})
	}
	return []Item{
		{Key: KeyStatus, Title: "Status: " + strings.TrimPrefix(lk.Title, "Phonebar: "), Disabled: true},
		{Key: KeyReady, Title: "Ready", Disabled: out, Checkable: true, Checked: s.LoggedIn && s.Ready, Separator: true},
		{Key: KeyPause, Title: "Pause", Disabled: out, Checkable: true, Checked: s.LoggedIn && !s.Ready && s.PauseTypeID == 0},
		{Key: KeyPauseFor, Title: "Pause for", Disabled: out, Hidden: len(reasons) == 0, Children: reasons},
		{Key: KeyOmni, Title: "Omni Desktop", Disabled: out, Separator: true},
		{Key: KeyShow, Title: "Show Phonebar"},
		{Key: KeyAutostart, Title: "Start with the system", Checkable: true, Checked: s.StartWithSystem, Separator: true},
		{Key: KeyCompact, Title: "Compact window during calls", Checkable: true, Checked: s.CompactDuringCalls},
		{Key: KeyQuit, Title: "Quit", Separator: true},
	}
}

func pauseKey(id int) string { return KeyPauseFor + ":" + strconv.Itoa(id) }

// Actions are what the menu's items do. Each is called from the tray's loop, one at a time; one that
// takes long (going ready checks the microphone) delays the next click, never loses it.
type Actions interface {
	// SetReady makes the agent ready (on) or pauses without a reason.
	SetReady(on bool)
	// Pause pauses the agent with the server's pause reason id.
	Pause(id int)
	// OpenOmni opens the Omni Desktop window.
	OpenOmni()
	// Show brings the Phonebar window to the front.
	Show()
	// SetStartWithSystem and SetCompact change the desktop settings.
	SetStartWithSystem(on bool)
	SetCompact(on bool)
	// Quit closes the Phonebar as its window's own close does: during a call the window asks first.
	Quit()
}

// Dispatch calls the action of the item key, clicked while the menu showed s. It reports false for a
// key that names no item, or one that cannot be used in s (a click that raced a change).
func Dispatch(key string, s Status, a Actions) bool {
	switch key {
	case KeyReady:
		if !s.LoggedIn {
			return false
		}
		a.SetReady(true)
	case KeyPause:
		if !s.LoggedIn {
			return false
		}
		a.SetReady(false)
	case KeyOmni:
		if !s.LoggedIn {
			return false
		}
		a.OpenOmni()
	case KeyShow:
		a.Show()
	case KeyAutostart:
		a.SetStartWithSystem(!s.StartWithSystem)
	case KeyCompact:
		a.SetCompact(!s.CompactDuringCalls)
	case KeyQuit:
		a.Quit()
	default:
		id, ok := strings.CutPrefix(key, KeyPauseFor+":")
		n, err := strconv.Atoi(id)
		if !ok || err != nil || !s.LoggedIn || !hasPauseType(s.PauseTypes, n) {
			return false
		}
		a.Pause(n)
	}
	return true
}

func hasPauseType(list []PauseType, id int) bool {
	for _, pt := range list {
		if pt.ID == id {
			return true
		}
	}
	return false
}
