// Package snitest is the desktop's side of the StatusNotifierItem protocol for tests: a
// StatusNotifierWatcher that items register with, and a reader of each item's properties and
// com.canonical.dbusmenu menu, which can click its items as a tray host would.
package snitest

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
)

// Names and paths of the protocol.
const (
	WatcherName   = "org.kde.StatusNotifierWatcher"
	WatcherPath   = dbus.ObjectPath("/StatusNotifierWatcher")
	ItemIface     = "org.kde.StatusNotifierItem"
	MenuIface     = "com.canonical.dbusmenu"
	propertiesGet = "org.freedesktop.DBus.Properties.Get"
)

// Watcher is a StatusNotifierWatcher on its own connection to the session bus.
type Watcher struct {
	conn    *dbus.Conn
	mu      sync.Mutex
	items   []Item
	changed chan struct{}
}

// Start connects to the session bus and takes the watcher's name. It fails when another watcher
// holds it.
func Start() (*Watcher, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, err
	}
	w := &Watcher{conn: conn, changed: make(chan struct{}, 1)}
	if err := conn.Export(watcherMethods{w}, WatcherPath, WatcherName); err != nil {
		conn.Close()
		return nil, err
	}
	reply, err := conn.RequestName(WatcherName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		conn.Close()
		return nil, fmt.Errorf("snitest: cannot own %s (reply %v): %v", WatcherName, reply, err)
	}
	return w, nil
}

// Close releases the name and the connection.
func (w *Watcher) Close() error { return w.conn.Close() }

// Items returns the items registered so far, oldest first.
func (w *Watcher) Items() []Item {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Item(nil), w.items...)
}

// Changed is signalled after each registration.
func (w *Watcher) Changed() <-chan struct{} { return w.changed }

type watcherMethods struct{ w *Watcher }

// RegisterStatusNotifierItem is the protocol's method: service is a bus name, or an object path on
// the caller's connection.
func (m watcherMethods) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	it := Item{conn: m.w.conn, Bus: string(sender), Path: "/StatusNotifierItem"}
	if strings.HasPrefix(service, "/") {
		it.Path = dbus.ObjectPath(service)
	} else if service != "" {
		it.Bus = service
	}
	m.w.mu.Lock()
	m.w.items = append(m.w.items, it)
	m.w.mu.Unlock()
	select {
	case m.w.changed <- struct{}{}:
	default:
	}
	return nil
}

// RegisterStatusNotifierHost is the protocol's method for hosts: accepted and ignored.
func (m watcherMethods) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

// Item is one registered StatusNotifierItem.
type Item struct {
	conn *dbus.Conn
	Bus  string
	Path dbus.ObjectPath
}

func (i Item) obj() dbus.BusObject { return i.conn.Object(i.Bus, i.Path) }

// Prop reads a property of the item.
func (i Item) Prop(name string) (any, error) {
	var v dbus.Variant
	if err := i.obj().Call(propertiesGet, 0, ItemIface, name).Store(&v); err != nil {
		return nil, err
	}
	return v.Value(), nil
}

// String reads a string property (Title, Status, Id, Category).
func (i Item) String(name string) (string, error) {
	v, err := i.Prop(name)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("snitest: %s is %T, not a string", name, v)
	}
	return s, nil
}

// ToolTip reads the tooltip's title and text.
func (i Item) ToolTip() (title, text string, err error) {
	v, err := i.Prop("ToolTip")
	if err != nil {
		return "", "", err
	}
	f, ok := v.([]any)
	if !ok || len(f) != 4 {
		return "", "", fmt.Errorf("snitest: ToolTip is %T", v)
	}
	title, _ = f[2].(string)
	text, _ = f[3].(string)
	return title, text, nil
}

// Icon reads the first pixmap of IconPixmap: its size and ARGB bytes.
func (i Item) Icon() (w, h int32, argb []byte, err error) {
	v, err := i.Prop("IconPixmap")
	if err != nil {
		return 0, 0, nil, err
	}
	list, ok := v.([][]any)
	if !ok || len(list) == 0 || len(list[0]) != 3 {
		return 0, 0, nil, fmt.Errorf("snitest: IconPixmap is %T", v)
	}
	w, _ = list[0][0].(int32)
	h, _ = list[0][1].(int32)
	argb, _ = list[0][2].([]byte)
	return w, h, argb, nil
}

// MenuPath reads the item's Menu property.
func (i Item) MenuPath() (dbus.ObjectPath, error) {
	v, err := i.Prop("Menu")
	if err != nil {
		return "", err
	}
	p, ok := v.(dbus.ObjectPath)
	if !ok {
		return "", fmt.Errorf("snitest: Menu is %T", v)
	}
	return p, nil
}

// Node is one entry of a dbusmenu layout.
type Node struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []Node
}

// Label is the entry's label ("" for a separator).
func (n Node) Label() string { s, _ := n.Props["label"].Value().(string); return s }

// Enabled says the entry can be used (the default when the property is absent).
func (n Node) Enabled() bool {
	v, ok := n.Props["enabled"]
	if !ok {
		return true
	}
	b, _ := v.Value().(bool)
	return b
}

// Visible says the entry is shown (the default when the property is absent).
func (n Node) Visible() bool {
	v, ok := n.Props["visible"]
	if !ok {
		return true
	}
	b, _ := v.Value().(bool)
	return b
}

// Checked says a check-mark entry is ticked.
func (n Node) Checked() bool {
	v, _ := n.Props["toggle-state"].Value().(int32)
	return v == 1
}

// Find returns the first entry, depth first, whose label is label.
func (n Node) Find(label string) (Node, bool) {
	if n.Label() == label {
		return n, true
	}
	for _, c := range n.Children {
		if f, ok := c.Find(label); ok {
			return f, true
		}
	}
	return Node{}, false
}

// Labels lists the labels of the visible children, separators as "-".
func (n Node) Labels() []string {
	var out []string
	for _, c := range n.Children {
		if !c.Visible() {
			continue
		}
		if t, _ := c.Props["type"].Value().(string); t == "separator" {
			out = append(out, "-")
			continue
		}
		out = append(out, c.Label())
	}
	return out
}

// Menu reads the whole menu with GetLayout, as a host does when it opens it.
func (i Item) Menu() (Node, error) {
	p, err := i.MenuPath()
	if err != nil {
		return Node{}, err
	}
	var (
		rev    uint32
		layout []any
	)
	call := i.conn.Object(i.Bus, p).Call(MenuIface+".GetLayout", 0, int32(0), int32(-1), []string{})
	if err := call.Store(&rev, &layout); err != nil {
		return Node{}, err
	}
	return node(layout)
}

func node(f []any) (Node, error) {
	if len(f) != 3 {
		return Node{}, errors.New("snitest: a layout entry is not (ia{sv}av)")
	}
	n := Node{}
	n.ID, _ = f[0].(int32)
	n.Props, _ = f[1].(map[string]dbus.Variant)
	kids, _ := f[2].([]dbus.Variant)
	for _, k := range kids {
		kf, ok := k.Value().([]any)
		if !ok {
			return Node{}, fmt.Errorf("snitest: a child entry is %T", k.Value())
		}
		c, err := node(kf)
		if err != nil {
			return Node{}, err
		}
		n.Children = append(n.Children, c)
	}
	return n, nil
}

// Click sends the "clicked" event for the entry id, as a host does when the user picks it.
func (i Item) Click(id int32) error {
	p, err := i.MenuPath()
	if err != nil {
		return err
	}
	return i.conn.Object(i.Bus, p).Call(MenuIface+".Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0)).Err
}
