// Package motion is the client of the XCALLY Motion server: REST login and user API, realtime socket,
// typed errors. Every wire detail that is not public is kept in wire.go.
package motion
