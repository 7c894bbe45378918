package phone

import (
	"time"

	"github.com/phonebar/phonebar/internal/rtc"
)

// logEnd writes one line per ended call with what a diagnosis of its media needs: how long ICE,
// DTLS and the first packet took from the other side's description, the path chosen, and the
// call's quality summary (internal/quality). st is the media's last statistics (zero for a call
// that never had media).
func (c *Call) logEnd(st rtc.Stats, reason error) {
	ms := func(from, to time.Time) int64 {
		if from.IsZero() || to.IsZero() {
			return -1
		}
		return to.Sub(from).Milliseconds()
	}
	q := st.Quality.Summary
	attrs := []any{
		"call", c.id, "direction", c.dir.String(), "remote", c.remote,
		"reason", errText(reason), "codec", st.Codec, "dtls_state", st.DTLSState, "ice_pair", st.ICEPair,
		"ice_ms", ms(st.RemoteSet, st.ICEConnected), "first_rtp_ms", ms(st.RemoteSet, st.FirstRTP),
		"rtp_packets_in", st.PacketsIn, "rtp_packets_out", st.PacketsOut,
		"concealed_frames", st.ConcealedFrames, "fec_frames", st.FECFrames, "late_packets", st.LatePackets,
		"quality_seconds", q.Seconds, "mos", q.MOS, "mos_min", q.MOSMin, "loss_pct", q.LossPct,
		"remote_loss_pct", q.RemoteLossPct, "jitter_ms", q.JitterMs, "rtt_ms", q.RTTMs, "warnings", q.Warnings,
	}
	c.phone.log.Info("call ended", attrs...)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
