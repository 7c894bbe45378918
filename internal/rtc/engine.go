package rtc

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/phonebar/phonebar/internal/audio/codec"
)

const mimeTelephoneEvent = "audio/telephone-event"

// ICEServer is one STUN or TURN server, as the WebRTC RTCIceServer dictionary has it.
type ICEServer struct {
	URLs       []string
	Username   string
	Credential string
}

// Options configure the media of calls. The zero value makes calls with Opus, PCMU and PCMA (Opus
// only where this binary has it), host and STUN-less candidates, silence out and nothing in.
type Options struct {
	// ICEServers are the STUN and TURN servers (usually from the SIP account).
	ICEServers []ICEServer
	// RelayOnly uses TURN relays only (no host or reflexive candidates).
	RelayOnly bool
	// Codecs lists the codecs to offer and accept, most wanted first; one entry forces that codec.
	// Empty means Opus, PCMU, PCMA.
	Codecs []codec.ID
	// AllowLoopback gathers loopback candidates too: needed when the other side runs on this
	// computer (the demo server, tests), and the only candidates of a machine with no network.
	AllowLoopback bool
	// Source is the audio to send; nil sends silence.
	Source Source
	// Sink receives the decoded audio; nil drops it.
	Sink Sink
	// OnDTMF is called for each telephone event (RFC 4733) received, in order, on the receiving
	// goroutine, never under a lock of this package.
	OnDTMF func(digit rune)
	// Logger receives media logs; nil discards them.
	Logger *slog.Logger
	// PacketTime is the audio each packet sent carries (RFC 4566 ptime), 10 or 20 ms; 0 means
	// DefaultPacketTime. The descriptions this end gives say it (a=ptime) with the longest packet
	// it takes (a=maxptime); a far end that asks for another of the two, or takes only shorter
	// packets, gets what it asks. A Source with a clock of its own (ClockedSource) must capture
	// frames of the same length.
	PacketTime time.Duration

	// network, when set, carries every RTP packet sent in place of a direct write (before SRTP):
	// tests drop, delay and reorder packets with it.
	network func(h *rtp.Header, payload []byte, send func(*rtp.Header, []byte))
}

func (o Options) codecs() []codec.ID {
	var out []codec.ID
	for _, id := range o.Codecs {
		if codec.Available(id) {
			out = append(out, id)
		}
	}
	if len(o.Codecs) == 0 {
		for _, id := range []codec.ID{codec.Opus, codec.PCMU, codec.PCMA} {
			if codec.Available(id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// DefaultPacketTime is the packet time sent unless Options say otherwise: 20 ms, what browsers and
// PBXs send. 10 ms packets were measured against it (BenchmarkAddedLatency and BenchmarkMediaCPU
// have an opus10 / opus-10ms variant); on the project's loaded build machine they showed no gain in
// added delay, which the jitter buffer's waiting dominates there, for twice the packets.
const DefaultPacketTime = 20 * time.Millisecond

// maxPacketTime is the longest packet this end takes (a=maxptime): the playout follows the far
// end's packet time, and Opus frames go up to 60 ms.
const maxPacketTime = 60 * time.Millisecond

// packetTime is the packet time asked for, or an error naming what is allowed.
func (o Options) packetTime() (time.Duration, error) {
	switch o.PacketTime {
	case 0:
		return DefaultPacketTime, nil
	case 10 * time.Millisecond, 20 * time.Millisecond:
		return o.PacketTime, nil
	}
	return 0, fmt.Errorf("rtc: packet time %v: choose 10 or 20 ms", o.PacketTime)
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func codecID(mime string) codec.ID {
	_, name, _ := strings.Cut(mime, "/")
	id, err := codec.Parse(name)
	if err != nil {
		return codec.Unknown
	}
	return id
}

// newAPI builds a pion API for one call: its media engine holds only the codecs of opts, its
// setting engine the project's interop settings.
func newAPI(opts Options) (*webrtc.API, error) {
	ids := opts.codecs()
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: none of the requested codecs is available in this build", ErrNoCommonCodec)
	}
	m := &webrtc.MediaEngine{}
	rates := map[uint32]bool{}
	for _, id := range ids {
		var p webrtc.RTPCodecParameters
		switch id {
		case codec.Opus:
			p = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111}
		case codec.PCMU:
			p = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, PayloadType: 0}
		case codec.PCMA:
			p = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000}, PayloadType: 8}
		default:
			continue
		}
		if err := m.RegisterCodec(p, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, err
		}
		rates[p.ClockRate] = true
	}
	for rate, pt := range map[uint32]webrtc.PayloadType{48000: 110, 8000: 101} {
		if !rates[rate] {
			continue
		}
		p := webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mimeTelephoneEvent, ClockRate: rate, SDPFmtpLine: "0-16"}, PayloadType: pt}
		if err := m.RegisterCodec(p, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, err
		}
	}
	s := webrtc.SettingEngine{}
	// RTP from a peer that answers fast can arrive before its answer; without this pion drops that
	// stream for the whole call.
	s.SetHandleUndeclaredSSRCWithoutAnswer(true)
	s.SetIncludeLoopbackCandidate(opts.AllowLoopback)
	// mDNS host names mean nothing to a PBX and cost a lookup; candidates carry real addresses.
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// Addresses as they are at each gathering, so that an ICE restart finds the new ones.
	n, err := newFreshNet()
	if err != nil {
		return nil, fmt.Errorf("rtc: %w", err)
	}
	s.SetNet(n)
	// pion's own lines go to the call's log, not unformatted to standard error.
	s.LoggerFactory = PionLogs(opts.logger())
	// Of pion's default interceptors only the RTCP reports serve an audio call: the far end's
	// receiver reports give the loss, jitter and round trip of what we send, and ours give it the
	// same. NACK and simulcast are for video; transport-wide congestion feedback steers no audio
	// bitrate here; the statistics interceptor copied every packet's header for counts the
	// session keeps itself (callQuality).
	reports := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReportsWithOptions(reports,
		[]report.ReceiverOption{report.WithReceiverLoggerFactory(s.LoggerFactory)},
		report.WithSenderLoggerFactory(s.LoggerFactory)); err != nil {
		return nil, fmt.Errorf("rtc: %w", err)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(s), webrtc.WithInterceptorRegistry(reports)), nil
}

func (o Options) configuration() webrtc.Configuration {
	c := webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	}
	for _, s := range o.ICEServers {
		c.ICEServers = append(c.ICEServers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	if o.RelayOnly {
		c.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	}
	return c
}
