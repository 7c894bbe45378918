package rtc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/audio/jitter"
	"github.com/phonebar/phonebar/internal/quality"
)

// Session is the media of one call: one PeerConnection. Make the offer with Offer and apply the
// answer with SetAnswer, or answer an offer with Answer. Close it when the call ends.
type Session struct {
	opts    Options
	log     *slog.Logger
	pc      *webrtc.PeerConnection
	track   *audioTrack
	rx      *receiver
	q       *callQuality
	created time.Time

	mu      sync.Mutex
	local   []byte // the latest SDP we gave the signalling
	offer   []byte // our offer, while waiting for the answer
	version uint64
	remote  transport // the other side's ICE credentials and DTLS fingerprint
	// remoteCands are the candidates the other side's description offered (MediaError).
	remoteCands []candidate
	sending     bool      // our direction includes send
	receiving   bool      // our direction includes receive
	proposed    *proposal // our re-INVITE offer waiting for its answer (hold.go)
	closed      bool

	// ptime is the packet time sent now, in nanoseconds: ours (Options.PacketTime) until the
	// other side's description says otherwise (negotiatePacketTime).
	ptime      atomic.Int64
	packetsIn  atomic.Uint64
	packetsOut atomic.Uint64
	firstRTP   atomic.Int64 // unix nanoseconds of the first RTP packet received
	iceUp      atomic.Int64 // unix nanoseconds when ICE connected
	remoteSet  atomic.Int64 // unix nanoseconds when the answer (or offer) was applied
	dtmf       chan dtmfRequest

	pullMu   sync.Mutex // Pull's state, for a PullSink
	pulled   []int16    // resampled audio not yet pulled
	pullRS   *dsp.Resampler
	pullFrom int // pullRS's rates
	pullTo   int
	stop     chan struct{}
	wg       sync.WaitGroup
}

// NewSession makes the media of one call.
func NewSession(opts Options) (*Session, error) {
	ptime, err := opts.packetTime()
	if err != nil {
		return nil, err
	}
	api, err := newAPI(opts)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(opts.configuration())
	if err != nil {
		return nil, fmt.Errorf("rtc: %w", err)
	}
	if opts.Source == nil {
		opts.Source = Silence{}
	}
	if opts.Sink == nil {
		opts.Sink = Discard{}
	}
	s := &Session{
		opts: opts, log: opts.logger(), pc: pc, track: &audioTrack{}, rx: newReceiver(nil), q: newCallQuality(), created: time.Now(),
		sending: true, receiving: true, version: 1,
		dtmf: make(chan dtmfRequest), stop: make(chan struct{}),
	}
	s.ptime.Store(int64(ptime))
	pc.OnICEConnectionStateChange(func(st webrtc.ICEConnectionState) {
		if st == webrtc.ICEConnectionStateConnected || st == webrtc.ICEConnectionStateCompleted {
			s.iceUp.CompareAndSwap(0, time.Now().UnixNano())
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, rcv *webrtc.RTPReceiver) {
		s.wg.Add(1)
		defer s.wg.Done()
		s.receiverRTCP(rcv)
		s.receive(tr, rcv)
	})
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.sendLoop() }()
	go func() { defer s.wg.Done(); s.sampleLoop() }()
	if ps, ok := opts.Sink.(PullSink); !ok || !ps.SetPlayout(s) {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.playLoop() }()
	}
	return s, nil
}

// Offer makes our offer, waits until every candidate is gathered (SIP carries one SDP, no trickle)
// and returns it with a real default address.
func (s *Session) Offer(ctx context.Context) ([]byte, error) {
	tr, err := s.pc.AddTransceiverFromTrack(s.track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv})
	if err != nil {
		return nil, fmt.Errorf("rtc: %w", err)
	}
	s.senderRTCP(tr.Sender())
	offer, err := s.pc.CreateOffer(nil)
	if err != nil {
		return nil, fmt.Errorf("rtc: %w", err)
	}
	sdp, err := s.setLocal(ctx, offer)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.offer = sdp
	s.mu.Unlock()
	return sdp, nil
}

