// Package pbx is the demo server's telephone exchange: a SIP-over-WebSocket registrar (RFC 7118,
// subprotocol "sip") for the WebRTC agents the demo server hands SIP accounts to, and a few
// extensions that answer with real WebRTC media (internal/rtc: DTLS-SRTP, Opus, PCMU, PCMA,
// RFC 4733):
//
//   - *43 echoes what the caller sends;
//   - *44 plays a 1 kHz tone and sends back every DTMF digit it receives, as RFC 4733 events, or as
//     SIP INFO when the caller offered no telephone-event;
//   - a customer call (CallAgent) rings a registered agent over the agent's own WebSocket and plays a
//     440 Hz tone until the agent hangs up or a time limit is reached.
//
// REGISTER and INVITE are authenticated with HTTP digest (MD5, qop=auth) against the accounts the
// Lookup function knows. Messages are parsed with sipgo's sip package; like internal/sipua, the
// transactions and dialogs are this package's own and have no retransmission timers, since a
// WebSocket is reliable. Malformed messages are dropped or answered 400, never trusted.
//
// A PBX is an http.Handler: mount it where the SIP WebSocket should be (the demo server serves it at
// /ws on its HTTPS listener, so wss:// uses the certificate the Phonebar already pins).
package pbx
