package rtc

import (
	"strings"
	"sync"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// audioTrack is our outgoing audio as a pion TrackLocal that writes whole RTP packets, so that
// telephone events (RFC 4733) share the stream with their own payload type.
type audioTrack struct {
	mu     sync.Mutex
	w      webrtc.TrackLocalWriter
	ssrc   uint32
	send   webrtc.RTPCodecParameters
	events map[uint32]uint8 // telephone-event payload type by clock rate
}

func isTelephoneEvent(c webrtc.RTPCodecParameters) bool {
	return strings.EqualFold(c.MimeType, mimeTelephoneEvent)
}

// Bind picks the first negotiated audio codec (the answer's order) and notes the telephone-event
// payload types.
func (t *audioTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	var send *webrtc.RTPCodecParameters
	events := map[uint32]uint8{}
	for _, c := range ctx.CodecParameters() {
		if isTelephoneEvent(c) {
			if _, ok := events[c.ClockRate]; !ok {
				events[c.ClockRate] = uint8(c.PayloadType)
			}
			continue
		}
		if send == nil && codecID(c.MimeType) != 0 {
			c := c
			send = &c
		}
	}
	if send == nil {
		return webrtc.RTPCodecParameters{}, ErrNoCommonCodec
	}
	t.mu.Lock()
	t.w, t.ssrc, t.send, t.events = ctx.WriteStream(), uint32(ctx.SSRC()), *send, events
	t.mu.Unlock()
	return *send, nil
}

// Unbind stops writing.
func (t *audioTrack) Unbind(webrtc.TrackLocalContext) error {
	t.mu.Lock()
	t.w = nil
	t.mu.Unlock()
	return nil
}

func (t *audioTrack) ID() string                { return "audio" }
func (t *audioTrack) RID() string               { return "" }
func (t *audioTrack) StreamID() string          { return "phonebar" }
func (t *audioTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

// binding returns the writer and what was negotiated, or a nil writer before negotiation.
func (t *audioTrack) binding() (webrtc.TrackLocalWriter, uint32, webrtc.RTPCodecParameters, map[uint32]uint8) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.w, t.ssrc, t.send, t.events
}

func writePacket(w webrtc.TrackLocalWriter, h *rtp.Header, payload []byte) bool {
	n, err := w.WriteRTP(h, payload)
	return err == nil && n > 0
}
