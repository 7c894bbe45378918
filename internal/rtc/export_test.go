package rtc

import "github.com/pion/rtp"

// WithNetwork returns opts whose sent RTP goes through network before encryption: it may send each
// packet at once, later, twice or never by calling send.
func WithNetwork(opts Options, network func(h *rtp.Header, payload []byte, send func(*rtp.Header, []byte))) Options {
	opts.network = network
	return opts
}

// FECLossPercent is the loss the session's Opus encoder plans its FEC for now.
func (s *Session) FECLossPercent() int { return int(s.q.fecLoss.Load()) }
