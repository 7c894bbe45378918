package callaudio

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/testenv"
)

// The harness of BenchmarkAddedLatency: tone bursts are played into the null sink latIn, whose
// monitor is the microphone of the path under test; the path plays into the null sink latOut; two
// onset probes, recording latIn's and latOut's monitors the same way, time each burst. What the
// probes' own capture adds is the same on both sides and cancels out of the difference.
//
// Chromium lists no monitor as a microphone, so the microphone of both pipelines is latMic, a
// PulseAudio source remapped from latIn's monitor; what the remap adds is paid by both alike.
const (
	latIn, latOut = "pb_lat_in", "pb_lat_out"
	latMic        = "pb_lat_mic"
	probeRate     = 48000
	burstPeriod   = 600 * time.Millisecond // 100 ms of 1 kHz, then silence
	warmBursts    = 4                      // played while the path settles, not measured
)

// onsetProbe records when bursts start on one monitor, recorded by pacat, and when a burst broke
// off for a moment (at least a millisecond of silence inside it, then the tone again): a gap the
// listener hears as a click, such as an underrun of the speaker's buffer.
type onsetProbe struct {
	mu     sync.Mutex
	onsets []time.Time
	gaps   []time.Time
}

func startProbe(b *testing.B, ctx context.Context, source string, wg *sync.WaitGroup) *onsetProbe {
	cmd := exec.CommandContext(ctx, "pacat", "--record", "--device="+source, "--format=s16le",
		"--rate="+strconv.Itoa(probeRate), "--channels=1", "--latency-msec=5", "--raw")
	out, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	p := &onsetProbe{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer cmd.Wait() //nolint:errcheck // ended by ctx
		buf := make([]byte, 4096)
		quiet, need := 0, probeRate/20
		since := -1 // samples since the last onset, -1 before the first
		var odd []byte
		for {
			n, err := out.Read(buf)
			now := time.Now()
			if err != nil {
				return
			}
			data := append(odd, buf[:n]...)
			samples := len(data) / 2
			for i := range samples {
				v := int16(binary.LittleEndian.Uint16(data[2*i:]))
				if v > 3000 || v < -3000 {
					at := now.Add(-time.Duration(samples-1-i) * time.Second / probeRate)
					switch {
					case quiet >= need:
						p.mu.Lock()
						p.onsets = append(p.onsets, at)
						p.mu.Unlock()
						since = 0
					case quiet >= probeRate/1000 && since >= 0 && since < probeRate/10:
						p.mu.Lock()
						p.gaps = append(p.gaps, at)
						p.mu.Unlock()
					}
					quiet = 0
				} else {
					quiet++
				}
				if since >= 0 {
					since++
				}
			}
			odd = append(odd[:0], data[2*samples:]...)
		}
	}()
	return p
}

func (p *onsetProbe) all() (onsets, gaps []time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.onsets...), append([]time.Time(nil), p.gaps...)
}

// latencyResult is one path's measurement.
type latencyResult struct {
	mean, lo, hi time.Duration
	n            int
	gaps         int // breaks inside the measured bursts at the far end's speaker
}

