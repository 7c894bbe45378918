package pbx

import (
	"strings"
	"sync"

	"github.com/pion/sdp/v3"
)

// echo is the Sink and Source of ExtEcho: what is written is read back, after a short prebuffer
// so that network jitter does not chop it.
type echo struct {
	mu      sync.Mutex
	buf     []int16
	rate    int
	playing bool
}

func newEcho() *echo { return &echo{} }

// Write keeps the frame, at most one second of audio.
func (e *echo) Write(pcm []int16, rate int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if rate != e.rate {
		e.buf, e.rate, e.playing = e.buf[:0], rate, false
	}
	e.buf = append(e.buf, pcm...)
	if len(e.buf) > rate {
		e.buf = append(e.buf[:0], e.buf[len(e.buf)-rate:]...)
	}
}

// Fill plays back what was written; silence while too little is buffered or when the rates of the
// two directions differ (the caller then hears nothing back, never noise).
func (e *echo) Fill(pcm []int16, rate int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if rate != e.rate || (!e.playing && len(e.buf) < 2*len(pcm)) {
		clear(pcm)
		return
	}
	e.playing = true
	n := copy(pcm, e.buf)
	clear(pcm[n:])
	e.buf = append(e.buf[:0], e.buf[n:]...)
	if len(e.buf) == 0 {
		e.playing = false
	}
}

// offersTelephoneEvent reports whether an SDP offers RFC 4733 telephone events in its first audio
// stream.
func offersTelephoneEvent(raw []byte) bool {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(string(raw)); err != nil {
		return false
	}
	for _, m := range sd.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		for _, a := range m.Attributes {
			if a.Key != "rtpmap" {
				continue
			}
			_, rest, _ := strings.Cut(a.Value, " ")
			name, _, _ := strings.Cut(rest, "/")
			if strings.EqualFold(name, "telephone-event") {
				return true
			}
		}
		return false
	}
	return false
}
