package rtc_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/rtc"
)

// Frames are numbered by their pitch: frame k of the sender is a sine of 300 + 100*(k mod 30) Hz,
// so the receiver can tell which frame it plays, and whether in order, without a side channel.
const indexCycle = 30

func indexHz(i int) float64 { return float64(300 + 100*i) }

// indexSource is a Source whose frame k carries the index k mod indexCycle, and which remembers
// when it made each frame.
type indexSource struct {
	mu    sync.Mutex
	phase float64
	made  []time.Time
}

func (s *indexSource) Fill(pcm []int16, rate int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	step := 2 * math.Pi * indexHz(len(s.made)%indexCycle) / float64(rate)
	for i := range pcm {
		pcm[i] = int16(0.3 * (dsp.FullScale - 1) * math.Sin(s.phase))
		s.phase = math.Mod(s.phase+step, 2*math.Pi)
	}
	s.made = append(s.made, time.Now())
}

func (s *indexSource) frames() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.made)
}

// heard is one frame the Sink got: the index it carries (-1 when quiet or unclear), when, and how
// many frames the source had made by then.
type heard struct {
	index, samples, made int
	at                   time.Time
}

// indexSink is a Sink that reads the index of every frame written to it.
type indexSink struct {
	src  *indexSource
	mu   sync.Mutex
	got  []heard
	rate int
}

func (s *indexSink) Write(pcm []int16, rate int) {
	h := heard{index: -1, samples: len(pcm), made: len(s.src.frames()), at: time.Now()}
	// The second half of the frame: a codec's delay (Opus holds back a few milliseconds) puts the
	// end of the frame before at its start. 10 ms hold whole periods of every index's pitch.
	tail := pcm[len(pcm)/2:]
	if dsp.Measure(tail).RMSDBFS > -30 {
		best, second := 0.0, 0.0
		for i := range indexCycle {
			p := dsp.Goertzel(tail, rate, indexHz(i))
			if p > best {
				best, second, h.index = p, best, i
			} else if p > second {
				second = p
			}
		}
		if best < 4*second {
			h.index = -1 // two pitches in one frame: a frame boundary inside it
		}
	}
	s.mu.Lock()
	s.got = append(s.got, h)
	s.rate = rate
	s.mu.Unlock()
}

func (s *indexSink) heard() []heard {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// impaired is the sender's network: of the audio packets, every 25th is lost, every 10th comes
// one packet late (after the one behind it), and every 100th stalls with the four behind it for
// 100 ms, all five then arriving in a burst after the packet that follows them. Telephone events
// pass untouched.
type impaired struct {
	mu      sync.Mutex
	n       int
	dropped []int
	held    []held
}

type held struct {
	h       rtp.Header
	payload []byte
	release int
}

func (n *impaired) carry(h *rtp.Header, payload []byte, send func(*rtp.Header, []byte)) {
	if h.PayloadType != 0 && h.PayloadType != 8 && h.PayloadType != 111 {
		send(h, payload)
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	j := n.n
	n.n++
	hold := func(release int) { n.held = append(n.held, held{*h, slices.Clone(payload), release}) }
	switch {
	case j%25 == 7:
		n.dropped = append(n.dropped, j)
	case j%100 >= 50 && j%100 < 55:
		hold(j - j%100 + 55)
	case j%10 == 3:
		hold(j + 1)
	default:
		send(h, payload)
	}
	kept := n.held[:0]
	for _, p := range n.held {
		if p.release <= j {
			send(&p.h, p.payload)
		} else {
			kept = append(kept, p)
		}
	}
	n.held = kept
}

func (n *impaired) lost() []int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.dropped)
}