// playBursts plays warmBursts+n bursts into latIn and times them on both monitors. sample, if set,
// runs every 5 ms while the measured bursts play (for the breakdown).
func playBursts(b *testing.B, ctx context.Context, n int, sample func()) latencyResult {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	pin := startProbe(b, ctx, latIn+".monitor", &wg)
	pout := startProbe(b, ctx, latOut+".monitor", &wg)
	total := n + warmBursts
	per := int(int64(probeRate) * int64(burstPeriod) / int64(time.Second))
	pcm := make([]byte, 0, total*per*2)
	for range total {
		for i := range per {
			var v int16
			if i < probeRate/10 {
				v = int16(16000 * math.Sin(2*math.Pi*1000*float64(i)/probeRate))
			}
			pcm = binary.LittleEndian.AppendUint16(pcm, uint16(v))
		}
	}
	time.Sleep(300 * time.Millisecond) // the probes' streams start
	started := time.Now()
	cmd := exec.CommandContext(ctx, "pacat", "--playback", "--device="+latIn, "--format=s16le",
		"--rate="+strconv.Itoa(probeRate), "--channels=1", "--latency-msec=20")
	w, err := cmd.StdinPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	measureFrom := started.Add(time.Duration(warmBursts)*burstPeriod - 100*time.Millisecond)
	stopSampling := make(chan struct{})
	if sample != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stopSampling:
					return
				case t := <-tick.C:
					if t.After(measureFrom) {
						sample()
					}
				}
			}
		}()
	}
	_, err = w.Write(pcm)
	require.NoError(b, err)
	w.Close()
	require.NoError(b, cmd.Wait())
	time.Sleep(time.Second) // the last burst's way through
	close(stopSampling)

	var r latencyResult
	r.lo = time.Hour
	var sum time.Duration
	ins, inGaps := pin.all()
	outs, outGaps := pout.all()
	for _, g := range outGaps {
		if g.After(measureFrom) {
			r.gaps++
		}
	}
	for _, g := range inGaps {
		if g.After(measureFrom) {
			r.gaps-- // already in what was played in: not the path's doing
		}
	}
	for _, t0 := range ins {
		if t0.Before(measureFrom) {
			continue
		}
		for _, t1 := range outs {
			if d := t1.Sub(t0); d > 0 && d < burstPeriod-10*time.Millisecond {
				sum += d
				r.n++
				r.lo, r.hi = min(r.lo, d), max(r.hi, d)
				break
			}
		}
	}
	require.Positive(b, r.n, "no burst came through (in %d, out %d)", len(ins), len(outs))
	r.mean = sum / time.Duration(r.n)
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pulseLatency sums what PulseAudio reports for the streams of one application: for each
// sink-input and source-output, its buffer latency plus its device's latency.
func pulseLatency(b *testing.B, app string) (play, rec time.Duration) {
	for _, kind := range []string{"sink-inputs", "source-outputs"} {
		out, err := exec.Command("pactl", "list", kind).Output()
		require.NoError(b, err)
		for _, block := range strings.Split(string(out), "\n\n") {
			if !strings.Contains(block, `application.name = "`+app+`"`) {
				continue
			}
			var sum time.Duration
			sc := bufio.NewScanner(strings.NewReader(block))
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				for _, key := range []string{"Buffer Latency:", "Sink Latency:", "Source Latency:"} {
					if v, ok := strings.CutPrefix(line, key); ok {
						us, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " usec"))
						sum += time.Duration(us) * time.Microsecond
					}
				}
			}
			if kind == "sink-inputs" {
				play = max(play, sum)
			} else {
				rec = max(rec, sum)
			}
		}
	}
	return play, rec
}

