package rtc

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/pion/webrtc/v4"
)

// ICE restart (RFC 8839 section 4.4.1.1.1, RFC 8445 section 9): when the local address the call's
// media used is gone (the computer moved to another network, a VPN came up or went), the media
// moves by a re-INVITE whose offer has new ICE credentials and the candidates gathered now. The
// DTLS association and its keys, the codecs and the audio streams stay; only the addresses under
// them change.
//
// Our own restart is a transaction like hold (hold.go): RestartOffer makes the offer; pion's ICE
// agent starts over at once with the new credentials (there is no keeping the old ones, which is
// why a restart is asked for only once the old path is gone). ApplyRestartAnswer applies the
// other side's answer; CancelHold rolls pion's description back when the other side refused. What
// hold and the diagnosis build on (our last SDP, its version, the directions, the other side's
// transport and candidates) changes only with the answer. The other side's restart offer is
// answered by Reoffer.

// restartGatherTimeout bounds the gathering of candidates for an answer to the other side's
// restart offer (Reoffer has no context: the signalling waits for its answer).
const restartGatherTimeout = 10 * time.Second

// PathGone reports whether the media lost its path with a change of this computer's addresses,
// so that only an ICE restart can bring it back: the address under the selected candidate pair's
// local side (the host address of a reflexive or relayed candidate) is no longer one of this
// computer's, as present says, or no pair is selected at all in a negotiated session (ICE has not
// found one, or lost it: a restart gathers on the addresses there are now). An address that cannot
// be told (a relayed candidate without its base) counts as present. A session not negotiated yet
// has nothing to lose.
func (s *Session) PathGone(present func(netip.Addr) bool) bool {
	if pair := s.selectedPair(); pair != nil {
		return !present(baseOf(pair.Local))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.local != nil && s.remote != (transport{})
}

// selectedPair is the ICE candidate pair the media uses now, nil before ICE connected.
func (s *Session) selectedPair() *webrtc.ICECandidatePair {
	for _, tr := range s.pc.GetTransceivers() {
		if tr.Sender() == nil || tr.Sender().Transport() == nil {
			continue
		}
		pair, err := tr.Sender().Transport().ICETransport().GetSelectedCandidatePair()
		if err != nil {
			return nil
		}
		return pair
	}
	return nil
}

// baseOf is the local address under a candidate: its own for a host candidate, its related
// address for a reflexive or relayed one (invalid when it has none).
func baseOf(c *webrtc.ICECandidate) netip.Addr {
	a := c.Address
	if c.Typ != webrtc.ICECandidateTypeHost {
		a = c.RelatedAddress
	}
	ip, err := netip.ParseAddr(a)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// RestartOffer returns the offer of a re-INVITE that restarts ICE: new ICE credentials, every
// candidate gathered now, the same DTLS fingerprint, codecs and directions. ApplyRestartAnswer
// applies the answer; CancelHold drops the offer. It returns ErrState while another offer of ours
// waits for its answer.
func (s *Session) RestartOffer(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	if s.local == nil || s.offer != nil || s.proposed != nil {
		s.mu.Unlock()
		return nil, ErrState
	}
	dir, version := directionOf(s.sending, s.receiving), s.version+1
	// Claimed at once, so that a hold offer cannot slip in while the candidates are gathered.
	s.proposed = &proposal{dir: dir, version: version, restart: []byte{}}
	s.mu.Unlock()
	fail := func(err error) ([]byte, error) {
		s.CancelHold()
		return nil, err
	}
	offer, err := s.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		s.mu.Lock()
		s.proposed = nil // nothing set in pion: nothing to roll back
		s.mu.Unlock()
		return nil, fmt.Errorf("rtc: %w", err)
	}
	raw, err := s.gather(ctx, offer)
	if err != nil {
		return fail(err)
	}
	// pion offered sendrecv as always; the direction of the call is ours to say (hold.go).
	sdp, err := withDirection(raw, dir, version)
	if err != nil {
		return fail(err)
	}
	s.mu.Lock()
	s.proposed.restart = sdp
	s.mu.Unlock()
	return slices.Clone(sdp), nil
}

// ApplyRestartAnswer applies the other side's answer to our RestartOffer: ICE checks the pairs of
// the new candidates, and the session's SDP, version and directions become the restart's. Without
// a restart offer waiting it returns ErrState; with an answer that cannot be used (unreadable, no
// common codec, a new DTLS fingerprint) an error, and the offer stays waiting (CancelHold drops it).
func (s *Session) ApplyRestartAnswer(answer []byte) error {
	dir, err := Direction(answer)
	if err != nil {
		return err
	}
	tr, err := transportOf(answer)
	if err != nil {
		return err
	}
	s.mu.Lock()
	p := s.proposed
	fp := s.remote.fingerprint
	s.mu.Unlock()
	if p == nil || len(p.restart) == 0 {
		return ErrState
	}
	if tr.fingerprint != fp {
		return ErrRenegotiation
	}
	if err := s.checkCodecs(answer); err != nil {
		return err
	}
	patched, err := PatchAnswer(p.restart, answer)
	if err != nil {
		return err
	}
	forPion, err := setDirection(patched, SendRecv)
	if err != nil {
		return err
	}
	if err := s.setRemoteAnswer(forPion); err != nil {
		return err
	}
	ours := Reverse(dir)
	s.mu.Lock()
	s.proposed = nil
	s.local = settleSetup(p.restart, patched)
	s.version = p.version
	s.remote = tr
	s.remoteCands = candidatesOf(patched)
	s.sending = sends(p.dir) && sends(ours)
	s.receiving = receives(p.dir) && receives(ours)
	s.mu.Unlock()
	return nil
}

// answerRestart answers the other side's restart offer (Reoffer): pion restarts its ICE agent with
// the offer's credentials and ours anew, and our answer carries the candidates gathered now. The
// offer is checked before pion sees it, so that an offer refused changes nothing.
func (s *Session) answerRestart(offer []byte, tr transport, dir string) ([]byte, error) {
	if err := s.checkCodecs(offer); err != nil {
		return nil, err
	}
	forPion, err := setDirection(offer, SendRecv)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), restartGatherTimeout)
	defer cancel()
	if err := s.setRemote(webrtc.SDPTypeOffer, forPion); err != nil {
		s.rollbackRemote()
		return nil, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		s.rollbackRemote()
		return nil, fmt.Errorf("rtc: %w", err)
	}
	raw, err := s.gather(ctx, answer)
	if err != nil {
		return nil, err
	}
	ours := Reverse(dir)
	s.mu.Lock()
	defer s.mu.Unlock()
	sdp, err := withDirection(raw, ours, s.version+1)
	if err != nil {
		return nil, err
	}
	s.version++
	s.local = sdp
	s.remote = tr
	s.remoteCands = candidatesOf(offer)
	s.sending = sends(ours)
	s.receiving = receives(ours)
	return slices.Clone(sdp), nil
}

