package jitter

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const frame = 20 * time.Millisecond

// network describes a synthetic stream of 20 ms packets at 8 kHz.
type network struct {
	packets   int
	firstSeq  uint16
	firstTS   uint32
	delay     time.Duration // fixed one-way delay
	jitter    time.Duration // extra delay, uniform in [0, jitter): reorders packets when > 20 ms
	loss      float64       // probability a packet never arrives
	duplicate float64       // probability a packet arrives twice
	drift     float64       // the sender's clock runs this much fast (+) or slow (-)
	spike     int           // if > 0, this packet comes 15 ms late (a moment of scheduling delay)
	seed      uint64
}

type arrival struct {
	at time.Time
	p  Packet
}

// run plays the network into a Buffer, popping once per 20 ms of the receiver's clock, and returns
// every frame popped.
func (n network) run(b *Buffer) []Frame {
	rng := rand.New(rand.NewPCG(n.seed, 7))
	start := time.Unix(1_700_000_000, 0)
	var arrivals []arrival
	for i := range n.packets {
		sent := start.Add(time.Duration(float64(i) * float64(frame) / (1 + n.drift)))
		p := Packet{Seq: n.firstSeq + uint16(i), Timestamp: n.firstTS + uint32(i*160), Payload: []byte{byte(i), byte(i >> 8)}}
		if rng.Float64() < n.loss {
			continue
		}
		copies := 1
		if rng.Float64() < n.duplicate {
			copies = 2
		}
		for range copies {
			at := sent.Add(n.delay)
			if n.jitter > 0 {
				at = at.Add(time.Duration(rng.Int64N(int64(n.jitter))))
			}
			if n.spike > 0 && i == n.spike {
				at = at.Add(15 * time.Millisecond)
			}
			arrivals = append(arrivals, arrival{at: at, p: p})
		}
	}
	sort.SliceStable(arrivals, func(i, j int) bool { return arrivals[i].at.Before(arrivals[j].at) })
	end := arrivals[len(arrivals)-1].at.Add(n.delay + n.jitter + 600*time.Millisecond)
	var frames []Frame
	next := 0
	for now := start; now.Before(end); now = now.Add(frame) {
		for next < len(arrivals) && !arrivals[next].at.After(now) {
			a := arrivals[next].p
			a.Arrival = arrivals[next].at
			b.Push(a)
			next++
		}
		frames = append(frames, b.Pop(now))
	}
	return frames
}

// checkContinuous asserts what every scenario must keep: one frame per tick; once playing, no
// gap of silence until the stream ends; packets played in order, each at most once.
func checkContinuous(t *testing.T, frames []Frame) (played []int) {
	t.Helper()
	firstPlay, lastPlay := -1, -1
	for i, f := range frames {
		require.NotEqual(t, StatusUnknown, f.Status, "frame %d", i)
		if f.Status == StatusOK {
			if firstPlay < 0 {
				firstPlay = i
			}
			lastPlay = i
			idx := int(f.Packet.Payload[0]) | int(f.Packet.Payload[1])<<8
			played = append(played, idx)
		}
	}
	require.GreaterOrEqual(t, firstPlay, 0, "something was played")
	for i := firstPlay; i <= lastPlay; i++ {
		assert.NotEqual(t, StatusBuffering, frames[i].Status, "playout stalled at frame %d", i)
	}
	assert.True(t, slices.IsSorted(played), "played in order")
	assert.Len(t, slices.Compact(slices.Clone(played)), len(played), "nothing played twice")
	return played
}

