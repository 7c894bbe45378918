package codec

import (
	"fmt"
	"math/bits"
)

// G711 is a stateless G.711 codec (ITU-T G.711): one byte per sample at 8 kHz. It accepts any
// number of samples per frame.
type G711 struct {
	id ID
}

// NewPCMU returns a G.711 μ-law codec.
func NewPCMU() *G711 { return &G711{id: PCMU} }

// NewPCMA returns a G.711 A-law codec.
func NewPCMA() *G711 { return &G711{id: PCMA} }

// ID implements Codec.
func (g *G711) ID() ID { return g.id }

// Name implements Codec.
func (g *G711) Name() string { return g.id.String() }

// ClockRate implements Codec.
func (g *G711) ClockRate() int { return 8000 }

// SampleRate implements Codec.
func (g *G711) SampleRate() int { return 8000 }

// Close implements Codec; G.711 holds nothing.
func (g *G711) Close() error { return nil }

// Encode implements Codec: len(pcm) bytes into out.
func (g *G711) Encode(pcm []int16, out []byte) (int, error) {
	if len(out) < len(pcm) {
		return 0, fmt.Errorf("%w: %d samples need %d bytes, have %d", ErrBufferTooSmall, len(pcm), len(pcm), len(out))
	}
	if g.id == PCMA {
		for i, s := range pcm {
			out[i] = EncodeALaw(s)
		}
	} else {
		for i, s := range pcm {
			out[i] = EncodeULaw(s)
		}
	}
	return len(pcm), nil
}

// Decode implements Codec: len(payload) samples into pcm.
func (g *G711) Decode(payload []byte, pcm []int16) (int, error) {
	if len(pcm) < len(payload) {
		return 0, fmt.Errorf("%w: %d bytes need %d samples, have %d", ErrBufferTooSmall, len(payload), len(payload), len(pcm))
	}
	table := &ulawDecode
	if g.id == PCMA {
		table = &alawDecode
	}
	for i, b := range payload {
		pcm[i] = table[b]
	}
	return len(payload), nil
}

const (
	ulawBias = 0x84 // added before finding the segment, so every segment starts at a power of two
	ulawClip = 32635
)

// EncodeULaw compresses one linear sample to μ-law.
func EncodeULaw(s int16) byte {
	v := int(s)
	sign := 0
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > ulawClip {
		v = ulawClip
	}
	v += ulawBias
	exp := bits.Len(uint(v)) - 8 // v >= 0x84, so exp >= 0; v <= 0x7fff, so exp <= 7
	mant := (v >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
}

// DecodeULaw expands one μ-law byte to a linear sample.
func DecodeULaw(b byte) int16 { return ulawDecode[b] }

// EncodeALaw compresses one linear sample to A-law.
func EncodeALaw(s int16) byte {
	v := int(s)
	mask := byte(0xd5) // positive: sign bit set, even bits inverted
	if v < 0 {
		v = -v - 1
		mask = 0x55
	}
	v >>= 3 // A-law works on 13 bits
	var code int
	if v < 32 {
		code = v >> 1
	} else {
		seg := bits.Len(uint(v)) - 5 // 32..63 is segment 1, up to 2048..4095 in segment 7
		code = seg<<4 | (v>>seg)&0x0f
	}
	return byte(code) ^ mask
}

// DecodeALaw expands one A-law byte to a linear sample.
func DecodeALaw(b byte) int16 { return alawDecode[b] }

var ulawDecode, alawDecode [256]int16

func init() {
	for i := range 256 {
		u := ^byte(i)
		exp := int(u>>4) & 7
		v := ((int(u&0x0f) << 3) + ulawBias) << exp
		v -= ulawBias
		if u&0x80 != 0 {
			v = -v
		}
		ulawDecode[i] = int16(v)

		a := byte(i) ^ 0x55
		seg := int(a>>4) & 7
		t := int(a&0x0f) << 4
		if seg == 0 {
			t += 8
		} else {
			t = (t + 0x108) << (seg - 1)
		}
		if a&0x80 == 0 {
			t = -t
		}
		alawDecode[i] = int16(t)
	}
}
