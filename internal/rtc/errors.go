package rtc

import "errors"

var (
	// ErrNoCommonCodec is returned for an offer or answer that shares no audio codec with ours: the
	// signalling answers 488.
	ErrNoCommonCodec = errors.New("the other side offers no audio codec this phone can use")
	// ErrBadSDP is returned for a session description that cannot be read.
	ErrBadSDP = errors.New("unreadable session description")
	// ErrNoAudio is returned for a session description without an audio stream.
	ErrNoAudio = errors.New("the session description has no audio stream")
	// ErrClosed is returned by a closed session.
	ErrClosed = errors.New("the call's media is closed")
	// ErrState is returned when a step comes out of order (an answer before an offer).
	ErrState = errors.New("media negotiation step out of order")
	// ErrRenegotiation is returned for a new offer that changes the transport (ICE restart, new
	// DTLS fingerprint), which this phone does not support inside a call.
	ErrRenegotiation = errors.New("the other side changed the media transport during the call, which this phone does not support")
	// ErrNoRelay is returned by a relay-only session that got no relay address: the TURN server
	// refused the credentials, or none answered.
	ErrNoRelay = errors.New("no relay address for the call's audio: the TURN server refused the credentials or did not answer; check the TURN servers of the account or settings")
	// ErrNoLocalCandidate is a call's media without a single address of ours to use: every network
	// interface is down, or only loopback is up and loopback candidates were not gathered.
	ErrNoLocalCandidate = errors.New("rtc: no local ICE candidate")
	// ErrICEFailed is wrapped by an *ICEError: the connectivity checks found no pair of addresses.
	ErrICEFailed = errors.New("rtc: ICE found no candidate pair")
	// ErrDTLSFailed is a media path found by ICE on which the DTLS handshake failed or never ended.
	ErrDTLSFailed = errors.New("rtc: DTLS handshake failed")
	// ErrNoRTP is a media path up and encrypted on which no RTP packet arrived from the other side.
	ErrNoRTP = errors.New("rtc: no RTP received")
	// ErrBadDTMF is returned for a digit outside 0-9, *, #, A-D.
	ErrBadDTMF = errors.New("not a DTMF digit: use 0-9, *, #, A-D")
)