func TestBufferScenarios(t *testing.T) {
	tests := []struct {
		name       string
		net        network
		minPlayed  float64       // fraction of sent packets played
		maxMeanDly time.Duration // mean time a played packet waited, at most
	}{
		{"clean", network{packets: 1000, delay: 30 * time.Millisecond}, 1.0, 30 * time.Millisecond},
		{"sequence wraps", network{packets: 500, firstSeq: 65300, firstTS: 4294960000}, 1.0, 30 * time.Millisecond},
		{"jitter 60 ms reorders", network{packets: 2000, jitter: 60 * time.Millisecond, seed: 1}, 0.97, 120 * time.Millisecond},
		{"duplicates", network{packets: 1000, jitter: 10 * time.Millisecond, duplicate: 0.2, seed: 2}, 0.99, 60 * time.Millisecond},
		{"5% loss", network{packets: 2000, jitter: 20 * time.Millisecond, loss: 0.05, seed: 3}, 0.93, 80 * time.Millisecond},
		{"20% loss", network{packets: 2000, jitter: 20 * time.Millisecond, loss: 0.2, seed: 4}, 0.77, 100 * time.Millisecond},
		{"sender 1% fast", network{packets: 3000, jitter: 10 * time.Millisecond, drift: 0.01, seed: 5}, 0.97, 120 * time.Millisecond},
		{"sender 8% fast: a starved speaker", network{packets: 3000, jitter: 10 * time.Millisecond, drift: 0.08, seed: 10}, 0.90, 120 * time.Millisecond},
		{"sender 1% slow", network{packets: 3000, jitter: 10 * time.Millisecond, drift: -0.01, seed: 6}, 0.99, 60 * time.Millisecond},
		{"everything at once", network{packets: 3000, jitter: 50 * time.Millisecond, loss: 0.05, duplicate: 0.05, drift: 0.005, seed: 8}, 0.90, 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(Options{})
			frames := tt.net.run(b)
			played := checkContinuous(t, frames)
			s := b.Stats()
			assert.GreaterOrEqual(t, float64(len(played)), tt.minPlayed*float64(tt.net.packets),
				"played %d of %d (stats %+v)", len(played), tt.net.packets, s)
			var total time.Duration
			for _, f := range frames {
				total += f.Delay
			}
			mean := total / time.Duration(len(played))
			assert.LessOrEqual(t, mean, tt.maxMeanDly, "mean buffer delay")
			// It waits about its target plus the wait for the next tick; growth after an underrun is
			// undone within half a second.
			assert.LessOrEqual(t, mean, s.TargetDelay+2*frame+10*time.Millisecond, "mean buffer delay against the target")
			assert.LessOrEqual(t, s.TargetDelay, 500*time.Millisecond)
			if tt.net.duplicate > 0 {
				assert.Positive(t, s.Duplicates)
			}
			if tt.net.drift > 0 {
				assert.Positive(t, s.Skipped, "a fast sender is absorbed by skipping")
			}
			t.Logf("played %d/%d, mean delay %v, stats %+v", len(played), tt.net.packets, mean, s)
		})
	}
}

// TestBufferTakesBackASpike: on a clean stream one packet comes late once; the underrun adds a
// frame of delay, and once that packet's transit has left the window the frame is taken back, so
// the stream plays one frame behind its arrival again rather than two for the rest of the call.
func TestBufferTakesBackASpike(t *testing.T) {
	tests := []struct {
		name  string
		spike int
	}{
		{"no spike", 0},
		{"one packet 15 ms late", 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(Options{})
			frames := network{packets: 1000, delay: 10 * time.Millisecond, jitter: 2 * time.Millisecond, spike: tt.spike, seed: 11}.run(b)
			played := checkContinuous(t, frames)
			assert.GreaterOrEqual(t, len(played), 995)
			// The last 400 frames, well after the spike's transit left the window.
			var waits []time.Duration
			for _, f := range frames {
				if f.Status == StatusOK {
					waits = append(waits, f.Delay)
				}
			}
			tail := waits[len(waits)-400:]
			for i, w := range tail {
				require.Less(t, w, frame, "frame %d of the tail waited %v", i, w)
			}
			if tt.spike > 0 {
				assert.Positive(t, b.Stats().Skipped, "the frame the underrun added was taken back")
			}
		})
	}
}

func TestBufferAdaptsToJitter(t *testing.T) {
	calm := New(Options{})
	network{packets: 500, jitter: 2 * time.Millisecond}.run(calm)
	rough := New(Options{})
	network{packets: 500, jitter: 120 * time.Millisecond, seed: 9}.run(rough)
	assert.Less(t, calm.Stats().TargetDelay, rough.Stats().TargetDelay)
	assert.GreaterOrEqual(t, rough.Stats().TargetDelay, 120*time.Millisecond)
}

