package codec

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio/dsp"
)

func TestParseAndString(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    ID
		wantErr error
		rate    int
	}{
		{"PCMU", "PCMU", PCMU, nil, 8000},
		{"pcma lower case", "pcma", PCMA, nil, 8000},
		{"Opus mixed case", "OPUS", Opus, nil, 48000},
		{"unknown", "G729", Unknown, ErrUnknownCodec, 0},
		{"empty", "", Unknown, ErrUnknownCodec, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.rate, got.ClockRate())
			if tt.wantErr == nil {
				assert.True(t, errors.Is(err, nil))
				assert.Equal(t, tt.want, mustParse(t, got.String()))
			} else {
				assert.Equal(t, "unknown", got.String())
			}
		})
	}
	assert.Equal(t, 160, PCMU.FrameSamples(FrameDuration))
	assert.Equal(t, 960, Opus.FrameSamples(FrameDuration))
	_, err := New(Unknown, Options{})
	assert.ErrorIs(t, err, ErrUnknownCodec)
}

func mustParse(t *testing.T, s string) ID {
	id, err := Parse(s)
	require.NoError(t, err)
	return id
}

// Known code points from the G.711 tables: silence, the extremes and a few mid values.
func TestG711KnownValues(t *testing.T) {
	tests := []struct {
		name    string
		encode  func(int16) byte
		decode  func(byte) int16
		in      int16
		code    byte
		decoded int16
	}{
		{"μ-law zero", EncodeULaw, DecodeULaw, 0, 0xff, 0},
		{"μ-law -1", EncodeULaw, DecodeULaw, -1, 0x7f, 0},
		{"μ-law max", EncodeULaw, DecodeULaw, 32767, 0x80, 32124},
		{"μ-law min", EncodeULaw, DecodeULaw, -32768, 0x00, -32124},
		{"μ-law 1000", EncodeULaw, DecodeULaw, 1000, 0xce, 988},
		{"A-law zero", EncodeALaw, DecodeALaw, 0, 0xd5, 8},
		{"A-law -1", EncodeALaw, DecodeALaw, -1, 0x55, -8},
		{"A-law max", EncodeALaw, DecodeALaw, 32767, 0xaa, 32256},
		{"A-law min", EncodeALaw, DecodeALaw, -32768, 0x2a, -32256},
		{"A-law 1000", EncodeALaw, DecodeALaw, 1000, 0xfa, 1008},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.code, tt.encode(tt.in), "code %#02x", tt.encode(tt.in))
			assert.Equal(t, tt.decoded, tt.decode(tt.code))
		})
	}
}

// Every one of the 256 codes decodes to a value that encodes back to the same code (μ-law has two
// zeros, +0 and -0, which both come back as +0).
func TestG711CodesAreStable(t *testing.T) {
	for _, c := range []struct {
		name   string
		encode func(int16) byte
		decode func(byte) int16
	}{{"μ-law", EncodeULaw, DecodeULaw}, {"A-law", EncodeALaw, DecodeALaw}} {
		t.Run(c.name, func(t *testing.T) {
			for b := range 256 {
				got := c.encode(c.decode(byte(b)))
				if c.name == "μ-law" && b == 0x7f {
					assert.Equal(t, byte(0xff), got)
					continue
				}
				assert.Equal(t, byte(b), got, "code %#02x", b)
			}
		})
	}
}

