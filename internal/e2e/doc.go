// Package e2e holds the end-to-end tests of the built Phonebar: the real binary in a real window under
// Xvfb, driven with xdotool like a user would, against the demo server, with screenshots kept for
// people to look at. The binary is the one `make build` leaves (PHONEBAR_BIN).
package e2e
