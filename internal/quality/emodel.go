// Package quality turns a call's media counters into what an agent can act on: per second, the
// packet loss, jitter, round-trip time and concealed audio of the call, an E-model (ITU-T G.107,
// simplified) MOS estimate, plain-words warnings when published thresholds are crossed for most of
// the last few seconds, and a summary of the whole call for the history.
//
// The package is pure computation: the rtc package samples a call's counters once a second and
// feeds them to a Monitor; nothing here starts a goroutine or touches the network.
package quality

import (
	"math"
	"strings"
)

// Impairments are what the E-model needs of one direction of a call.
type Impairments struct {
	// Codec is the codec's name ("opus", "pcmu", "pcma", any case); unknown names are taken as G.711.
	Codec string
	// LossPct is the share of the audio the listener did not get, 0 to 100: packets lost on the
	// network or late beyond the jitter buffer, and not rebuilt from forward error correction.
	LossPct float64
	// BurstRatio is G.107's BurstR: 1 (or 0) for random loss, above 1 when losses come in bursts.
	BurstRatio float64
	// DelayMs is the one-way mouth-to-ear delay: network, jitter buffer, packetisation and codec.
	DelayMs float64
}

// codecFactors are G.113's equipment impairment Ie and packet-loss robustness Bpl of a codec.
type codecFactors struct{ ie, bpl float64 }

// G.711 with packet-loss concealment is G.113 Appendix I's Ie 0, Bpl 25.1. G.113 lists no Opus
// factors on the narrowband scale; Opus here is rated as G.711 with concealment, which is on the
// safe side for Opus at the voice bitrates used (its own concealment and FEC do better, and the
// frames FEC rebuilt are not counted as lost).
var factors = map[string]codecFactors{
	"pcmu": {0, 25.1},
	"pcma": {0, 25.1},
	"opus": {0, 25.1},
}

// codecDelayMs is the algorithmic delay a codec adds beyond the packet time (Opus' look-ahead).
func codecDelayMs(codec string) float64 {
	if strings.EqualFold(codec, "opus") {
		return 6.5
	}
	return 0
}

// defaultR is G.107's rating with every parameter at its default value (R0 − Is with A = 0): the
// best a narrowband call can score.
const defaultR = 93.2

// R is the E-model's transmission rating factor for in: G.107's R = R0 − Is − Id − Ie,eff + A with
// every parameter but delay, codec and loss at its default; Id in the simplified form of Cole and
// Rosenbluth (2001): 0.024·d + 0.11·(d − 177.3) for d above 177.3 ms.
func R(in Impairments) float64 {
	f, ok := factors[strings.ToLower(in.Codec)]
	if !ok {
		f = factors["pcmu"]
	}
	d := math.Max(0, in.DelayMs)
	id := 0.024 * d
	if d > 177.3 {
		id += 0.11 * (d - 177.3)
	}
	ppl := math.Min(100, math.Max(0, in.LossPct))
	burst := in.BurstRatio
	if burst < 1 {
		burst = 1
	}
	ieEff := f.ie + (95-f.ie)*ppl/(ppl/burst+f.bpl)
	return defaultR - id - ieEff
}

// MOS maps a rating R to the mean opinion score G.107 Annex B gives it: 1 up to R = 0, 4.5 from
// R = 100, and 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶ between.
func MOS(r float64) float64 {
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	return 1 + 0.035*r + r*(r-60)*(100-r)*7e-6
}

// Estimate is MOS(R(in)).
func Estimate(in Impairments) float64 { return MOS(R(in)) }
