// Package motionsim is the Motion-compatible server of the Phonebar project: an http.Handler with
// in-memory state that speaks the wire contract of internal/motion (REST auth, users, realtime
// WebSocket) and serves a small Omni Desktop (login and desktop pages). Its zero-value Options give a
// working server seeded with demo users. Tests run it on 127.0.0.1:0 with Start; the `phonebar
// demo-server` subcommand runs it standalone.
//
// Everything a test may want to observe is recorded (Sessions, WebRequests, Hooks.OnRecord), and the
// clock is swappable, so lockout, expiry and disconnection timeouts are tested without waiting.
package motionsim
