// Package station is the agent's workstation composed once for every front end: the settings, the
// keyring, the agent session (internal/agent), the desk of calls while a WebRTC agent is logged in
// (internal/desk), the sound devices and the agent's choice of them, the Omni Desktop window
// (internal/omni) and, in demo mode, the embedded demo server (internal/motionsim). The window
// (app/) maps what it reports to its DTOs and events; a local control API can drive the same Station.
// It knows nothing of the window.
//
// Goroutines: New starts the agent session's Run and the device watch; the desk runs while the
// session lasts (started and stopped from the session's changes); the demo server runs until Close.
// Close stops all of them and waits for them. The Hooks are called off the station's locks, from the
// goroutine that saw the change.
package station
