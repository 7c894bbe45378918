//go:build linux || windows

package tray

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"fyne.io/systray"
	"github.com/sirupsen/logrus"
)

// systrayHost is the tray of Linux (StatusNotifierItem over D-Bus) and Windows (the notification
// area) through fyne.io/systray, whose state is global: one per process.
type systrayHost struct {
	log   logrus.FieldLogger
	click func(string)
	done  chan struct{}
	items map[string]*systray.MenuItem
	last  map[string]Item
	// children are the items under a submenu, by the parent's key.
	children map[string][]*systray.MenuItem
	light    Light
	drawn    bool
}

func newSystemHost(log logrus.FieldLogger) host {
	return &systrayHost{log: log, items: map[string]*systray.MenuItem{}, last: map[string]Item{}, children: map[string][]*systray.MenuItem{}}
}

// startTimeout bounds the wait for the tray to come up.
const startTimeout = 10 * time.Second

func (h *systrayHost) start(click func(string)) error {
	if err := preflight(h.log); err != nil {
		return err
	}
	h.click = click
	ready := make(chan struct{})
	h.done = make(chan struct{})
	go func() {
		// Windows: the icon's hidden window and its message loop must share one OS thread. Linux:
		// the loop only waits for Quit.
		runtime.LockOSThread()
		defer close(h.done)
		systray.Run(func() { close(ready) }, nil)
	}()
	select {
	case <-ready:
		return settle(startTimeout)
	case <-h.done:
		return fmt.Errorf("%w: the tray ended at once", ErrUnavailable)
	case <-time.After(startTimeout):
		return fmt.Errorf("%w: the tray did not start within %s", ErrUnavailable, startTimeout)
	}
}

func (h *systrayHost) show(lk Look) {
	if !h.drawn || lk.Light != h.light {
		systray.SetIcon(iconFor(lk.Light))
		h.light, h.drawn = lk.Light, true
	}
	systray.SetTitle(lk.Title)
	systray.SetTooltip(lk.Tooltip)
}

func (h *systrayHost) menu(items []Item) {
	for _, it := range items {
		mi := h.items[it.Key]
		if mi == nil {
			if it.Separator && len(h.items) > 0 {
				systray.AddSeparator()
			}
			if it.Checkable {
				mi = systray.AddMenuItemCheckbox(it.Title, "", it.Checked)
			} else {
				mi = systray.AddMenuItem(it.Title, "")
			}
			h.items[it.Key] = mi
			h.forward(mi, it.Key)
			h.apply(mi, Item{Title: it.Title, Checkable: it.Checkable, Checked: it.Checked}, it)
		} else {
			h.apply(mi, h.last[it.Key], it)
		}
		h.last[it.Key] = it
		if it.Children != nil || h.children[it.Key] != nil {
			h.submenu(mi, it.Key, it.Children)
		}
	}
}

// apply changes what differs between was and it.
func (h *systrayHost) apply(mi *systray.MenuItem, was, it Item) {
	if was.Title != it.Title {
		mi.SetTitle(it.Title)
	}
	if it.Checkable && was.Checked != it.Checked {
		if it.Checked {
			mi.Check()
		} else {
			mi.Uncheck()
		}
	}
	if was.Disabled != it.Disabled || mi.Disabled() != it.Disabled {
		if it.Disabled {
			mi.Disable()
		} else {
			mi.Enable()
		}
	}
	if was.Hidden != it.Hidden {
		if it.Hidden {
			mi.Hide()
		} else {
			mi.Show()
		}
	}
}

// submenu makes the children of parent match kids: a different list (other reasons, or renamed) is
// made anew; otherwise only what changed is applied.
func (h *systrayHost) submenu(parent *systray.MenuItem, key string, kids []Item) {
	old := h.children[key]
	same := len(old) == len(kids)
	for i := 0; same && i < len(kids); i++ {
		was := h.last[kids[i].Key]
		same = was.Key == kids[i].Key && was.Title == kids[i].Title
	}
	if !same {
		for _, mi := range old {
			mi.Remove() // closes its ClickedCh: its forwarder ends
		}
		old = old[:0]
		for _, k := range kids {
			mi := parent.AddSubMenuItemCheckbox(k.Title, "", k.Checked)
			h.forward(mi, k.Key)
			h.apply(mi, Item{Title: k.Title, Checkable: true, Checked: k.Checked}, k)
			h.last[k.Key] = k
			old = append(old, mi)
		}
		h.children[key] = slices.Clip(old)
		return
	}
	for i, k := range kids {
		h.apply(old[i], h.last[k.Key], k)
		h.last[k.Key] = k
	}
}

// forward passes the clicks of mi on until it is removed. systray drops a click nobody waits for, so
// this goroutine does nothing but wait and hand over.
func (h *systrayHost) forward(mi *systray.MenuItem, key string) {
	go func() {
		for range mi.ClickedCh {
			h.click(key)
		}
	}()
}

func (h *systrayHost) stop() {
	for _, kids := range h.children {
		for _, mi := range kids {
			mi.Remove()
		}
	}
	for _, mi := range h.items {
		mi.Remove()
	}
	systray.Quit()
	select {
	case <-h.done:
	case <-time.After(startTimeout):
		h.log.Warn("tray: the tray did not stop")
	}
}