// phonebarPath runs the Phonebar's call audio between latIn's monitor and latOut: the Devices of
// this package, a sending and a receiving rtc.Session over the loopback interface (DTLS-SRTP, as in
// a call), and measures it. The stages are reported as the mean audio queued in each (by Little's
// law, the mean delay each adds). Both sessions send packets of ptime, the frames captured are as
// long.
func phonebarPath(b *testing.B, ctx context.Context, id codec.ID, ptime time.Duration, n int) (latencyResult, map[string]float64) {
	host := audio.New(audio.Options{Backend: audio.BackendPulseAudio})
	defer host.Close()
	dev, err := OpenWith(ctx, host, Options{Capture: audio.DeviceRef{ID: latMic}, Playback: audio.DeviceRef{ID: latOut}, Frame: ptime})
	require.NoError(b, err)
	defer dev.Close()
	send, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{id}, AllowLoopback: true, Source: dev, PacketTime: ptime})
	require.NoError(b, err)
	defer send.Close()
	recv, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{id}, AllowLoopback: true, Sink: dev, PacketTime: ptime})
	require.NoError(b, err)
	defer recv.Close()
	offer, err := send.Offer(ctx)
	require.NoError(b, err)
	answer, err := recv.Answer(ctx, offer)
	require.NoError(b, err)
	require.NoError(b, send.SetAnswer(answer))
	require.Equal(b, ptime, send.PacketTime(), "the packet time negotiated")
	for recv.Stats().DecodedFrames < 25 {
		select {
		case <-ctx.Done():
			b.Fatal("no audio through the call")
		case <-time.After(20 * time.Millisecond):
		}
	}

	var mu sync.Mutex
	var samples int
	var capEng, playEng, capQ, playQ, pulled time.Duration
	var pulsePlay, pulseRec time.Duration
	var once sync.Once
	st0 := recv.Stats()
	res := playBursts(b, ctx, n, func() {
		es := dev.Engine().Stats()
		cq, pq := dev.Queued()
		mu.Lock()
		samples++
		capEng += es.CaptureQueued
		playEng += es.PlaybackQueued
		capQ += cq
		playQ += pq
		pulled += recv.PlayoutQueued()
		mu.Unlock()
		once.Do(func() { pulsePlay, pulseRec = pulseLatency(b, "Phonebar") })
	})
	st := recv.Stats()
	mean := func(d time.Duration) float64 { return ms(d / time.Duration(max(samples, 1))) }
	// The jitter buffer's wait over the measured bursts only: its mean since the stream started,
	// taken apart at the two snapshots.
	played := float64(st.DecodedFrames) - float64(st0.DecodedFrames)
	wait := (ms(st.JitterWait)*float64(st.DecodedFrames) - ms(st0.JitterWait)*float64(st0.DecodedFrames)) / max(played, 1)
	stages := map[string]float64{
		"pulse-capture-ms":    ms(pulseRec),
		"engine-capture-ms":   mean(capEng),
		"send-queue-ms":       mean(capQ),
		"jitter-wait-ms":      wait,
		"playout-queue-ms":    mean(playQ) + mean(pulled),
		"engine-playback-ms":  mean(playEng),
		"pulse-playback-ms":   ms(pulsePlay),
		"jitter-target-ms":    ms(st.JitterDelay),
		"speaker-gaps-frames": float64(dev.Engine().Stats().PlaybackGaps) / float64(dev.Engine().FrameSamples()),
		"concealed-frames":    float64(st.ConcealedFrames) - float64(st0.ConcealedFrames),
		"dropouts":            float64(res.gaps),
	}
	return res, stages
}

// chromiumPage sends its microphone through a pair of RTCPeerConnections in the page and plays the
// far end's track into the speaker named by the URL, as a browser softphone does. Audio
// processing is off: the measurement is of the transport, as with the Phonebar's path.
const chromiumPage = `<!doctype html><html><body><audio id="out" autoplay></audio><script>
async function start(inLabel, outLabel) {
  await navigator.mediaDevices.getUserMedia({audio: true}).then(s => s.getTracks().forEach(t => t.stop()));
  const devs = await navigator.mediaDevices.enumerateDevices();
  const mic = devs.find(d => d.kind === 'audioinput' && d.label.includes(inLabel));
  const spk = devs.find(d => d.kind === 'audiooutput' && d.label.includes(outLabel));
  if (!mic || !spk) throw new Error('devices: ' + JSON.stringify(devs.map(d => d.kind + ':' + d.label)));
  const stream = await navigator.mediaDevices.getUserMedia({audio: {deviceId: {exact: mic.deviceId},
    echoCancellation: false, noiseSuppression: false, autoGainControl: false}});
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = e => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = e => e.candidate && a.addIceCandidate(e.candidate);
  const out = document.getElementById('out');
  await out.setSinkId(spk.deviceId);
  const got = new Promise(r => b.ontrack = e => { out.srcObject = new MediaStream([e.track]); r(); });
  stream.getTracks().forEach(t => a.addTrack(t, stream));
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
  await got; await out.play();
  window.pcB = b;
  return mic.label + ' -> ' + spk.label;
}
async function jitter() {
  let d = 0, n = 0;
  (await window.pcB.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') { d = s.jitterBufferDelay; n = s.jitterBufferEmittedCount; } });
  return [d, n];
}
</script></body></html>`

