// Package omni opens Motion's Omni Desktop in a window of the app, already logged in.
//
// The Omni Desktop is a remote web page, so it runs in a second process of the app with a window of
// its own and no Go bindings at all: nothing the page's scripts do can reach the Phonebar. The first
// process hands the login over through an inherited pipe (never argv or the environment); the second
// process fills the server's login form only when the page is the configured server's login page,
// over verified or pinned TLS, and only once per window.
package omni
