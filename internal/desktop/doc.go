// Package desktop is how the Phonebar lives on the desktop beside its window: the tray icon
// (internal/tray) that shows the agent's status and drives the station, starting with the system
// (internal/autostart, the setting desktop.startWithSystem), and the compact window that stays on top
// during calls (desktop.compactDuringCalls). It knows the window only through the Window interface,
// which app/ implements over the Wails runtime.
//
// Goroutines: Start starts one loop that follows the station's changes (Station.Watch wakes it) and
// updates the tray and the window from it; the tray's own loop runs the menu's actions. Close stops
// both and waits.
package desktop
