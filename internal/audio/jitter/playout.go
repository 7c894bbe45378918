package jitter

import (
	"time"

	"github.com/phonebar/phonebar/internal/audio/codec"
)

// Playout pulls frames from a Buffer, decodes them and conceals what is missing, giving exactly one
// frame of PCM per call. It is the Source the audio Engine plays during a call. Only one goroutine
// may call NextFrame.
type Playout struct {
	buf  *Buffer
	dec  codec.Codec
	now  func() time.Time
	last []int16 // the last frame played, for concealment of codecs without their own
	lost int     // consecutive concealed frames
	// fecAge counts the frames since a decoded packet last carried in-band FEC (fecFrames: none yet).
	fecAge int
	stats  PlayoutStats
	spare  time.Duration // of the frame played last
}

// PlayoutStats count how frames were made: Decoded from their own packet, Concealed when it was
// missing (FECRecovered of these rebuilt from the next packet's in-band FEC, the rest made up),
// Silent before the stream starts or after it stopped.
type PlayoutStats struct {
	Decoded, Concealed, FECRecovered, Silent, DecodeErrors int
}

// concealFade is the gain applied per concealed frame when repeating the last frame, and
// concealFrames how many frames are repeated before going silent: a lost packet sounds like a
// short stretch of the same sound fading away, not a click.
const (
	concealFade   = 0.6
	concealFrames = 5
)

// fecFrames is how long the far end's in-band FEC counts as sent after the last packet that carried
// it (2 s): an encoder leaves it out of some packets (after silence, say) while still sending it.
const fecFrames = 100

// NewPlayout plays buf through dec. now is the playout clock (nil: time.Now).
func NewPlayout(buf *Buffer, dec codec.Codec, now func() time.Time) *Playout {
	if now == nil {
		now = time.Now
	}
	return &Playout{buf: buf, dec: dec, now: now, fecAge: fecFrames}
}

// NextFrame fills pcm (one frame at the codec's sample rate) with the next frame of playout.
func (p *Playout) NextFrame(pcm []int16) {
	f := p.buf.Pop(p.now())
	p.spare = f.Spare
	switch f.Status {
	case StatusOK:
		n, err := p.dec.Decode(f.Packet.Payload, pcm)
		if err != nil {
			p.stats.DecodeErrors++
			p.conceal(pcm, nil)
			return
		}
		clear(pcm[n:])
		p.stats.Decoded++
		p.lost = 0
		p.remember(pcm)
		p.noteFEC(f.Packet.Payload)
	case StatusLost:
		p.conceal(pcm, f.Next)
	default:
		clear(pcm)
		p.stats.Silent++
		p.lost = 0
		p.last = p.last[:0]
	}
}

// conceal makes up a frame for a missing packet: the codec's FEC from the next packet, else the
// codec's own concealment, else the last frame repeated and fading.
func (p *Playout) conceal(pcm []int16, next *Packet) {
	p.lost++
	p.stats.Concealed++
	if fec, ok := p.dec.(codec.FECDecoder); ok && next != nil && fec.HasFEC(next.Payload) {
		if n, err := fec.DecodeFEC(next.Payload, pcm); err == nil {
			clear(pcm[n:])
			p.stats.FECRecovered++
			return
		}
	}
	if c, ok := p.dec.(codec.Concealer); ok {
		if n, err := c.Conceal(pcm); err == nil {
			clear(pcm[n:])
			return
		}
	}
	if len(p.last) != len(pcm) || p.lost > concealFrames {
		clear(pcm)
		return
	}
	gain := 1.0
	for range p.lost {
		gain *= concealFade
	}
	for i, s := range p.last {
		pcm[i] = int16(float64(s) * gain)
	}
}

// noteFEC tells the buffer whether the far end sends in-band FEC, from the packet just decoded.
func (p *Playout) noteFEC(payload []byte) {
	fec, ok := p.dec.(codec.FECDecoder)
	if !ok {
		return
	}
	was := p.fecAge < fecFrames
	if fec.HasFEC(payload) {
		p.fecAge = 0
	} else if p.fecAge < fecFrames {
		p.fecAge++
	}
	if now := p.fecAge < fecFrames; now != was {
		p.buf.SetFEC(now)
	}
}

func (p *Playout) remember(pcm []int16) {
	p.last = append(p.last[:0], pcm...)
}

// Spare is Frame.Spare of the frame played last: how much earlier it could have been played.
func (p *Playout) Spare() time.Duration { return p.spare }

// trimQuietPeak is the loudest sample (about -40 dBFS) of a frame that may be shortened: silence,
// a pause between words, comfort noise.
const trimQuietPeak = 328

// Trim drops spare of audio (the whole frame at most) from the start of pcm (one frame at rate)
// when the whole frame is quiet, and returns what is left. A playout pulled by the speaker uses it
// to take back delay the jitter buffer does not need (Frame.Spare) where nobody hears it; a frame
// with sound in it is returned whole.
func Trim(pcm []int16, rate int, spare time.Duration) []int16 {
	n := min(int(int64(rate)*int64(spare)/int64(time.Second)), len(pcm))
	if n <= 0 {
		return pcm
	}
	for _, v := range pcm {
		if v > trimQuietPeak || v < -trimQuietPeak {
			return pcm
		}
	}
	return pcm[n:]
}

// Stats returns the playout counters.
func (p *Playout) Stats() PlayoutStats { return p.stats }
