// Package netns runs a test in a network namespace of its own, where it may take interfaces down,
// change addresses and add firewall rules without touching the machine or another test: the
// network faults of the softphone's tests (a loopback-only machine, a cut connection, a changed
// address, loss).
//
// Isolate re-runs the calling test in a new process inside a new network namespace (only loopback,
// brought up); programs the test starts there (Kamailio, Chromium) share it. It needs Linux and
// root, and the programs ip and iptables: without them the test fails under `make test`
// (PHONEBAR_REQUIRE_REAL=1) and is skipped in a bare `go test` (see internal/testenv).
package netns
