// Package rtc is the softphone's media: one pion PeerConnection per call, DTLS-SRTP audio in Opus,
// PCMU or PCMA (internal/audio/codec), RFC 4733 telephone events both ways, and the SDP as bytes
// for the signalling (internal/sipua) to carry. It knows nothing of SIP.
//
// Audio enters through a Source and leaves through a Sink, 20 ms frames of mono 16-bit PCM: a tone
// generator and a frequency detector for tests and the --tone mode, the audio engine's devices later.
package rtc
