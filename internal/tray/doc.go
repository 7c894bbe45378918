// Package tray is the Phonebar's icon in the system tray (the notification area on Windows, a
// StatusNotifierItem on Linux desktops): it shows the agent's status at a glance (ready, paused with
// the reason, in a call, logged out, phone not registered) as an icon, a title and a tooltip, and
// offers a menu: Ready, Pause (with the server's pause reasons), Omni Desktop, Show, the desktop
// settings and Quit.
//
// What is shown is computed from a Status by pure functions (Look, Menu) tested on their own; a host
// puts it on the desktop. The host of Linux and Windows is fyne.io/systray: on Linux it speaks the
// StatusNotifierItem and com.canonical.dbusmenu D-Bus protocols itself (no GTK, so it lives beside
// the window's GTK main loop), on Windows it runs the notification-area icon's message loop on a
// thread of its own. Other systems get ErrUnavailable.
//
// Goroutines: New starts one loop that owns the host (every host call is made from it) and turns
// menu clicks into calls of Actions, one at a time and in order; Close stops it and waits.
package tray
