// Package sipua is the Phonebar's SIP user agent over WebSocket (RFC 7118): registration with digest
// authentication, re-registration, reconnection, and the signalling of calls (INVITE, answer, reject,
// BYE, CANCEL, re-INVITE, INFO DTMF, blind and attended transfer by REFER, and INVITE with Replaces
// (RFC 3891), which replaces one of our established calls). A REFER from the far end is declined
// with 603: an agent's calls move only when the agent moves them. An INVITE without an SDP offer is
// refused with 488 and a Warning (no late offer). It carries SDP as opaque bytes and never touches
// media: internal/rtc makes the SDP, internal/phone joins the two.
//
// Messages are modelled and parsed with sipgo's sip package. The transport, the transactions and the
// dialogs are this package's own, kept small because WebSocket is reliable and always goes to one
// outbound proxy: there are no retransmission timers, only one connection, and every request and
// answer travels over it. The WebSocket layer answers the server's pings.
package sipua