// rollbackLocal brings pion back to a stable state after a restart offer no answer will come for.
// pion has no rollback (its signalling states allow none), so the offer is closed with the other
// side's description as it stands: pion keeps the new local credentials and the old remote ones,
// on a path that was gone already, while our SDP, which hold and the next restart build on, is the
// one of before. The next restart starts from there.
func (s *Session) rollbackLocal() {
	if s.pc.SignalingState() != webrtc.SignalingStateHaveLocalOffer {
		return
	}
	cur := s.pc.CurrentRemoteDescription()
	if cur == nil {
		return
	}
	answer, err := asAnswer([]byte(cur.SDP))
	if err == nil {
		err = s.setRemote(webrtc.SDPTypeAnswer, answer)
	}
	if err != nil {
		s.log.Warn("the media could not be brought back after a refused restart", "error", err)
	}
}

// rollbackRemote brings pion back to a stable state after the other side's restart offer that we
// could not answer: pion has no rollback, so its answer is made and never sent (the signalling
// refuses the offer, and the other side keeps the session of before).
func (s *Session) rollbackRemote() {
	if s.pc.SignalingState() != webrtc.SignalingStateHaveRemoteOffer {
		return
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err == nil {
		err = s.pc.SetLocalDescription(answer)
	}
	if err != nil {
		s.log.Warn("the media could not be brought back after a restart offer refused", "error", err)
	}
}

// asAnswer turns the other side's description (an offer, when it placed the call) into an answer
// to our offer: a=setup:actpass, which only an offer may say, becomes the role the other side
// took; every direction becomes sendrecv, as pion's offer says.
func asAnswer(raw []byte) ([]byte, error) {
	sd, err := parseSDP(raw)
	if err != nil {
		return nil, err
	}
	directAudio(sd, SendRecv)
	for _, m := range sd.MediaDescriptions {
		for i, a := range m.Attributes {
			if a.Key == "setup" && a.Value == "actpass" {
				// Offered actpass and we answered (pion answers active by default, or the role of
				// an earlier answer): the other side is the DTLS server.
				m.Attributes[i].Value = "passive"
			}
		}
	}
	return sd.Marshal()
}
