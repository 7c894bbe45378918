package jitter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/audio/dsp"
)

// A tone sent through a codec, a lossy reordering network and the playout comes out as one
// continuous stream of full frames at the tone's frequency, with losses concealed rather than
// dropped to silence.
func TestPlayoutThroughCodecs(t *testing.T) {
	tests := []struct {
		name string
		id   codec.ID
		fec  bool
	}{
		{"PCMU", codec.PCMU, false},
		{"PCMA", codec.PCMA, false},
		{"Opus with FEC", codec.Opus, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !codec.Available(tt.id) {
				t.Skip("this build has no Opus")
			}
			enc, err := codec.New(tt.id, codec.Options{FEC: tt.fec, ExpectedLossPercent: 10})
			require.NoError(t, err)
			defer enc.Close()
			dec, err := codec.New(tt.id, codec.Options{})
			require.NoError(t, err)
			defer dec.Close()
			rate := enc.SampleRate()
			n := tt.id.FrameSamples(codec.FrameDuration)
			tone := dsp.NewTone(800, rate, 0.3)
			start := time.Unix(1_700_000_000, 0)
			buf := New(Options{ClockRate: tt.id.ClockRate()})

			// Send 3 s; every 10th packet lost, every 7th delayed by one frame (reordered).
			type pending struct {
				at time.Time
				p  Packet
			}
			var queue []pending
			pcm := make([]int16, n)
			for i := range 150 {
				tone.Fill(pcm)
				pkt := make([]byte, 1500)
				m, err := enc.Encode(pcm, pkt)
				require.NoError(t, err)
				if i%10 == 5 {
					continue
				}
				at := start.Add(time.Duration(i) * frame)
				if i%7 == 3 {
					at = at.Add(frame + frame/2)
				}
				queue = append(queue, pending{at, Packet{Seq: uint16(i), Timestamp: uint32(i * n), Payload: pkt[:m]}})
			}
			now := start
			p := NewPlayout(buf, dec, func() time.Time { return now })
			var out []int16
			frameOut := make([]int16, n)
			for k := range 170 {
				now = start.Add(time.Duration(k) * frame)
				for j := range queue {
					if !queue[j].at.After(now) && queue[j].p.Payload != nil {
						pk := queue[j].p
						pk.Arrival = queue[j].at
						buf.Push(pk)
						queue[j].p.Payload = nil
					}
				}
				for i := range frameOut {
					frameOut[i] = 12345 // must be overwritten
				}
				p.NextFrame(frameOut)
				assert.NotContains(t, frameOut, int16(12345), "frame %d fully written", k)
				out = append(out, frameOut...)
			}
			st := p.Stats()
			t.Logf("playout %+v, buffer %+v", st, buf.Stats())
			assert.GreaterOrEqual(t, st.Concealed, 14, "the 15 lost packets are concealed")
			assert.Positive(t, st.Decoded)
			// The steady part is the tone at its level, even with a packet in ten missing.
			steady := out[rate/2 : rate*5/2]
			assert.InDelta(t, 800, dsp.DominantFrequency(steady, rate), 5)
			assert.InDelta(t, -13.5, dsp.Measure(steady).RMSDBFS, 2.5)
			if tt.fec {
				assert.Positive(t, st.FECRecovered)
			}
		})
	}
}

func TestPlayoutSilenceBeforeStart(t *testing.T) {
	dec := codec.NewPCMU()
	p := NewPlayout(New(Options{}), dec, nil)
	pcm := []int16{1, 2, 3}
	p.NextFrame(pcm)
	assert.Equal(t, []int16{0, 0, 0}, pcm)
	assert.Equal(t, 1, p.Stats().Silent)
}