// G.711 is logarithmic: the error of every 16-bit input is bounded by about 1/32 of its magnitude
// (half a quantisation step), plus a small constant near zero.
func TestG711ErrorBoundEveryValue(t *testing.T) {
	tests := []struct {
		name  string
		enc   func(int16) byte
		dec   func(byte) int16
		bound func(x int) int
	}{
		{"μ-law", EncodeULaw, DecodeULaw, func(x int) int { return (x+132)/32 + 1 }},
		{"A-law", EncodeALaw, DecodeALaw, func(x int) int { return x/32 + 16 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			worst := 0
			for x := -32768; x <= 32767; x++ {
				got := int(tt.dec(tt.enc(int16(x))))
				err := abs(got - x)
				if err > tt.bound(abs(x)) {
					t.Fatalf("%d decodes to %d: error %d above the bound %d", x, got, err, tt.bound(abs(x)))
				}
				if (got < 0) != (x < 0) && got != 0 && abs(x) > 16 {
					t.Fatalf("%d changed sign: %d", x, got)
				}
				worst = max(worst, err)
			}
			t.Logf("worst absolute error %d", worst)
		})
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sine(hz float64, rate int, amp float64, n int) []int16 {
	out := make([]int16, n)
	dsp.NewTone(hz, rate, amp).Fill(out)
	return out
}

// snrDB compares got with want delayed by delay samples over the given range of want.
func snrDB(want, got []int16, delay, from, to int) float64 {
	var sig, noise float64
	for i := from; i < to; i++ {
		w := float64(want[i])
		e := float64(got[i+delay]) - w
		sig += w * w
		noise += e * e
	}
	if noise == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(sig/noise)
}

// roundTrip pushes pcm through c in 20 ms frames and returns the decoded stream and the bytes sent.
func roundTrip(t testing.TB, c Codec, pcm []int16) ([]int16, int) {
	frame := c.ID().FrameSamples(FrameDuration)
	payload := make([]byte, 1500)
	out := make([]int16, 0, len(pcm))
	buf := make([]int16, frame)
	sent := 0
	for i := 0; i+frame <= len(pcm); i += frame {
		n, err := c.Encode(pcm[i:i+frame], payload)
		require.NoError(t, err)
		sent += n
		m, err := c.Decode(payload[:n], buf)
		require.NoError(t, err)
		require.Equal(t, frame, m)
		out = append(out, buf[:m]...)
	}
	return out, sent
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		id       ID
		hz, amp  float64
		minSNR   float64 // dB, after aligning for the codec's delay
		maxLevel float64 // dB of RMS difference allowed
		maxBytes int     // per second
	}{
		{"PCMU 1020 Hz -6 dBFS", PCMU, 1020, 0.5, 35, 0.1, 8000},
		{"PCMU 300 Hz -26 dBFS", PCMU, 300, 0.05, 33, 0.1, 8000},
		{"PCMA 1020 Hz -6 dBFS", PCMA, 1020, 0.5, 35, 0.1, 8000},
		{"PCMA 3.4 kHz -20 dBFS", PCMA, 3400, 0.1, 33, 0.1, 8000},
		{"Opus 1 kHz -10 dBFS", Opus, 1000, 0.3, 15, 1, 32000/8 + 400},
		{"Opus 440 Hz -20 dBFS", Opus, 440, 0.1, 15, 1, 32000/8 + 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !Available(tt.id) {
				t.Skip("this build has no Opus")
			}
			c, err := New(tt.id, Options{})
			require.NoError(t, err)
			defer c.Close()
			rate := c.SampleRate()
			in := sine(tt.hz, rate, tt.amp, rate) // one second
			out, sent := roundTrip(t, c, in)
			require.Len(t, out, len(in))
			assert.LessOrEqual(t, sent, tt.maxBytes)

			// Find the codec's delay (0 for G.711, a few ms for Opus) by best SNR.
			from, to := rate/5, rate*4/5
			best, bestDelay := math.Inf(-1), 0
			for d := 0; d < rate/100; d++ {
				if s := snrDB(in, out, d, from, to); s > best {
					best, bestDelay = s, d
				}
			}
			t.Logf("SNR %.1f dB at a delay of %d samples", best, bestDelay)
			assert.GreaterOrEqual(t, best, tt.minSNR)
			steady := out[from:to]
			assert.InDelta(t, tt.hz, dsp.DominantFrequency(steady, rate), 3)
			assert.InDelta(t, dsp.Measure(in[from:to]).RMSDBFS, dsp.Measure(steady).RMSDBFS, tt.maxLevel)
		})
	}
}

func TestG711Errors(t *testing.T) {
	c := NewPCMU()
	_, err := c.Encode(make([]int16, 160), make([]byte, 159))
	assert.ErrorIs(t, err, ErrBufferTooSmall)
	_, err = c.Decode(make([]byte, 160), make([]int16, 80))
	assert.ErrorIs(t, err, ErrBufferTooSmall)
	n, err := c.Decode(nil, nil)
	assert.NoError(t, err)
	assert.Zero(t, n)
	assert.NoError(t, c.Close())
}

func TestOpusErrors(t *testing.T) {
	if !Available(Opus) {
		_, err := New(Opus, Options{})
		require.ErrorIs(t, err, ErrOpusUnavailable)
		return
	}
	c, err := New(Opus, Options{FEC: true, ExpectedLossPercent: 10, Bitrate: 24000, Complexity: -1})
	require.NoError(t, err)
	pkt := make([]byte, 1500)
	pcm := make([]int16, 960)

	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"frame of 15 ms", func() error { _, err := c.Encode(make([]int16, 720), pkt); return err }, ErrFrameSize},
		{"empty frame", func() error { _, err := c.Encode(nil, pkt); return err }, ErrFrameSize},
		{"no room for the packet", func() error { _, err := c.Encode(pcm, nil); return err }, ErrBufferTooSmall},
		{"empty packet", func() error { _, err := c.Decode(nil, pcm); return err }, ErrCorrupt},
		{"garbage packet", func() error { _, err := c.Decode([]byte{0xff, 0xff, 0xff}, pcm); return err }, ErrCorrupt},
		{"decode into a buffer too small", func() error {
			n, err := c.Encode(pcm, pkt)
			require.NoError(t, err)
			_, err = c.Decode(pkt[:n], make([]int16, 100))
			return err
		}, ErrBufferTooSmall},
		{"concealment of an odd size", func() error { _, err := c.(Concealer).Conceal(make([]int16, 100)); return err }, ErrFrameSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.run(), tt.want)
		})
	}

	t.Run("concealment and FEC give a whole frame", func(t *testing.T) {
		n, err := c.(Concealer).Conceal(pcm)
		require.NoError(t, err)
		assert.Equal(t, 960, n)
		m, err := c.Encode(sine(1000, 48000, 0.3, 960), pkt)
		require.NoError(t, err)
		n, err = c.(FECDecoder).DecodeFEC(pkt[:m], pcm)
		require.NoError(t, err)
		assert.Equal(t, 960, n)
	})
	t.Run("the expected loss follows the far end", func(t *testing.T) {
		lt, ok := c.(LossTuner)
		require.True(t, ok, "Opus takes an expected loss")
		for _, pct := range []int{0, 5, 100, 250, -1} {
			require.NoError(t, lt.SetExpectedLoss(pct), "%d %%: clamped to 0..100", pct)
			_, err := c.Encode(pcm, pkt)
			require.NoError(t, err)
		}
		_, g711 := Codec(NewPCMU()).(LossTuner)
		assert.False(t, g711, "G.711 has no FEC to tune")
	})
	t.Run("closed", func(t *testing.T) {
		require.NoError(t, c.Close())
		assert.ErrorIs(t, c.(LossTuner).SetExpectedLoss(5), ErrClosed)
		require.NoError(t, c.Close(), "twice is harmless")
		_, err := c.Encode(pcm, pkt)
		assert.ErrorIs(t, err, ErrClosed)
		_, err = c.Decode([]byte{1, 2, 3}, pcm)
		assert.ErrorIs(t, err, ErrClosed)
	})
}