// SetAnswer applies the other side's answer to our offer.
func (s *Session) SetAnswer(answer []byte) error {
	s.mu.Lock()
	offer := s.offer
	s.mu.Unlock()
	if offer == nil {
		return ErrState
	}
	if err := s.checkCodecs(answer); err != nil {
		return err
	}
	patched, err := PatchAnswer(offer, answer)
	if err != nil {
		return err
	}
	s.remoteSet.Store(time.Now().UnixNano())
	s.negotiatePacketTime(patched)
	if err := s.setRemoteAnswer(patched); err != nil {
		return err
	}
	tr, _ := transportOf(patched)
	s.mu.Lock()
	s.offer = nil
	s.local = settleSetup(s.local, patched)
	s.remote = tr
	s.remoteCands = candidatesOf(patched)
	s.mu.Unlock()
	return nil
}

// setRemote hands pion a description of the other side's, with the payload types it could not
// take dropped first (withoutUnmappedPayloads): every remote description goes through here.
func (s *Session) setRemote(typ webrtc.SDPType, sdp []byte) error {
	return s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: typ, SDP: string(withoutUnmappedPayloads(sdp))})
}

// setRemoteAnswer hands pion the other side's answer to our offer.
func (s *Session) setRemoteAnswer(answer []byte) error {
	// As the offerer pion controls ICE and nominates a pair that answered its check only at its next
	// check tick, up to 200 ms later, unless a new remote candidate arrives. Handing the answer's
	// candidates over one by one, a few milliseconds apart, makes each arrival run the checks again,
	// so the first pair that answered is nominated at once.
	cands, mid, bare, err := takeCandidates(answer)
	if err != nil || len(cands) < 2 {
		bare, cands = answer, nil
	}
	if err := s.setRemote(webrtc.SDPTypeAnswer, bare); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	if len(cands) > 0 {
		s.addCandidate(cands[0], mid)
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.drip(cands[1:], mid) }()
	}
	return nil
}

// dripDelays space the answer's candidates after the first (cumulative from the answer).
var dripDelays = []time.Duration{2 * time.Millisecond, 6 * time.Millisecond, 15 * time.Millisecond, 30 * time.Millisecond, 50 * time.Millisecond}

func (s *Session) drip(cands []string, mid string) {
	start := time.Now()
	for i, c := range cands {
		d := 80*time.Millisecond + time.Duration(i)*20*time.Millisecond
		if i < len(dripDelays) {
			d = dripDelays[i]
		}
		t := time.NewTimer(time.Until(start.Add(d)))
		select {
		case <-s.stop:
			t.Stop()
			return
		case <-t.C:
		}
		s.addCandidate(c, mid)
	}
}

func (s *Session) addCandidate(c, mid string) {
	if err := s.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: "candidate:" + c, SDPMid: &mid}); err != nil {
		s.log.Debug("remote candidate", "candidate", c, "error", err)
	}
}

// Answer answers the other side's offer: ErrNoCommonCodec when no codec fits (the signalling says
// 488), else our answer with every candidate gathered.
func (s *Session) Answer(ctx context.Context, offer []byte) ([]byte, error) {
	if err := s.checkCodecs(offer); err != nil {
		return nil, err
	}
	s.remoteSet.Store(time.Now().UnixNano())
	s.negotiatePacketTime(offer)
	if err := s.setRemote(webrtc.SDPTypeOffer, offer); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	// AddTrack takes over the transceiver the offer made and turns it to sendrecv.
	snd, err := s.pc.AddTrack(s.track)
	if err != nil {
		return nil, fmt.Errorf("rtc: %w", err)
	}
	s.senderRTCP(snd)
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return nil, fmt.Errorf("rtc: %w", err)
	}
	tr, _ := transportOf(offer)
	s.mu.Lock()
	s.remote = tr
	s.remoteCands = candidatesOf(offer)
	s.mu.Unlock()
	return s.setLocal(ctx, answer)
}

