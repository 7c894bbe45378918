package quality

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// call makes counters second by second: each step adds one second of traffic.
type call struct {
	c Counters
	m *Monitor
}

type step struct {
	received, lost     int64
	decoded, concealed uint64
	fec                uint64
	jitterMs           float64
	bufferMs           float64
	report             *Counters // RemoteLossPct, RemoteJitterMs, RTTMs, RTTKnown of a far-end report
	sent, silent       uint64
}

func newCall() *call {
	return &call{m: NewMonitor(), c: Counters{At: time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC), Codec: "opus"}}
}

func (k *call) add(s step) Second {
	k.c.At = k.c.At.Add(time.Second)
	k.c.PacketsReceived += s.received
	k.c.PacketsLost += s.lost
	k.c.DecodedFrames += s.decoded
	k.c.ConcealedFrames += s.concealed
	k.c.FECFrames += s.fec
	k.c.JitterMs, k.c.JitterBufferMs = s.jitterMs, s.bufferMs
	k.c.SentFrames += s.sent
	k.c.SilentFrames += s.silent
	if r := s.report; r != nil {
		k.c.Reports++
		k.c.RemoteLossPct, k.c.RemoteJitterMs, k.c.RTTMs, k.c.RTTKnown = r.RemoteLossPct, r.RemoteJitterMs, r.RTTMs, r.RTTKnown
	}
	return k.m.Add(k.c)
}

// clean is one second of a clean 20 ms call both ways: 50 packets, 50 frames, a small jitter.
var clean = step{received: 50, decoded: 50, jitterMs: 2, bufferMs: 40, sent: 50,
	report: &Counters{RemoteJitterMs: 2, RTTMs: 20, RTTKnown: true}}

func with(s step, f func(*step)) step { f(&s); return s }

func TestRateOneSecond(t *testing.T) {
	tests := []struct {
		name  string
		step  step
		check func(t *testing.T, s Second)
	}{
		{"clean", clean, func(t *testing.T, s Second) {
			assert.True(t, s.Receiving)
			assert.Zero(t, s.LossPct)
			assert.InDelta(t, 4.37, s.MOS, 0.05)
		}},
		{"5 % lost, concealed", with(clean, func(s *step) { s.received, s.lost, s.decoded, s.concealed = 95, 5, 95, 5 }), func(t *testing.T, s Second) {
			assert.InDelta(t, 5, s.LossPct, 0.01)
			assert.InDelta(t, 5, s.ConcealedPct, 0.01)
			assert.InDelta(t, 3.9, s.MOS, 0.1)
		}},
		{"5 % lost, all rebuilt from FEC: what the agent hears is clean", with(clean, func(s *step) { s.received, s.lost, s.decoded, s.concealed, s.fec = 95, 5, 95, 5, 5 }), func(t *testing.T, s Second) {
			assert.InDelta(t, 5, s.LossPct, 0.01)
			assert.InDelta(t, 4.37, s.MOS, 0.05)
		}},
		{"20 % lost, concealed", with(clean, func(s *step) { s.received, s.lost, s.decoded, s.concealed = 80, 20, 80, 20 }), func(t *testing.T, s Second) {
			assert.InDelta(t, 20, s.LossPct, 0.01)
			assert.Less(t, s.MOS, 2.8)
		}},
		{"the far end reports loss of our audio: the worse direction rates the call", with(clean, func(s *step) {
			s.report = &Counters{RemoteLossPct: 20, RemoteJitterMs: 5, RTTMs: 20, RTTKnown: true}
		}), func(t *testing.T, s Second) {
			assert.True(t, s.Reported)
			assert.Zero(t, s.LossPct)
			assert.Less(t, s.MOS, 2.8)
		}},
		{"nothing received and no report: not rated", step{}, func(t *testing.T, s Second) {
			assert.False(t, s.Receiving)
			assert.False(t, s.Rated())
		}},
		{"a silent microphone", with(clean, func(s *step) { s.silent = 50 }), func(t *testing.T, s Second) {
			assert.True(t, s.MicSilent)
		}},
		{"a microphone silent part of the second", with(clean, func(s *step) { s.silent = 49 }), func(t *testing.T, s Second) {
			assert.False(t, s.MicSilent)
		}},
		{"muted: nothing sent is not a silent microphone", with(clean, func(s *step) { s.sent = 0 }), func(t *testing.T, s Second) {
			assert.False(t, s.MicSilent)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newCall()
			tt.check(t, k.add(tt.step))
		})
	}
}

