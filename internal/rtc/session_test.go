package rtc_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/rtc"
)

type digits struct {
	mu sync.Mutex
	d  []rune
}

func (d *digits) add(r rune) { d.mu.Lock(); d.d = append(d.d, r); d.mu.Unlock() }
func (d *digits) get() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return string(d.d)
}

// eventually polls cond until it holds or ctx ends (the test's deadline, not a speed assertion).
func eventually(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("never: %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func near(hz, want float64) bool { return math.Abs(hz-want) < want*0.03 }

func TestPeerToPeer(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name      string
		offerer   []codec.ID
		answerer  []codec.ID
		wantCodec string
	}{
		{"pcmu", []codec.ID{codec.PCMU}, nil, "PCMU"},
		{"pcma forced by answerer", nil, []codec.ID{codec.PCMA}, "PCMA"},
		{"opus", []codec.ID{codec.Opus}, nil, "opus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantCodec == "opus" && !codec.Available(codec.Opus) {
				t.Skip("Opus is not in this build")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			sinkA, sinkB := rtc.NewFrequencySink(), rtc.NewFrequencySink()
			var got digits
			a, err := rtc.NewSession(rtc.Options{Codecs: tt.offerer, AllowLoopback: true, Source: rtc.NewToneSource(440), Sink: sinkA})
			require.NoError(t, err)
			defer a.Close()
			b, err := rtc.NewSession(rtc.Options{Codecs: tt.answerer, AllowLoopback: true, Source: rtc.NewToneSource(1000), Sink: sinkB, OnDTMF: got.add})
			require.NoError(t, err)
			defer b.Close()

			offer, err := a.Offer(ctx)
			require.NoError(t, err)
			assert.NotContains(t, string(offer), "c=IN IP4 0.0.0.0", "the offer carries a real default address")
			answer, err := b.Answer(ctx, offer)
			require.NoError(t, err)
			require.NoError(t, a.SetAnswer(answer))

			eventually(ctx, t, "1 kHz at the offerer", func() bool { hz, _ := sinkA.Frequency(); return near(hz, 1000) })
			eventually(ctx, t, "440 Hz at the answerer", func() bool { hz, _ := sinkB.Frequency(); return near(hz, 440) })
			for _, d := range "12#" {
				require.NoError(t, a.SendDTMF(ctx, d, 100*time.Millisecond))
			}
			eventually(ctx, t, "digits at the answerer", func() bool { return got.get() == "12#" })

			st := a.Stats()
			assert.Equal(t, tt.wantCodec, st.Codec)
			assert.Equal(t, "connected", st.DTLSState)
			assert.Equal(t, "host/host", st.ICEPair)
			assert.NotZero(t, st.PacketsIn)
			assert.NotZero(t, st.PacketsOut)
			assert.False(t, st.FirstRTP.IsZero())

			// Hold from the offerer: sendonly; the answerer answers recvonly and stops sending.
			hold, err := a.Hold(rtc.SendOnly)
			require.NoError(t, err)
			dir, err := rtc.Direction(hold)
			require.NoError(t, err)
			assert.Equal(t, rtc.SendOnly, dir)
			holdAnswer, err := b.Reoffer(hold)
			require.NoError(t, err)
			dir, err = rtc.Direction(holdAnswer)
			require.NoError(t, err)
			assert.Equal(t, rtc.RecvOnly, dir)
			require.NoError(t, a.ApplyAnswerDirection(holdAnswer))
			// A packet already on its way when the hold applied may still go out: wait two frames of
			// the offerer's steady stream before taking the held side's count.
			out := a.Stats().PacketsOut
			eventually(ctx, t, "two frames pass", func() bool { return a.Stats().PacketsOut > out+2 })
			in := b.Stats().PacketsOut
			out = a.Stats().PacketsOut
			eventually(ctx, t, "the offerer keeps sending on hold", func() bool { return a.Stats().PacketsOut > out+5 })
			assert.Equal(t, in, b.Stats().PacketsOut, "the held side sends nothing")
		})
	}
}

func TestNoCommonCodec(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{codec.PCMU}, AllowLoopback: true})
	require.NoError(t, err)
	defer a.Close()
	b, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{codec.PCMA}, AllowLoopback: true})
	require.NoError(t, err)
	defer b.Close()
	offer, err := a.Offer(ctx)
	require.NoError(t, err)
	_, err = b.Answer(ctx, offer)
	assert.ErrorIs(t, err, rtc.ErrNoCommonCodec)
}
