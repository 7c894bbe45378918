package codec

// OpusHasFEC reports whether an Opus packet carries in-band FEC: a low-bitrate copy of the frame
// before it (SILK's LBRR frames, RFC 6716 section 4.2.4), from which a decoder rebuilds that frame
// when its own packet was lost. Only packets whose first frame has a SILK layer (SILK-only and
// hybrid modes) can; a CELT-only packet, a malformed one, or one whose frame layout this does not
// read (code 2 and 3 packets, RFC 6716 section 3.2) reports false. libopus decodes FEC from any
// packet without complaint, concealing when there is none: this tells a frame rebuilt from the
// far end's redundancy from one made up.
//
// It reads the SILK header flags at the start of the first frame (RFC 6716 section 4.2.3): one
// voice-activity bit per SILK frame of the Opus frame (one for 10 and 20 ms, two for 40, three for
// 60), then the LBRR flag, each coded with probability one half, which the range coder leaves as
// the leading bits of the first byte.
func OpusHasFEC(payload []byte) bool {
	if len(payload) < 2 {
		return false
	}
	toc := payload[0]
	config := int(toc >> 3)
	var silkFrames int
	switch {
	case config < 12: // SILK-only: 10, 20, 40, 60 ms
		silkFrames = []int{1, 1, 2, 3}[config%4]
	case config < 16: // hybrid: 10, 20 ms
		silkFrames = 1
	default: // CELT-only: no SILK layer, no LBRR
		return false
	}
	switch toc & 3 {
	case 0, 1: // one frame, or two of equal size: the first starts after the TOC byte
	default:
		return false
	}
	return payload[1]&(0x80>>silkFrames) != 0
}
