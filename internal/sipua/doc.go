// Package sipua is the Phonebar's SIP user agent over WebSocket (RFC 7118): registration with digest
// authentication, re-registration, reconnection, and the signalling of calls (INVITE, answer, reject,
// BYE, CANCEL, re-INVITE, INFO DTMF, REFER). It carries SDP as opaque bytes and never touches media:
// internal/rtc makes the SDP, internal/phone joins the two.
//
// Messages are modelled and parsed with sipgo's sip package. The transport, the transactions and the
// dialogs are this package's own, kept small because WebSocket is reliable and always goes to one
// outbound proxy: there are no retransmission timers, only one connection, and every request and
// answer travels over it. The WebSocket layer answers the server's pings.
package sipua