// Opus's own concealment keeps a tone going through a lost packet instead of dropping to silence.
func TestOpusConcealmentContinuesTone(t *testing.T) {
	if !Available(Opus) {
		t.Skip("this build has no Opus")
	}
	c, err := New(Opus, Options{})
	require.NoError(t, err)
	defer c.Close()
	in := sine(500, 48000, 0.3, 48000/2)
	pkt := make([]byte, 1500)
	pcm := make([]int16, 960)
	for i := 0; i+960 <= len(in); i += 960 {
		n, err := c.Encode(in[i:i+960], pkt)
		require.NoError(t, err)
		_, err = c.Decode(pkt[:n], pcm)
		require.NoError(t, err)
	}
	_, err = c.(Concealer).Conceal(pcm)
	require.NoError(t, err)
	assert.Greater(t, dsp.Measure(pcm).RMSDBFS, -30.0, "the concealed frame still carries the tone")
	assert.InDelta(t, 500, dsp.DominantFrequency(pcm, 48000), 60)
}

func FuzzOpusDecode(f *testing.F) {
	if !Available(Opus) {
		f.Skip("this build has no Opus")
	}
	c, err := New(Opus, Options{})
	require.NoError(f, err)
	defer c.Close()
	pkt := make([]byte, 1500)
	n, err := c.Encode(sine(800, 48000, 0.3, 960), pkt)
	require.NoError(f, err)
	f.Add(pkt[:n])
	f.Add([]byte{0xf8, 0xff, 0xfe})
	f.Add([]byte{0})
	pcm := make([]int16, 5760)
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := c.Decode(data, pcm)
		if err == nil {
			assert.LessOrEqual(t, n, 5760)
		}
	})
}

// speech-like test signal: a few harmonics of a wandering pitch plus noise, at about -18 dBFS.
func speechLike(rate, n int) []int16 {
	out := make([]int16, n)
	rng := rand.New(rand.NewPCG(1, 2))
	phase := 0.0
	for i := range out {
		pitch := 140 + 40*math.Sin(2*math.Pi*float64(i)/float64(rate)*1.3)
		phase += 2 * math.Pi * pitch / float64(rate)
		v := 0.0
		for h := 1; h <= 8; h++ {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		v = v*2500 + rng.NormFloat64()*300
		out[i] = int16(v)
	}
	return out
}

// BenchmarkCodecSecond measures the CPU to encode and decode one second of speech-like audio in
// 20 ms frames: ns/op is CPU nanoseconds per second of call audio, per direction pair.
func BenchmarkCodecSecond(b *testing.B) {
	for _, id := range []ID{PCMU, PCMA, Opus} {
		b.Run(id.String(), func(b *testing.B) {
			if !Available(id) {
				b.Skip("this build has no Opus")
			}
			c, err := New(id, Options{})
			require.NoError(b, err)
			defer c.Close()
			rate := c.SampleRate()
			in := speechLike(rate, rate)
			frame := id.FrameSamples(FrameDuration)
			pkt := make([]byte, 1500)
			pcm := make([]int16, frame)
			bytes := 0
			for b.Loop() {
				bytes = 0
				for i := 0; i+frame <= len(in); i += frame {
					n, err := c.Encode(in[i:i+frame], pkt)
					if err != nil {
						b.Fatal(err)
					}
					bytes += n
					if _, err := c.Decode(pkt[:n], pcm); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "cpu-ms/audio-s")
			b.ReportMetric(float64(bytes*8)/1000, "kbit/s")
		})
	}
}
