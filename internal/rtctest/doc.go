// Package rtctest is the real-peer rig for the softphone's tests: a Kamailio registrar and proxy
// started from this package's own configuration (ws and wss on free ports, digest auth, a self-signed
// certificate made per run), and headless Chromium running JsSIP as the far-end phone. Tests that use
// it need the programs kamailio, chromium and npm (testenv: a failure under `make test`, a skip in a
// bare `go test`).
package rtctest