// chromiumPath runs Chromium's WebRTC pipeline between the same sinks and measures it.
func chromiumPath(b *testing.B, ctx context.Context, n int) (latencyResult, float64) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, chromiumPage) //nolint:errcheck
	}))
	defer srv.Close()
	bctx := testenv.Chromium(b,
		chromedp.Flag("mute-audio", false), // headless mode mutes by default
		chromedp.Env("PULSE_SERVER=unix:"+os.Getenv("XDG_RUNTIME_DIR")+"/pulse/native"),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
	require.NoError(b, chromedp.Do(bctx, chromedp.Navigate(srv.URL)))
	route, err := chromedp.Run(bctx, chromedp.Evaluate[string](fmt.Sprintf("start(%q, %q)", latMic, latOut), chromedp.EvalAwaitPromise))
	require.NoError(b, err)
	b.Logf("chromium: %s", route)
	time.Sleep(time.Second) // its output stream starts
	j0, err := chromedp.Run(bctx, chromedp.Evaluate[[]float64]("jitter()", chromedp.EvalAwaitPromise))
	require.NoError(b, err)
	res := playBursts(b, ctx, n, nil)
	j1, err := chromedp.Run(bctx, chromedp.Evaluate[[]float64]("jitter()", chromedp.EvalAwaitPromise))
	require.NoError(b, err)
	// Its jitter buffer's mean wait over the measured bursts (the statistics are totals since start).
	return res, 1000 * (j1[0] - j0[0]) / max(j1[1]-j0[1], 1)
}

// BenchmarkAddedLatency measures the delay each pipeline adds between a microphone and the far
// end's speaker, the network excluded: the Phonebar's with PCMU and with Opus, and Chromium's
// WebRTC pipeline, all on the same PulseAudio sinks and timed by the same probes in one run. One
// op is one burst per pipeline (2.4 s of real time). Beside the three means it reports where the
// Phonebar's time goes (pcmu-*, opus-*: mean delay in each queue; pulse-*: PulseAudio's buffers
// for the Phonebar's streams). opus10-* is the Phonebar's Opus path with 10 ms packets (and
// frames), beside the 20 ms it sends by default: what the shorter packet time buys.
//
// Run (one command, on real services): make bench-latency
func BenchmarkAddedLatency(b *testing.B) {
	testenv.NeedPulseAudio(b)
	testenv.NeedCommand(b, "pacat")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, name := range []string{latIn, latOut} {
		idx, err := exec.Command("pactl", "load-module", "module-null-sink", "sink_name="+name,
			"sink_properties=device.description="+name).Output()
		require.NoError(b, err)
		defer exec.Command("pactl", "unload-module", strings.TrimSpace(string(idx))).Run() //nolint:errcheck
	}
	idx, err := exec.Command("pactl", "load-module", "module-remap-source", "master="+latIn+".monitor",
		"source_name="+latMic, "source_properties=device.description="+latMic).Output()
	require.NoError(b, err)
	defer exec.Command("pactl", "unload-module", strings.TrimSpace(string(idx))).Run() //nolint:errcheck
	b.ResetTimer()
	for _, p := range []struct {
		id     codec.ID
		ptime  time.Duration
		prefix string
	}{{codec.PCMU, 20 * time.Millisecond, "pcmu"}, {codec.Opus, 20 * time.Millisecond, "opus"}, {codec.Opus, 10 * time.Millisecond, "opus10"}} {
		id, prefix := p.id, p.prefix
		if !codec.Available(id) {
			b.Fatalf("%s is not in this build", id)
		}
		res, stages := phonebarPath(b, ctx, id, p.ptime, b.N)
		b.ReportMetric(ms(res.mean), prefix+"-added-ms")
		b.ReportMetric(ms(res.hi), prefix+"-max-ms")
		for k, v := range stages {
			b.ReportMetric(v, prefix+"-"+k)
		}
	}
	res, jb := chromiumPath(b, ctx, b.N)
	b.ReportMetric(ms(res.mean), "chromium-added-ms")
	b.ReportMetric(ms(res.hi), "chromium-max-ms")
	b.ReportMetric(float64(res.gaps), "chromium-dropouts")
	b.ReportMetric(jb, "chromium-jitter-wait-ms")
}