func TestBufferLateAndGap(t *testing.T) {
	now := time.Unix(1000, 0)
	b := New(Options{})
	push := func(seq uint16, at time.Duration) {
		b.Push(Packet{Seq: seq, Timestamp: uint32(seq) * 160, Payload: []byte{byte(seq)}, Arrival: now.Add(at)})
	}
	assert.Equal(t, StatusBuffering, b.Pop(now).Status, "nothing yet")
	push(1, 0)
	f := b.Pop(now)
	require.Equal(t, StatusOK, f.Status)
	assert.Equal(t, uint16(1), f.Packet.Seq)
	push(3, 40*time.Millisecond)
	f = b.Pop(now.Add(40 * time.Millisecond))
	assert.Equal(t, StatusLost, f.Status, "2 is missing while 3 is here")
	require.NotNil(t, f.Next)
	assert.Equal(t, uint16(3), f.Next.Seq, "the next packet is offered for FEC")
	push(2, 45*time.Millisecond)
	assert.Equal(t, 1, b.Stats().Late, "2 came after its turn: %+v", b.Stats())
	assert.Equal(t, StatusOK, b.Pop(now.Add(60*time.Millisecond)).Status)
	// The far end stops: concealment for a while, then silence.
	var statuses []Status
	for i := range 15 {
		statuses = append(statuses, b.Pop(now.Add(time.Duration(80+20*i)*time.Millisecond)).Status)
	}
	assert.Equal(t, StatusLost, statuses[0])
	assert.Equal(t, StatusBuffering, statuses[14])
	// A new stream with a far-away sequence number starts cleanly.
	push(40000, 500*time.Millisecond)
	assert.Equal(t, StatusOK, b.Pop(now.Add(500*time.Millisecond)).Status)
	assert.Equal(t, "lost", StatusLost.String())
	assert.Equal(t, "unknown", StatusUnknown.String())
}

// BenchmarkJitterDelay reports the buffer's added delay (mean and 95th percentile time a played
// packet waited) and the share of frames concealed, with 30 ms of jitter and 0, 5 and 20 % loss.
func BenchmarkJitterDelay(b *testing.B) {
	for _, loss := range []float64{0, 0.05, 0.20} {
		b.Run(map[float64]string{0: "loss=0%", 0.05: "loss=5%", 0.20: "loss=20%"}[loss], func(b *testing.B) {
			var delays []time.Duration
			var concealed, frames int
			for i := range b.N {
				buf := New(Options{})
				fs := network{packets: 3000, jitter: 30 * time.Millisecond, loss: loss, seed: uint64(i)}.run(buf)
				started := false
				for _, f := range fs {
					switch f.Status {
					case StatusOK:
						started = true
						delays = append(delays, f.Delay)
						frames++
					case StatusLost:
						if started {
							concealed++
							frames++
						}
					}
				}
			}
			slices.Sort(delays)
			var sum time.Duration
			for _, d := range delays {
				sum += d
			}
			b.ReportMetric(float64(sum.Milliseconds())/float64(len(delays)), "mean-ms")
			b.ReportMetric(float64(delays[len(delays)*95/100].Milliseconds()), "p95-ms")
			b.ReportMetric(100*float64(concealed)/float64(frames), "concealed-%")
		})
	}
}

