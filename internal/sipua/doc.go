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
//
// Connections come and go; calls stay. The REGISTER asks for RFC 5626 outbound (+sip.instance,
// reg-id, Supported: outbound): a registrar that supports it (Require: outbound) replaces this
// device's old binding when it registers over a new connection, and its Flow-Timer sets the
// keep-alives. Keep-alives are WebSocket pings, every second while a call is up: one unanswered for
// 3 s drops the connection, and a new one is dialled at once (another attempt beside it every
// second while the network stays silent). Once registered again, Handler.Reconnected hands over the
// calls still up: each sends a target refresh (a re-INVITE with the new Contact) so that the other
// side's requests reach the new connection. The Contact of a call carries no "ob" parameter, so
// that a proxy routes the other side's requests by the Contact, which the refresh moves, rather than
// by a flow token of a connection that is gone. Reconnect drops the connection on demand (the
// network changed).
package sipua
