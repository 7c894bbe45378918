package rtc_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/rtctest/netns"
)

// pair negotiates a call between two sessions; tamper, if set, changes the answer on the way.
func pair(ctx context.Context, t *testing.T, a, b rtc.Options, tamper func([]byte) []byte) (*rtc.Session, *rtc.Session) {
	t.Helper()
	a.Codecs, b.Codecs = []codec.ID{codec.PCMU}, []codec.ID{codec.PCMU}
	sa, err := rtc.NewSession(a)
	require.NoError(t, err)
	t.Cleanup(func() { sa.Close() })
	sb, err := rtc.NewSession(b)
	require.NoError(t, err)
	t.Cleanup(func() { sb.Close() })
	offer, err := sa.Offer(ctx)
	require.NoError(t, err)
	answer, err := sb.Answer(ctx, offer)
	require.NoError(t, err)
	if tamper != nil {
		answer = tamper(answer)
	}
	require.NoError(t, sa.SetAnswer(answer))
	return sa, sb
}

// mediaErrorAfter asks the offerer why no audio came, once cond holds or after d.
func mediaErrorAfter(ctx context.Context, s *rtc.Session, d time.Duration, cond func(rtc.Stats) bool) error {
	deadline := time.After(d)
	for {
		if cond != nil && cond(s.Stats()) {
			return s.MediaError()
		}
		select {
		case <-ctx.Done():
			return s.MediaError()
		case <-deadline:
			return s.MediaError()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestMediaErrorSteps: each step that can fail between two sessions on this machine is told apart
// (the steps that need a bare network are in TestMediaErrorNetwork).
func TestMediaErrorSteps(t *testing.T) {
	defer goleak.VerifyNone(t)
	dropAll := func(opts rtc.Options) rtc.Options {
		return rtc.WithNetwork(opts, func(*rtp.Header, []byte, func(*rtp.Header, []byte)) {})
	}
	fingerprint := regexp.MustCompile(`(a=fingerprint:sha-256 )([0-9A-F]{2})`)
	tests := []struct {
		name   string
		b      rtc.Options
		tamper func([]byte) []byte
		cond   func(rtc.Stats) bool
		want   error
	}{
		{name: "audio arrives", b: rtc.Options{AllowLoopback: true}, cond: func(s rtc.Stats) bool { return s.PacketsIn > 0 }},
		{name: "the other side sends no RTP", b: dropAll(rtc.Options{AllowLoopback: true}),
			cond: func(s rtc.Stats) bool { return s.DTLSState == "connected" }, want: rtc.ErrNoRTP},
		{name: "DTLS fails on a changed fingerprint", b: rtc.Options{AllowLoopback: true},
			tamper: func(sdp []byte) []byte {
				return fingerprint.ReplaceAllFunc(sdp, func(m []byte) []byte {
					out := append([]byte(nil), m...)
					if out[len(out)-1] == '0' {
						out[len(out)-1] = '1'
					} else {
						out[len(out)-1] = '0'
					}
					return out
				})
			},
			cond: func(s rtc.Stats) bool {
				return s.DTLSState == "failed" || !s.ICEConnected.IsZero() && time.Since(s.ICEConnected) > 2*time.Second
			}, want: rtc.ErrDTLSFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			a, _ := pair(ctx, t, rtc.Options{AllowLoopback: true}, tt.b, tt.tamper)
			err := mediaErrorAfter(ctx, a, 10*time.Second, tt.cond)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

// TestMediaErrorNetwork runs on a machine whose only network is loopback (a namespace of its own):
// without loopback candidates a session has no address at all; with them a call works; with the
// UDP between the two sides dropped by a firewall rule ICE finds no pair, and the error says the
// evidence points at something on the way.
func TestMediaErrorNetwork(t *testing.T) {
	if !netns.Isolate(t, time.Minute) {
		return
	}
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	t.Run("no loopback candidates: no address at all", func(t *testing.T) {
		s, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{codec.PCMU}})
		require.NoError(t, err)
		defer s.Close()
		offer, err := s.Offer(ctx)
		require.NoError(t, err)
		assert.NotContains(t, string(offer), "a=candidate")
		assert.ErrorIs(t, s.MediaError(), rtc.ErrNoLocalCandidate)
	})
	t.Run("loopback candidates: audio flows", func(t *testing.T) {
		a, _ := pair(ctx, t, rtc.Options{AllowLoopback: true}, rtc.Options{AllowLoopback: true}, nil)
		assert.NoError(t, mediaErrorAfter(ctx, a, 10*time.Second, func(s rtc.Stats) bool { return s.PacketsIn > 0 }))
		assert.NotZero(t, a.Stats().PacketsIn)
	})
	t.Run("UDP dropped: ICE finds no pair, a firewall is likely", func(t *testing.T) {
		netns.Run(t, "iptables", "-A", "INPUT", "-p", "udp", "-j", "DROP")
		defer netns.Run(t, "iptables", "-D", "INPUT", "-p", "udp", "-j", "DROP")
		a, _ := pair(ctx, t, rtc.Options{AllowLoopback: true}, rtc.Options{AllowLoopback: true}, nil)
		err := mediaErrorAfter(ctx, a, 2*time.Second, nil)
		var ie *rtc.ICEError
		require.True(t, errors.As(err, &ie), "got %v", err)
		assert.ErrorIs(t, err, rtc.ErrICEFailed)
		assert.True(t, ie.FirewallLikely(), "%+v", ie)
		assert.Positive(t, ie.Local)
		assert.Positive(t, ie.Remote)
	})
}
