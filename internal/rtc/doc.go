// Package rtc is the softphone's media: one pion PeerConnection per call, DTLS-SRTP audio in Opus,
// PCMU or PCMA (internal/audio/codec), RFC 4733 telephone events both ways, and the SDP as bytes
// for the signalling (internal/sipua) to carry. It knows nothing of SIP.
//
// Audio enters through a Source and leaves through a Sink, 20 ms frames of mono 16-bit PCM: a tone
// generator and a frequency detector for tests and the --tone mode, the phone's devices in calls.
// Received audio goes through an adaptive jitter buffer (internal/audio/jitter) before the Sink:
// packets are put back in order, a playout clock of the session takes one frame per packet time,
// and a packet that is lost or too late is concealed (Opus: from the next packet's in-band FEC
// where it has some, else the codec's own concealment). Session.Stats counts what it did.
package rtc
