// Package omni opens Motion's Omni Desktop in a window of the app, already logged in.
//
// The Omni Desktop is a remote web page, so it runs in a second process of the app with a window of
// its own and no Go bindings at all: nothing the page's scripts do can reach the Phonebar. The first
// process hands the login over through an inherited pipe (never argv or the environment). The second
// process decides everything in Go (Controller), from the URL each load of its web view committed:
// by default it logs the web session in over REST and puts the session cookie (HttpOnly, Secure)
// into the web view's cookie store before the Omni Desktop loads, so the password never enters any
// page; as a fallback set in the settings it fills the login form once, on a load committed at the
// login page, from a script world the page's scripts cannot reach. At logout it ends the web session
// and clears the web view's cookies, storage and caches.
//
// The two window processes (OmniWindow, SignInWindow) hold their whole logic here, behind Window,
// the few calls they make on their native window; app/ runs them in a Wails window. Goroutines:
// OmniWindow.Started starts one that attaches the web view and one that follows the Phonebar's
// commands on the pipe until it closes; SignInWindow.Started one that waits for the pipe to close.
// Each ends the window (Window.Quit) when it is done.
package omni
