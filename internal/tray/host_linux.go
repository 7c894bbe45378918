package tray

import (
	"fmt"
	"time"

	"fyne.io/systray"

	"github.com/godbus/dbus/v5"
	"github.com/sirupsen/logrus"
)

// WatcherName is the D-Bus name of the StatusNotifierWatcher, the desktop's side of the tray
// protocol (KDE, Xfce, Cinnamon, GNOME with the AppIndicator extension, snixembed, ...).
const WatcherName = "org.kde.StatusNotifierWatcher"

// iconFor is the icon of a light in the format the StatusNotifierItem host takes (PNG, turned into
// ARGB pixels by systray).
func iconFor(l Light) []byte { return IconPNG(l) }

// preflight needs a D-Bus session bus (the tray protocol runs on it) and says in the log when no
// desktop tray listens yet: the icon then appears as soon as one starts.
func preflight(log logrus.FieldLogger) error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("%w: no D-Bus session bus (%v)", ErrUnavailable, err)
	}
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, WatcherName).Store(&has); err == nil && !has {
		log.Info("tray: this desktop shows no tray icons yet (no StatusNotifierWatcher): the icon appears when one starts")
	}
	return nil
}

// settle waits until the item is on the bus: systray says it is ready before it exports the item's
// properties, and a title set in between is lost. A title set after the export reads back.
func settle(timeout time.Duration) error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("%w: no D-Bus session bus (%v)", ErrUnavailable, err)
	}
	names := conn.Names()
	if len(names) == 0 {
		return fmt.Errorf("%w: no name on the session bus", ErrUnavailable)
	}
	self := conn.Object(names[0], "/StatusNotifierItem")
	const probe = "Phonebar"
	deadline := time.Now().Add(timeout)
	for {
		systray.SetTitle(probe)
		var v dbus.Variant
		err := self.Call("org.freedesktop.DBus.Properties.Get", 0, "org.kde.StatusNotifierItem", "Title").Store(&v)
		if err == nil && v.Value() == probe {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: the tray item was not exported on the session bus within %s", ErrUnavailable, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
