package rtc_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/rtc"
)

// frameSink records the length of every frame written to it.
type frameSink struct {
	mu   sync.Mutex
	lens []int
}

func (f *frameSink) Write(pcm []int16, _ int) {
	f.mu.Lock()
	f.lens = append(f.lens, len(pcm))
	f.mu.Unlock()
}

func (f *frameSink) get() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.lens)
}

// TestPacketTimeNegotiated: two real sessions, each with the packet time it prefers; each says it
// in its description (a=ptime, a=maxptime) and sends what the other asks for, and the frames the
// other plays are that long.
func TestPacketTimeNegotiated(t *testing.T) {
	defer goleak.VerifyNone(t)
	const ms = time.Millisecond
	tests := []struct {
		name                    string
		id                      codec.ID
		offerer, answerer       time.Duration
		offerSends, answerSends time.Duration
	}{
		{"Opus, both 10 ms", codec.Opus, 10 * ms, 10 * ms, 10 * ms, 10 * ms},
		{"Opus, 10 ms asked of an end that prefers 20", codec.Opus, 10 * ms, 0, 20 * ms, 10 * ms},
		{"PCMU, both 20 ms", codec.PCMU, 0, 0, 20 * ms, 20 * ms},
		{"PCMU, both 10 ms", codec.PCMU, 10 * ms, 10 * ms, 10 * ms, 10 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !codec.Available(tt.id) {
				t.Skip("not in this build")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			atA, atB := &frameSink{}, &frameSink{}
			a, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{tt.id}, AllowLoopback: true, Source: rtc.NewToneSource(440), Sink: atA, PacketTime: tt.offerer})
			require.NoError(t, err)
			defer a.Close()
			b, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{tt.id}, AllowLoopback: true, Source: rtc.NewToneSource(700), Sink: atB, PacketTime: tt.answerer})
			require.NoError(t, err)
			defer b.Close()
			offer, err := a.Offer(ctx)
			require.NoError(t, err)
			assert.Contains(t, string(offer), "a=maxptime:60")
			answer, err := b.Answer(ctx, offer)
			require.NoError(t, err)
			require.NoError(t, a.SetAnswer(answer))
			assert.Equal(t, tt.offerSends, a.PacketTime())
			assert.Equal(t, tt.answerSends, b.PacketTime())

			eventually(ctx, t, "frames both ways", func() bool { return len(atA.get()) >= 20 && len(atB.get()) >= 20 })
			samples := func(d time.Duration) int {
				return tt.id.FrameSamples(d) * map[codec.ID]int{codec.Opus: 1, codec.PCMU: 1}[tt.id]
			}
			for _, l := range atB.get() {
				require.Equal(t, samples(tt.offerSends), l, "the answerer plays frames of the packets the offerer sends")
			}
			for _, l := range atA.get() {
				require.Equal(t, samples(tt.answerSends), l, "the offerer plays frames of the packets the answerer sends")
			}
		})
	}
	t.Run("a packet time this end cannot send", func(t *testing.T) {
		_, err := rtc.NewSession(rtc.Options{PacketTime: 30 * time.Millisecond})
		require.ErrorContains(t, err, "choose 10 or 20 ms")
	})
}

// tickedSource is a FramedSource: a tone captured in frames of frame, a token each on a ticker.
type tickedSource struct {
	*rtc.ToneSource
	frame  time.Duration
	ready  chan struct{}
	mu     sync.Mutex
	tokens int
}

func newTickedSource(ctx context.Context, frame time.Duration) *tickedSource {
	s := &tickedSource{ToneSource: rtc.NewToneSource(440), frame: frame, ready: make(chan struct{}, 5)}
	go func() {
		tick := time.NewTicker(frame)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				select {
				case s.ready <- struct{}{}:
					s.mu.Lock()
					s.tokens++
					s.mu.Unlock()
				default:
				}
			}
		}
	}()
	return s
}

func (s *tickedSource) Ready() <-chan struct{}       { return s.ready }
func (s *tickedSource) FrameDuration() time.Duration { return s.frame }
func (s *tickedSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

// TestPacketTimeFromFramedSource: a microphone capturing frames of one length, a far end asking
// for packets of another: the session sends a packet for every packet time captured, so the far
// end gets audio at the rate it is made, whichever way round.
func TestPacketTimeFromFramedSource(t *testing.T) {
	defer goleak.VerifyNone(t)
	const ms = time.Millisecond
	tests := []struct {
		name         string
		frame, asked time.Duration
	}{
		{"20 ms frames, 10 ms packets", 20 * ms, 10 * ms},
		{"10 ms frames, 20 ms packets", 10 * ms, 20 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			src := newTickedSource(ctx, tt.frame)
			a, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{codec.PCMU}, AllowLoopback: true, Source: src, PacketTime: tt.frame})
			require.NoError(t, err)
			defer a.Close()
			b, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{codec.PCMU}, AllowLoopback: true, PacketTime: tt.asked})
			require.NoError(t, err)
			defer b.Close()
			offer, err := a.Offer(ctx)
			require.NoError(t, err)
			answer, err := b.Answer(ctx, offer)
			require.NoError(t, err)
			require.NoError(t, a.SetAnswer(answer))
			require.Equal(t, tt.asked, a.PacketTime())
			eventually(ctx, t, "packets flowing", func() bool { return b.Stats().PacketsIn > 10 })
			t0, p0 := src.count(), b.Stats().PacketsIn
			eventually(ctx, t, "a second of frames", func() bool { return src.count()-t0 >= int(time.Second/tt.frame) })
			frames, packets := src.count()-t0, int(b.Stats().PacketsIn-p0)
			want := frames * int(tt.frame) / int(tt.asked)
			t.Logf("%d frames captured, %d packets received (%d expected)", frames, packets, want)
			assert.InDelta(t, want, packets, float64(want)/10+3, "a packet for every %v captured", tt.asked)
		})
	}
}
