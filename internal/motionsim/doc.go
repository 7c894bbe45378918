// Package motionsim is the Motion-compatible server of the Phonebar project: an http.Handler with
// in-memory state that speaks the wire contract of internal/motion (REST auth, users, realtime
// WebSocket) and serves a small Omni Desktop (login and desktop pages). Its zero-value Options give a
// working server seeded with demo users. Tests run it on 127.0.0.1:0 with Start; the `phonebar
// demo-server` subcommand runs it standalone.
//
// It behaves as MOTION.md says the real server does on every path of the Omni Desktop login: Hot
// Desk telephones and the external agent's line choice (hotdesk.go), the Security Suite with password
// history, forgot-password links kept in an outbox instead of SMTP (reset.go), lockout and admin
// unlock, the disconnection timeout, license notices, forced logout, simulated Active Directory and
// Google sign-in (sso.go), and, with Options.HTTPListen, the same server over plain http where web
// pages fail with "Unknown authorization format". The administrator's settings come from Config and
// change at run time through the admin API and the /admin page (admin.go, adminweb.go).
//
// Everything a test may want to observe is recorded (Sessions, WebRequests, Outbox, Users, Phones,
// Hooks.OnRecord), and the clock is swappable, so lockout, expiry and disconnection timeouts are
// tested without waiting.
package motionsim