func (s *Session) setLocal(ctx context.Context, desc webrtc.SessionDescription) ([]byte, error) {
	sdp, err := s.gather(ctx, desc)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.local = sdp
	s.mu.Unlock()
	return slices.Clone(sdp), nil
}

// gather sets desc as pion's local description, waits until every candidate is gathered and
// returns the description with its default address.
func (s *Session) gather(ctx context.Context, desc webrtc.SessionDescription) ([]byte, error) {
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(desc); err != nil {
		return nil, fmt.Errorf("rtc: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	sdp, err := PatchDefaultCandidate([]byte(s.pc.LocalDescription().SDP))
	if err != nil {
		return nil, err
	}
	ours, _ := s.opts.packetTime()
	if sdp, err = withPacketTime(sdp, ours, maxPacketTime); err != nil {
		return nil, err
	}
	if s.opts.RelayOnly && !bytes.Contains(sdp, []byte(" typ relay")) {
		// No candidate at all: the far end would ring into a call that can never carry audio.
		return nil, ErrNoRelay
	}
	return sdp, nil
}

// negotiatePacketTime sets the packet time sent from the other side's description.
func (s *Session) negotiatePacketTime(remote []byte) {
	ours, _ := s.opts.packetTime()
	p, maxp := remotePacketTime(remote)
	s.ptime.Store(int64(negotiatePacketTime(ours, p, maxp)))
}

// PacketTime is the packet time this end sends now (after negotiation).
func (s *Session) PacketTime() time.Duration { return time.Duration(s.ptime.Load()) }

// checkCodecs reports ErrNoCommonCodec when the SDP names none of our codecs.
func (s *Session) checkCodecs(raw []byte) error {
	names, err := audioCodecNames(raw)
	if err != nil {
		return err
	}
	for _, n := range names {
		for _, id := range s.opts.codecs() {
			if strings.EqualFold(n, id.String()) {
				return nil
			}
		}
	}
	return ErrNoCommonCodec
}

// Close ends the media and waits for its goroutines.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	err := s.pc.Close()
	s.wg.Wait()
	s.rx.close()
	return err
}

// Stats is a snapshot of a call's media.
type Stats struct {
	// Codec is the codec we send ("opus", "PCMU", "PCMA"), empty before negotiation.
	Codec string `json:"codec"`
	// ReceivedCodec is the codec of the audio stream received last.
	ReceivedCodec string `json:"received_codec,omitempty"`
	// PacketsIn and PacketsOut count RTP packets (audio and telephone events).
	PacketsIn  uint64 `json:"rtp_packets_in"`
	PacketsOut uint64 `json:"rtp_packets_out"`
	// DTLSState is the DTLS transport's state ("connected" when media is encrypted and flowing).
	DTLSState string `json:"dtls_state"`
	// ICEPair names the selected candidate pair's types, "host/host", "relay/srflx", local first.
	ICEPair string `json:"ice_pair,omitempty"`
	// FirstRTP is when the first RTP packet arrived; zero if none did.
	FirstRTP time.Time `json:"-"`
	// RemoteSet is when the other side's description was applied, ICEConnected when ICE connected
	// (zero until then): where call setup time goes.
	RemoteSet, ICEConnected time.Time `json:"-"`

	// What the jitter buffer and playout made of the audio received. DecodedFrames were played
	// from their packet; ConcealedFrames were made up for a packet missing when its turn came (lost,
	// or late beyond the buffer's delay), FECFrames of them recovered from the next packet's Opus
	// in-band FEC.
	DecodedFrames   uint64 `json:"decoded_frames"`
	ConcealedFrames uint64 `json:"concealed_frames"`
	FECFrames       uint64 `json:"fec_recovered_frames"`
	// LatePackets came after their turn and were dropped; DroppedPackets were dropped as
	// duplicates, to cut the delay, or as stragglers of a stream the far end replaced.
	LatePackets    uint64 `json:"late_packets"`
	DroppedPackets uint64 `json:"dropped_packets"`
	// Streams counts the audio streams received: more than one when the far end changed its
	// SSRC, codec or packet time during the call.
	Streams uint64 `json:"audio_streams"`
	// Quality is the call's quality, rated once a second (internal/quality).
	Quality quality.Report `json:"-"`
	// JitterDelay is the delay the jitter buffer keeps now against the network's jitter.
	JitterDelay time.Duration `json:"-"`
	// JitterWait is how long the packets of the stream played now waited in the jitter buffer,
	// on average.
	JitterWait time.Duration `json:"-"`
}

// Stats returns the media's counters and states.
func (s *Session) Stats() Stats {
	st := Stats{PacketsIn: s.packetsIn.Load(), PacketsOut: s.packetsOut.Load(), DTLSState: "new"}
	if _, _, c, _ := s.track.binding(); c.MimeType != "" {
		st.Codec = codecID(c.MimeType).String()
	}
	s.rx.fill(&st)
	st.Quality = s.q.mon.Report()
	for _, v := range []struct {
		ns *atomic.Int64
		t  *time.Time
	}{{&s.firstRTP, &st.FirstRTP}, {&s.iceUp, &st.ICEConnected}, {&s.remoteSet, &st.RemoteSet}} {
		if ns := v.ns.Load(); ns != 0 {
			*v.t = time.Unix(0, ns)
		}
	}
	for _, tr := range s.pc.GetTransceivers() {
		if tr.Sender() == nil || tr.Sender().Transport() == nil {
			continue
		}
		dt := tr.Sender().Transport()
		st.DTLSState = dt.State().String()
		if pair, err := dt.ICETransport().GetSelectedCandidatePair(); err == nil && pair != nil {
			st.ICEPair = pair.Local.Typ.String() + "/" + pair.Remote.Typ.String()
		}
		break
	}
	return st
}

// Created is when the session was made.
func (s *Session) Created() time.Time { return s.created }

// receive reads one remote track: audio into the jitter buffer, telephone events to OnDTMF.
func (s *Session) receive(tr *webrtc.TrackRemote, rcv *webrtc.RTPReceiver) {
	events := map[uint8]bool{}
	kinds := map[uint8]codec.ID{}
	for _, c := range rcv.GetParameters().Codecs {
		if isTelephoneEvent(c) {
			events[uint8(c.PayloadType)] = true
		} else if id := codecID(c.MimeType); id != codec.Unknown {
			kinds[uint8(c.PayloadType)] = id
		}
	}
	var lastEvent uint32
	var haveEvent bool
	// One buffer and one packet for the whole call, rather than pion's ReadRTP allocating an MTU
	// for each: only the payload the jitter buffer keeps is copied.
	buf := make([]byte, 1500)
	pkt := &rtp.Packet{}
	for {
		n, _, err := tr.Read(buf)
		if err != nil {
			return
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		now := time.Now()
		if s.packetsIn.Add(1) == 1 {
			s.firstRTP.Store(now.UnixNano())
		}
		s.q.counted(pkt.SSRC, pkt.SequenceNumber)
		pt := pkt.PayloadType
		if events[pt] {
			if len(pkt.Payload) < 4 || (haveEvent && pkt.Timestamp == lastEvent) {
				continue
			}
			lastEvent, haveEvent = pkt.Timestamp, true
			if d, ok := eventDigit(pkt.Payload[0]); ok && s.opts.OnDTMF != nil {
				s.opts.OnDTMF(d)
			}
			continue
		}
		if id, ok := kinds[pt]; ok {
			s.q.arrived(pkt.SSRC, pkt.Timestamp, id.ClockRate(), now)
			s.rx.push(pkt, id, now)
		}
	}
}

// Pull implements Playout: it fills pcm with the next audio received, at rate, straight from the
// jitter buffer, and reports whether any of it was the far end's (false: silence, before the first
// packet, while the far end sends nothing, on hold, after Close). A PullSink calls it on the
// speaker's clock, so that the call has one playout clock and no queue between two.
func (s *Session) Pull(pcm []int16, rate int) bool {
	s.pullMu.Lock()
	defer s.pullMu.Unlock()
	heard := len(s.pulled) > 0
	for len(s.pulled) < len(pcm) {
		frame, from, _, spare, ok := s.rx.next()
		if !ok {
			break
		}
		// The speaker's clock runs the playout: dropping part of a quiet frame makes it take the
		// next one that much sooner, so the jitter buffer's delay follows the jitter measured
		// rather than how the far end's clock and the speaker's happen to line up. Only whole
		// requests of the speaker are dropped: a frame is then still taken when the one before has
		// run out, and waits no less in the jitter buffer than skipping would leave it.
		if quantum := time.Duration(len(pcm)) * time.Second / time.Duration(rate); quantum > 0 {
			frame = jitter.Trim(frame, from, spare/quantum*quantum)
		}
		s.mu.Lock()
		recv := s.receiving
		s.mu.Unlock()
		if !recv {
			clear(frame)
		}
		heard = heard || recv
		if s.pullRS == nil || s.pullFrom != from || s.pullTo != rate {
			s.pullRS, s.pullFrom, s.pullTo = dsp.NewResampler(from, rate).Primed(), from, rate
		}
		s.pulled = s.pullRS.Process(s.pulled, frame)
	}
	n := copy(pcm, s.pulled)
	clear(pcm[n:])
	s.pulled = append(s.pulled[:0], s.pulled[n:]...)
	return heard && n > 0
}

// PlayoutQueued is the audio decoded for a PullSink and not yet pulled: the rest of the frame being
// played, the part of the packet time that waits on this side.
func (s *Session) PlayoutQueued() time.Duration {
	s.pullMu.Lock()
	defer s.pullMu.Unlock()
	if s.pullTo <= 0 {
		return 0
	}
	return time.Duration(int64(len(s.pulled)) * int64(time.Second) / int64(s.pullTo))
}

// playLoop is the playout clock of a Sink that is not pulled (the frequency detector of tests and
// of the CLI's tone mode, the demo PBX's discarding one): from the first audio packet on, one frame
// every packet time (20 ms as this phone and browsers send) from the jitter buffer to the Sink. A
// speaker is a PullSink and pulls on its own clock instead.
// A ticker drops ticks when this goroutine falls behind (a starved machine): the buffer then holds
// more than it needs and shrinks itself back by skipping, rather than the Sink getting a burst.
func (s *Session) playLoop() {
	select {
	case <-s.stop:
		return
	case <-s.rx.started:
	}
	period := s.rx.period()
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		pcm, rate, next, _, ok := s.rx.next()
		if next != period {
			period = next
			tick.Reset(period)
		}
		if !ok {
			continue
		}
		s.mu.Lock()
		recv := s.receiving
		s.mu.Unlock()
		if recv {
			s.opts.Sink.Write(pcm, rate)
		}
	}
}

// sendLoop sends one packet every packet time (PacketTime) once negotiated: audio from the source,
// or the packets of a telephone event while one is being sent.
//
// A ClockedSource (a microphone) paces it instead: each frame is sent as soon as it is captured.
// When its frames are not one packet long (FramedSource), each frame adds its length to a credit
// and a packet goes out for every packet time of credit: two packets for a 20 ms frame when the
// far end asked for 10 ms, one for every second 10 ms frame when it asked for 20.
func (s *Session) sendLoop() {
	period := s.PacketTime()
	tick := time.NewTicker(period)
	defer tick.Stop()
	ticks := tick.C
	var (
		clock    <-chan struct{}
		srcFrame time.Duration // the clocked source's frame; 0: one packet per frame
		credit   time.Duration // audio captured and not yet sent, for srcFrame
		burst    int           // packets still to send for the frames captured
	)
	if cs, ok := s.opts.Source.(ClockedSource); ok {
		if clock = cs.Ready(); clock != nil {
			tick.Stop()
			ticks = nil
		}
		if fs, ok := cs.(FramedSource); ok {
			srcFrame = fs.FrameDuration()
		}
	}
	var (
		enc     codec.Codec
		encID   codec.ID
		pcm     []int16
		out     = make([]byte, 1500)
		seq     uint16
		ts      uint32
		current *dtmfSend
		fecLoss int
	)
	defer func() {
		if enc != nil {
			enc.Close()
		}
	}()
	for {
		var req dtmfRequest
		if burst > 0 {
			burst--
		} else {
			select {
			case <-s.stop:
				if current != nil {
					current.req.done <- ErrClosed
				}
				return
			case <-ticks:
			case <-clock:
				if srcFrame > 0 && srcFrame != period {
					credit += srcFrame
					n := int(credit / period)
					if n == 0 {
						continue
					}
					credit -= time.Duration(n) * period
					burst = n - 1
				}
			case req = <-s.dtmf:
				if current != nil {
					req.done <- errors.New("rtc: DTMF busy")
					continue
				}
				current = &dtmfSend{req: req}
				continue
			}
		}
		w, ssrc, send, events := s.track.binding()
		if w == nil {
			continue
		}
		id := codecID(send.MimeType)
		if pt := s.PacketTime(); pt != period {
			period, pcm = pt, nil
			if ticks != nil {
				tick.Reset(period)
			}
		}
		if enc == nil || encID != id {
			if enc != nil {
				enc.Close()
			}
			var err error
			// In-band FEC, as our SDP asks of the far end (useinbandfec=1): the far end's jitter
			// buffer rebuilds a lost frame from the next packet. The encoder plans for the loss the
			// far end reports (below), a moderate one until it has.
			fecLoss = int(s.q.fecLoss.Load())
			if enc, err = codec.New(id, codec.Options{FEC: true, ExpectedLossPercent: fecLoss}); err != nil {
				s.log.Error("encoder", "codec", id.String(), "error", err)
				return
			}
			encID = id
			pcm = nil
		}
		if pcm == nil {
			pcm = make([]int16, id.FrameSamples(period)*enc.SampleRate()/enc.ClockRate())
		}
		step := uint32(id.FrameSamples(period))
		ts += step
		s.mu.Lock()
		sending := s.sending
		s.mu.Unlock()
		if current != nil {
			pt, ok := events[send.ClockRate]
			if !ok {
				current.req.done <- errors.New("rtc: the other side takes no telephone events: use SIP INFO")
				current = nil
			} else {
				for _, p := range current.next(ts, step, send.ClockRate) {
					seq++
					h := &rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: current.start, SSRC: ssrc, Marker: p.marker}
					if s.write(w, h, p.payload) {
						s.packetsOut.Add(1)
					}
				}
				if current.finished() {
					current.req.done <- nil
					current = nil
				}
				continue
			}
		}
		if !sending {
			continue
		}
		if lt, ok := enc.(codec.LossTuner); ok {
			if want := int(s.q.fecLoss.Load()); want != fecLoss {
				if err := lt.SetExpectedLoss(want); err == nil {
					s.log.Debug("FEC follows the far end's loss", "expected_loss_pct", want)
					fecLoss = want
				}
			}
		}
		s.opts.Source.Fill(pcm, enc.SampleRate())
		s.q.sent(pcm)
		n, err := enc.Encode(pcm, out)
		if err != nil || n == 0 {
			continue
		}
		seq++
		h := &rtp.Header{Version: 2, PayloadType: uint8(send.PayloadType), SequenceNumber: seq, Timestamp: ts, SSRC: ssrc}
		if s.write(w, h, out[:n]) {
			s.packetsOut.Add(1)
		}
	}
}

// write sends one packet, through the network of a test when there is one.
func (s *Session) write(w webrtc.TrackLocalWriter, h *rtp.Header, payload []byte) bool {
	if s.opts.network != nil {
		s.opts.network(h, payload, func(h *rtp.Header, payload []byte) { writePacket(w, h, payload) })
		return true
	}
	return writePacket(w, h, payload)
}
