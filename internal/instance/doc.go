// Package instance keeps the Phonebar to one window per user and lets later starts talk to it: a
// second `phonebar tel:+3906123` (as the operating system starts it for a clicked link) and
// `phonebar dial NUMBER` hand their link to the running window, which dials it, comes to the front
// and answers whether it could.
//
// The channel is local and private to the user: a Unix socket in a folder only the user can open
// (in $XDG_RUNTIME_DIR on Linux, the per-user temporary folder on macOS), whose peers are also
// checked by their user ID where the system says it; a named pipe on Windows whose security
// descriptor lets in the user's own SID only and refuses remote clients. One request and one reply
// per connection, each one JSON line of bounded size.
//
// Goroutines: Serve accepts on one goroutine and answers each connection on one of its own; Close
// stops them and waits.
package instance
