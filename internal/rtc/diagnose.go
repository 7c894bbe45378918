package rtc

import (
	"fmt"
	"net"
	"strings"

	"github.com/pion/webrtc/v4"
)

// Why a call's audio does not arrive, step by step: every step needs the one before it.
//
//  1. Our side gathered candidates (addresses the audio can use): none means this computer has no
//     network address the media may use (ErrNoLocalCandidate).
//  2. ICE found a pair of addresses, one of ours and one of theirs, that answer each other's
//     connectivity checks: none means an *ICEError, which says whether the two sides' addresses
//     could reach each other at all (one side on loopback or IPv6 only) or whether the checks were
//     lost on the way, the only case where a firewall is the likely cause.
//  3. DTLS agreed the keys over that pair: ErrDTLSFailed otherwise.
//  4. RTP arrived: ErrNoRTP otherwise (the path works; the other side sends nothing).

// ICEError is a call whose ICE connectivity checks found no pair of addresses that reach each
// other. It wraps ErrICEFailed.
type ICEError struct {
	// Local and Remote count the candidates (addresses) each side offered.
	Local, Remote int
	// Unreachable is true when no address of ours could ever reach one of theirs: one side offered
	// only loopback addresses and the other none, or only IPv4 against only IPv6.
	Unreachable bool
	// LocalLoopbackOnly is true when every address of ours was a loopback one.
	LocalLoopbackOnly bool
	// Relay is true when a TURN relay address was among ours.
	Relay bool
}

// Error describes the evidence.
func (e *ICEError) Error() string {
	return fmt.Sprintf("%v (%d local and %d remote candidates, unreachable=%t, relay=%t)", ErrICEFailed, e.Local, e.Remote, e.Unreachable, e.Relay)
}

// Unwrap returns ErrICEFailed.
func (e *ICEError) Unwrap() error { return ErrICEFailed }

// FirewallLikely reports whether the evidence points at something on the way dropping the media
// (a firewall, a NAT without a relay): both sides offered addresses that could reach each other,
// and the checks between them never got an answer.
func (e *ICEError) FirewallLikely() bool { return e.Local > 0 && e.Remote > 0 && !e.Unreachable }

// MediaError says why no audio has arrived in the call so far: nil once an RTP packet came, or
// before the media was negotiated; else ErrNoLocalCandidate, an *ICEError, ErrDTLSFailed or
// ErrNoRTP, the first step that did not happen. Asked while the call is young, a step may still be
// under way: ask once the media had time (a few seconds).
func (s *Session) MediaError() error {
	if s.packetsIn.Load() > 0 {
		return nil
	}
	s.mu.Lock()
	local, remote := s.local, s.remoteCands
	s.mu.Unlock()
	if local == nil {
		return nil
	}
	ours := candidatesOf(local)
	if len(ours) == 0 {
		return ErrNoLocalCandidate
	}
	if s.iceUp.Load() == 0 {
		e := &ICEError{Local: len(ours), Remote: len(remote), Unreachable: !reachable(ours, remote), LocalLoopbackOnly: true}
		for _, c := range ours {
			e.Relay = e.Relay || c.typ == "relay"
			e.LocalLoopbackOnly = e.LocalLoopbackOnly && c.ip.IsLoopback()
		}
		return e
	}
	switch s.dtlsState() {
	case webrtc.DTLSTransportStateConnected:
		return ErrNoRTP
	case webrtc.DTLSTransportStateFailed:
		return ErrDTLSFailed
	}
	return fmt.Errorf("%w: the handshake did not complete", ErrDTLSFailed)
}

func (s *Session) dtlsState() webrtc.DTLSTransportState {
	for _, tr := range s.pc.GetTransceivers() {
		if tr.Sender() != nil && tr.Sender().Transport() != nil {
			return tr.Sender().Transport().State()
		}
	}
	return webrtc.DTLSTransportStateNew
}

// candidatesOf lists the candidates of the first audio section of an SDP.
func candidatesOf(raw []byte) []candidate {
	sd, err := parseSDP(raw)
	if err != nil {
		return nil
	}
	_, m := audioSection(sd)
	if m == nil {
		return nil
	}
	var out []candidate
	for _, a := range m.Attributes {
		if a.Key != "candidate" {
			continue
		}
		if c, ok := parseCandidate(a.Value); ok {
			out = append(out, c)
		}
	}
	return out
}

// reachable reports whether one of ours could reach one of theirs: a relay or reflexive address
// counts as reachable from any address of its family; a loopback address reaches only loopback.
func reachable(ours, theirs []candidate) bool {
	for _, a := range ours {
		for _, b := range theirs {
			if (a.ip.To4() == nil) != (b.ip.To4() == nil) {
				continue
			}
			if a.ip.IsLoopback() == b.ip.IsLoopback() {
				return true
			}
		}
	}
	return false
}

// onLoopback reports whether an SDP offers a loopback address for its audio: a candidate, or the
// connection address of a peer that does not use ICE.
func onLoopback(raw []byte) bool {
	for _, c := range candidatesOf(raw) {
		if c.ip.IsLoopback() {
			return true
		}
	}
	sd, err := parseSDP(raw)
	if err != nil {
		return false
	}
	_, m := audioSection(sd)
	ci := sd.ConnectionInformation
	if m != nil && m.ConnectionInformation != nil {
		ci = m.ConnectionInformation
	}
	if ci == nil || ci.Address == nil {
		return false
	}
	ip := net.ParseIP(strings.TrimSpace(ci.Address.Address))
	return ip != nil && ip.IsLoopback()
}

// OnLoopback reports whether a session description offers a loopback address for the audio: its
// peer runs on this computer, and loopback candidates are needed to reach it.
func OnLoopback(raw []byte) bool { return onLoopback(raw) }