func TestWarnings(t *testing.T) {
	lossy := with(clean, func(s *step) { s.received, s.lost, s.decoded, s.concealed = 97, 3, 97, 3 })
	jittery := with(clean, func(s *step) { s.jitterMs = 45 })
	farJitter := with(clean, func(s *step) { s.report = &Counters{RemoteJitterMs: 40, RTTMs: 20, RTTKnown: true} })
	slow := with(clean, func(s *step) { s.report = &Counters{RTTMs: 600, RTTKnown: true} })
	bad := with(clean, func(s *step) { s.received, s.lost, s.decoded, s.concealed = 75, 25, 75, 25 })
	silent := with(clean, func(s *step) { s.silent = 50 })
	tests := []struct {
		name  string
		steps []step
		want  []Warning
	}{
		{"a clean call", []step{clean, clean, clean, clean, clean}, nil},
		{"loss in 2 of the last 5 seconds is not enough", []step{clean, lossy, clean, lossy, clean}, nil},
		{"loss in 3 of the last 5 seconds", []step{lossy, clean, lossy, clean, lossy}, []Warning{WarningHighLoss}},
		{"loss that stopped 3 seconds ago is over", []step{lossy, lossy, lossy, clean, clean, clean}, nil},
		{"jitter here", []step{jittery, jittery, jittery}, []Warning{WarningHighJitter}},
		{"jitter at the far end", []step{farJitter, farJitter, farJitter}, []Warning{WarningHighJitter}},
		// 300 ms each way is also a MOS below 3.5 in the E-model.
		{"a long round trip", []step{slow, slow, slow}, []Warning{WarningLowMOS, WarningHighRTT}},
		{"heavy loss: low MOS too", []step{bad, bad, bad}, []Warning{WarningLowMOS, WarningHighLoss}},
		{"4 seconds of a silent microphone are not yet enough", []step{silent, silent, silent, silent}, nil},
		{"5 seconds of a silent microphone", []step{silent, silent, silent, silent, silent}, []Warning{WarningSilentMic}},
		{"a word resets the silent microphone", []step{silent, silent, silent, silent, clean, silent}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newCall()
			for _, s := range tt.steps {
				k.add(s)
			}
			assert.Equal(t, tt.want, k.m.Report().Warnings)
		})
	}
}

func TestSummaryKeepsEveryWarningRaised(t *testing.T) {
	k := newCall()
	lossy := with(clean, func(s *step) { s.received, s.lost, s.decoded, s.concealed = 90, 10, 90, 10 })
	for _, s := range []step{clean, lossy, lossy, lossy, clean, clean, clean, clean, clean, clean} {
		k.add(s)
	}
	r := k.m.Report()
	assert.Empty(t, r.Warnings, "the loss is over")
	assert.Equal(t, LevelGood, r.Level)
	s := r.Summary
	assert.Equal(t, []Warning{WarningLowMOS, WarningHighLoss}, s.Warnings, "but the call had it")
	assert.Equal(t, 10, s.Seconds)
	assert.InDelta(t, 100*30.0/650, s.LossPct, 0.01, "30 lost of 650")
	assert.InDelta(t, 100*30.0/650, s.ConcealedPct, 0.01)
	assert.InDelta(t, 20, s.RTTMs, 0.01)
	assert.Less(t, s.MOSMin, s.MOS)

	b, err := json.Marshal(s)
	require.NoError(t, err)
	var back Summary
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, s, back, "the summary survives the history file")
	assert.Contains(t, string(b), `"warnings":["low_mos","high_loss"]`)
}

func TestLevel(t *testing.T) {
	tests := []struct {
		mos  float64
		want Level
	}{{0, LevelUnknown}, {4.4, LevelGood}, {4, LevelGood}, {3.7, LevelFair}, {3.5, LevelFair}, {3.4, LevelPoor}, {1, LevelPoor}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, LevelOf(tt.mos), "MOS %v", tt.mos)
	}
}

func TestWarningTexts(t *testing.T) {
	for _, w := range Warnings {
		assert.NotEmpty(t, w.Text(), w)
	}
	assert.Empty(t, Warning("from_a_later_version").Text())
}
