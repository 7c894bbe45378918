package rtc

import (
	"log/slog"
	"time"

	"github.com/pion/logging"
	"github.com/pion/rtp"
)

// PionLogsAt is PionLogs on the clock now.
func PionLogsAt(l *slog.Logger, now func() time.Time) logging.LoggerFactory { return pionLogs(l, now) }

// WithNetwork returns opts whose sent RTP goes through network before encryption: it may send each
// packet at once, later, twice or never by calling send.
func WithNetwork(opts Options, network func(h *rtp.Header, payload []byte, send func(*rtp.Header, []byte))) Options {
	opts.network = network
	return opts
}

// FECLossPercent is the loss the session's Opus encoder plans its FEC for now.
func (s *Session) FECLossPercent() int { return int(s.q.fecLoss.Load()) }