// TestPlayoutOverImpairedNetwork sends numbered frames between two real sessions over a network
// that loses, reorders and delays packets, and checks what the far end's Sink gets: frames in order
// at a steady pace, losses concealed and counted, the delay bounded, and DTMF still arriving.
func TestPlayoutOverImpairedNetwork(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name    string
		id      codec.ID
		samples int
	}{
		{"PCMU", codec.PCMU, 160},
		{"Opus", codec.Opus, 960},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !codec.Available(tt.id) {
				t.Skip("not in this build")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			src := &indexSource{}
			sink := &indexSink{src: src}
			net := &impaired{}
			var got digits
			a, err := rtc.NewSession(rtc.WithNetwork(rtc.Options{Codecs: []codec.ID{tt.id}, AllowLoopback: true, Source: src}, net.carry))
			require.NoError(t, err)
			defer a.Close()
			b, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{tt.id}, AllowLoopback: true, Sink: sink, OnDTMF: got.add})
			require.NoError(t, err)
			defer b.Close()
			offer, err := a.Offer(ctx)
			require.NoError(t, err)
			answer, err := b.Answer(ctx, offer)
			require.NoError(t, err)
			require.NoError(t, a.SetAnswer(answer))

			// Five seconds of audio, with a digit in the middle.
			eventually(ctx, t, "audio at the far end", func() bool { return len(sink.heard()) > 0 })
			eventually(ctx, t, "2.5 s sent", func() bool { return len(src.frames()) >= 125 })
			require.NoError(t, a.SendDTMF(ctx, '7', 100*time.Millisecond))
			eventually(ctx, t, "5 s sent", func() bool { return len(src.frames()) >= 260 })
			eventually(ctx, t, "the digit", func() bool { return got.get() == "7" })
			require.NoError(t, a.Close())
			time.Sleep(100 * time.Millisecond) // let the far end play what it holds
			require.NoError(t, b.Close())

			made, frames, st := src.frames(), sink.heard(), b.Stats()
			t.Logf("stats %+v; %d frames heard of %d sent, lost on the way %v", st, len(frames), len(made), net.lost())

			// Every frame written is one whole frame of the codec; decoded and concealed frames are
			// what the Sink got, nothing more, nothing less.
			for _, f := range frames {
				require.Equal(t, tt.samples, f.samples)
			}
			assert.Equal(t, st.DecodedFrames+st.ConcealedFrames, uint64(len(frames)))

			// In order: the index only steps forward (0 for a frame concealed by repeating, 2 after
			// a loss), never back, as it would when a reordered packet is played as it arrives.
			var (
				abs, prev, readable, beyond int
				delays                      []time.Duration
				backward                    []int
			)
			prev = -1
			for i, f := range frames {
				if f.index < 0 {
					continue
				}
				readable++
				if prev < 0 {
					// The latest frame made with this index: the delay is well under a cycle.
					abs = f.made - 1 - ((f.made-1-f.index)%indexCycle+indexCycle)%indexCycle
				} else {
					step := (f.index - prev + indexCycle) % indexCycle
					if step > indexCycle/2 {
						backward = append(backward, i)
					} else {
						abs += step
					}
				}
				prev = f.index
				if abs >= len(made) {
					beyond++ // counted wrong: a step back taken for a step forward
					continue
				}
				delays = append(delays, f.at.Sub(made[abs]))
			}
			assert.Empty(t, backward, "frames played out of order at %v", backward)
			assert.Zero(t, beyond, "frames numbered past the last one sent")
			assert.Greater(t, readable, 200, "frames whose index could be read")
			// Unread frames are the concealed ones fading out and frames with two pitches.
			assert.GreaterOrEqual(t, st.DecodedFrames, uint64(200))

			// Losses are concealed, not left as gaps, and counted.
			lost := len(net.lost())
			require.GreaterOrEqual(t, lost, 9)
			assert.GreaterOrEqual(t, st.ConcealedFrames, uint64(lost/2), "concealed frames")
			assert.Positive(t, st.LatePackets, "the stalled burst came too late to play")
			if tt.id == codec.Opus {
				assert.Positive(t, st.FECFrames, "frames recovered from Opus FEC")
			}

			// The delay from the sender's source to the receiver's Sink stays bounded: after the
			// stalls the buffer shrinks back instead of carrying the delay to the end of the call.
			// (The bound is loose: the machine may be busy; the figures are in the log.)
			slices.Sort(delays)
			require.NotEmpty(t, delays)
			assert.Positive(t, delays[0], "no frame heard before it was made")
			late := delays[len(delays)*95/100]
			t.Logf("source to sink delay: median %v, p95 %v, max %v; jitter buffer %v",
				delays[len(delays)/2], late, delays[len(delays)-1], st.JitterDelay)
			assert.Less(t, delays[len(delays)/2], 400*time.Millisecond)
			assert.LessOrEqual(t, st.JitterDelay, 300*time.Millisecond)
			assert.Equal(t, uint64(1), st.Streams)
		})
	}
}
