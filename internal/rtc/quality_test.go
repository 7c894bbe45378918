package rtc_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/rtc"
)

// voicedSource is a Source an Opus encoder takes for voice: three harmonics whose pitch moves every
// frame. (A steady tone soon counts as no voice, and the encoder then sends no FEC.)
type voicedSource struct {
	mu    sync.Mutex
	phase float64
	k     int
}

func (v *voicedSource) Fill(pcm []int16, rate int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	hz := 200 + 40*float64(v.k%7)
	v.k++
	for i := range pcm {
		pcm[i] = int16(9000 * (math.Sin(v.phase) + 0.5*math.Sin(2*v.phase) + 0.3*math.Sin(3*v.phase)))
		v.phase = math.Mod(v.phase+2*math.Pi*hz/float64(rate), 2*math.Pi)
	}
}

// Two real sessions over loopback; the offerer's audio loses every 8th packet on the way (12.5 %).
// Each side rates the call from what it receives and from the other's RTCP reports.
func TestQualityFromReceiverAndReports(t *testing.T) {
	defer goleak.VerifyNone(t)
	if !codec.Available(codec.Opus) {
		t.Skip("Opus is not in this build")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var n atomic.Int64
	lossy := func(h *rtp.Header, payload []byte, send func(*rtp.Header, []byte)) {
		if n.Add(1)%8 != 0 {
			send(h, payload)
		}
	}
	a, err := rtc.NewSession(rtc.WithNetwork(rtc.Options{Codecs: []codec.ID{codec.Opus}, AllowLoopback: true, Source: &voicedSource{}}, lossy))
	require.NoError(t, err)
	defer a.Close()
	b, err := rtc.NewSession(rtc.Options{AllowLoopback: true, Source: rtc.Silence{}})
	require.NoError(t, err)
	defer b.Close()
	offer, err := a.Offer(ctx)
	require.NoError(t, err)
	answer, err := b.Answer(ctx, offer)
	require.NoError(t, err)
	require.NoError(t, a.SetAnswer(answer))
	assert.Equal(t, 10, a.FECLossPercent(), "before any report the encoder plans for 10 %")

	eventually(ctx, t, "the receiver rates the loss", func() bool {
		l := b.Quality().Last
		return l.Receiving && l.LossPct > 5
	})
	eventually(ctx, t, "the sender hears of it from the reports, with a round trip", func() bool {
		l := a.Quality().Last
		return l.Reported && l.RemoteLossPct > 5 && l.RTTKnown
	})
	eventually(ctx, t, "the answerer has a round trip too", func() bool { return b.Quality().Last.RTTKnown })
	eventually(ctx, t, "the FEC follows the far end's loss", func() bool { return a.FECLossPercent() > 10 })
	eventually(ctx, t, "a loss warning for most of the last seconds", func() bool {
		return slices.Contains(a.Quality().Warnings, quality.WarningHighLoss)
	})

	qa, qb := a.Quality(), b.Quality()
	t.Logf("B stats %+v\nA last %+v\nB last %+v", b.Stats(), qa.Last, qb.Last)
	assert.InDelta(t, 12.5, qb.Last.LossPct, 6, "received loss")
	assert.InDelta(t, 12.5, qa.Last.RemoteLossPct, 6, "reported loss")
	assert.Less(t, qa.Last.RTTMs, 200.0, "loopback")
	assert.Greater(t, qb.Last.ConcealedPct, 0.0)
	assert.Greater(t, b.Stats().FECFrames, uint64(0), "single losses come back from the next packet's FEC")
	// What the answerer hears was rebuilt from FEC (on a busy machine a few frames still come too
	// late): it rates better than what its reports tell the offerer (loss before FEC).
	assert.Greater(t, qb.Last.MOS, qa.Last.MOS, "FEC-rebuilt frames are not counted as lost")
	assert.Less(t, qa.Last.MOS, 3.8, "what the answerer hears, as its reports say (loss before FEC), costs the offerer's rating")
	assert.True(t, qb.Last.MicSilent, "the answerer sends digital silence")
	assert.False(t, qa.Last.MicSilent, "the offerer sends a voice")
	assert.Contains(t, qa.Summary.Warnings, quality.WarningHighLoss)
	assert.Equal(t, quality.LevelPoor, qa.Level)
	assert.NotEmpty(t, a.Stats().Quality.Summary.Warnings, "Stats carries the quality")
}
