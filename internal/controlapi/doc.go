// Package controlapi is the Phonebar's local control API: the HTTP JSON API on the loopback
// interface through which other programs of the agent's desk (a CRM page, a script) list, place,
// answer, hold, transfer and hang up calls, with the paths of the real Phonebar (GET /api/calls,
// /api/originate/{number}, ...) and of its older /xcally/svc/... API. It drives the same desk of
// calls (internal/desk) as the window and the command line. openapi.json describes it; a test
// holds the two together.
//
// Safe on a shared desktop: it listens on a loopback address only; a request whose Host header
// is not a loopback name or address is refused (DNS rebinding); a browser request from another
// web origin is refused unless that origin is allow-listed, and CORS is answered only for those;
// an optional bearer token; a rate limit; every request is logged, without its headers.
//
// Goroutines: Start serves on one goroutine, and each originate waits for its call on one of the
// desk's (desk.DialAsync). Close stops the server and waits for its goroutine.
package controlapi