// TestBufferConcealsALossOnce feeds known packet sequences into a buffer that plays one frame
// behind the arrivals, the phase its shrinking settles into on a clean line (each packet popped
// 1 ms after it came): then the buffer is empty when a lost packet's turn comes, and the packet
// after it is not there yet. Every missing packet must be concealed once (one 20 ms frame), the
// packets after it played at their own turn, and nothing skipped; a packet reordered within its
// turn is no loss at all.
func TestBufferConcealsALossOnce(t *testing.T) {
	tests := []struct {
		name  string
		lost  []int                 // packets that never come
		delay map[int]time.Duration // packets that come this much after their usual time
		// concealed is how many frames must be concealed, late how many packets come after their turn.
		concealed, late int
	}{
		{name: "clean", concealed: 0},
		{name: "one loss", lost: []int{50}, concealed: 1},
		{name: "5% loss, one packet in twenty", lost: []int{10, 30, 50, 70, 90, 110, 130, 150, 170, 190}, concealed: 10},
		{name: "three in a row", lost: []int{60, 61, 62}, concealed: 3},
		{name: "two losses a frame apart", lost: []int{40, 42}, concealed: 2},
		{name: "late past its turn and after the next", delay: map[int]time.Duration{100: 25 * time.Millisecond}, concealed: 1, late: 1},
		{name: "losses and reordering", lost: []int{20, 95, 140}, delay: map[int]time.Duration{50: 30 * time.Millisecond, 120: 25 * time.Millisecond}, concealed: 5, late: 2},
	}
	const packets = 200
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Unix(1_700_000_000, 0)
			var arrivals []arrival
			for i := range packets {
				if slices.Contains(tt.lost, i) {
					continue
				}
				at := start.Add(time.Duration(i)*frame + 5*time.Millisecond + tt.delay[i])
				arrivals = append(arrivals, arrival{at: at, p: Packet{Seq: uint16(i), Timestamp: uint32(i * 160), Payload: []byte{byte(i), byte(i >> 8)}}})
			}
			sort.SliceStable(arrivals, func(i, j int) bool { return arrivals[i].at.Before(arrivals[j].at) })
			b := New(Options{})
			var frames []Frame
			next := 0
			// Pop 1 ms after each packet's usual arrival, until the last packet has been played.
			for k := 0; k < packets+2; k++ {
				now := start.Add(time.Duration(k)*frame + 6*time.Millisecond)
				for next < len(arrivals) && !arrivals[next].at.After(now) {
					a := arrivals[next].p
					a.Arrival = arrivals[next].at
					b.Push(a)
					next++
				}
				f := b.Pop(now)
				frames = append(frames, f)
				if f.Status == StatusOK && f.Packet.Seq == packets-1 {
					break
				}
			}
			played := checkContinuous(t, frames)
			s := b.Stats()
			assert.Equal(t, tt.concealed, s.Lost, "frames concealed: %+v", s)
			assert.Equal(t, tt.late, s.Late, "packets after their turn")
			assert.Zero(t, s.Skipped, "frames skipped: a loss added no delay to take back")
			assert.Len(t, played, packets-len(tt.lost)-tt.late, "every packet that came in time was played")
			// Each packet plays at its own turn: the one after a loss is not held back a frame.
			for i, f := range frames {
				if f.Status == StatusOK {
					assert.Equal(t, int(f.Packet.Seq), i, "frame %d played packet %d", i, f.Packet.Seq)
				}
			}
		})
	}
}

// BenchmarkPushPop is the buffer's own cost per 20 ms packet of a call: one packet pushed with a
// few milliseconds of jitter, one frame popped, with the delay estimate's window full.
func BenchmarkPushPop(b *testing.B) {
	buf := New(Options{})
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Unix(1000, 0)
	payload := make([]byte, 160)
	var seq uint16
	var ts uint32
	step := func() {
		at := start.Add(time.Duration(seq) * 20 * time.Millisecond)
		buf.Push(Packet{Seq: seq, Timestamp: ts, Payload: payload, Arrival: at.Add(time.Duration(rng.IntN(5)) * time.Millisecond)})
		buf.Pop(at.Add(6 * time.Millisecond))
		seq++
		ts += 160
	}
	for range 2 * transitWindow {
		step()
	}
	for b.Loop() {
		step()
	}
}

// TestNth checks the selection that replaced sorting against sorting itself, on random windows,
// windows with many equal values, and ordered and reversed ones.
func TestNth(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	windows := [][]float64{{0.5}, {2, 1}, {1, 1, 1, 1}}
	for n := 2; n <= 120; n += 7 {
		random, few, up, down := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range n {
			random[i] = rng.NormFloat64()
			few[i] = float64(rng.IntN(3))
			up[i] = float64(i)
			down[i] = float64(n - i)
		}
		windows = append(windows, random, few, up, down)
	}
	for _, w := range windows {
		sorted := slices.Sorted(slices.Values(w))
		for k := range w {
			scratch := slices.Clone(w)
			require.Equal(t, sorted[k], nth(scratch, k), "k=%d of %v", k, w)
			require.ElementsMatch(t, w, scratch, "nth only reorders")
		}
	}
}

// Push keeps its own copy of the payload: a receiver reads every packet into the same memory.
func TestPushCopiesThePayload(t *testing.T) {
	now := time.Unix(1000, 0)
	b := New(Options{})
	mem := []byte{1, 2, 3}
	b.Push(Packet{Seq: 1, Timestamp: 160, Payload: mem, Arrival: now})
	copy(mem, []byte{9, 9, 9})
	f := b.Pop(now)
	require.Equal(t, StatusOK, f.Status)
	assert.Equal(t, []byte{1, 2, 3}, f.Packet.Payload)
}
