package rtctest

import (
	"context"
	"embed"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phonebar/phonebar/internal/testenv"
)

//go:embed testdata/page
var page embed.FS

// BrowserToneHz is the frequency of the browser's fake microphone: a file of this tone replaces
// Chromium's beep, so the audio from the browser can be recognised exactly.
const BrowserToneHz = 700

// Browser is a headless Chromium with the JsSIP phone page open. Its methods fail the test on error.
type Browser struct {
	t   testing.TB
	ctx context.Context
	url string
}

var bundleOnce sync.Once
var bundleErr error

// jssipDir is the folder of the JsSIP bundle's package.json.
func jssipDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "jssip")
}

// Bundle returns the path of the JsSIP bundle, building it (npm ci, esbuild) when it is missing.
func Bundle(t testing.TB) string {
	t.Helper()
	dir := jssipDir()
	out := filepath.Join(dir, "dist", "jssip.js")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	npm := testenv.NeedCommand(t, "npm")
	bundleOnce.Do(func() {
		for _, args := range [][]string{{"ci", "--no-audit", "--no-fund"}, {"run", "build"}} {
			cmd := exec.Command(npm, args...)
			cmd.Dir = dir
			if b, err := cmd.CombinedOutput(); err != nil {
				bundleErr = fmt.Errorf("npm %v: %w\n%s", args, err, b)
				return
			}
		}
	})
	if bundleErr != nil {
		t.Fatalf("building the JsSIP bundle: %v", bundleErr)
	}
	return out
}

// StartBrowser starts Chromium (flags of the rig: fake microphone playing BrowserToneHz, loopback
// ICE, self-signed wss accepted) on the phone page, and stops it at cleanup.
func StartBrowser(t testing.TB) *Browser {
	t.Helper()
	bundle := Bundle(t)
	sub, err := fs.Sub(page, "testdata/page")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/jssip.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, bundle) })
	mux.Handle("/", http.FileServerFS(sub))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	wav := filepath.Join(t.TempDir(), "mic.wav")
	if err := os.WriteFile(wav, toneWAV(BrowserToneHz, 48000, 2*time.Second), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := testenv.ChromiumOptions(t,
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", wav),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelC()
		cancelA()
	})
	// The first run starts the browser and must carry no timeout (it would stop the browser).
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return &Browser{t: t, ctx: ctx, url: srv.URL + "/"}
}

// NewTab opens another phone page in the same browser: a second, independent browser phone.
func (b *Browser) NewTab() *Browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(b.url)); err != nil {
		b.t.Fatalf("chromium tab: %v", err)
	}
	return &Browser{t: b.t, ctx: ctx, url: b.url}
}

// SetAutoAnswer makes the browser answer every incoming call at once (benchmarks).
func (b *Browser) SetAutoAnswer(on bool) { eval[bool](b, fmt.Sprintf("pb.setAutoAnswer(%t)", on)) }

// SetAcceptRefer makes the browser act on a REFER in its call (being transferred: it calls the
// Refer-To target, with the Replaces header the URI carries) instead of declining it with a 603
// NOTIFY.
func (b *Browser) SetAcceptRefer(on bool) { eval[bool](b, fmt.Sprintf("pb.setAcceptRefer(%t)", on)) }

// SetTone makes this tab send a sine of hz from later calls on instead of the fake microphone's
// BrowserToneHz, so that two tabs of one browser can be told apart by what they send.
func (b *Browser) SetTone(hz float64) { eval[bool](b, fmt.Sprintf("pb.setTone(%g)", hz)) }

// Refer asks the other side of the browser's current call to call user (blind transfer); the
// answer shows in PhoneState.ReferResult.
func (b *Browser) Refer(pbx *PBX, user string) {
	eval[bool](b, fmt.Sprintf("pb.refer(%q)", pbx.AOR(user)))
}

// SetupMs is the last call's setup time seen by the browser: call start (or arrival) to the first
// audio packet received, in ms; 0 while none arrived.
func (b *Browser) SetupMs() float64 { return eval[float64](b, "pb.setupMs()") }

// eval runs a page expression (promises awaited) with a bound on its time.
func eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: %s: %v", expr, err)
	}
	return v
}

// Register signs the browser phone in as user on pbx's WebSocket URL ws (ws or wss).
func (b *Browser) Register(pbx *PBX, url, user string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf("pb.start(%q, %q, %q)", url, pbx.AOR(user), Password))
}

// Call dials target (a user at the PBX) from the browser.
func (b *Browser) Call(pbx *PBX, user string) {
	eval[bool](b, fmt.Sprintf("pb.call(%q)", pbx.AOR(user)))
}

// Answer, Reject, Hangup, Hold, Unhold act on the browser's current call.
func (b *Browser) Answer()           { eval[bool](b, "pb.answer()") }
func (b *Browser) Reject(code int)   { eval[bool](b, fmt.Sprintf("pb.reject(%d)", code)) }
func (b *Browser) Hangup()           { eval[bool](b, "pb.hangup()") }
func (b *Browser) Hold() bool        { return eval[bool](b, "pb.hold()") }
func (b *Browser) Unhold() bool      { return eval[bool](b, "pb.unhold()") }
func (b *Browser) PeakHz() float64   { return eval[float64](b, "pb.peakHz()") }
func (b *Browser) State() PhoneState { return eval[PhoneState](b, "pb.state()") }
func (b *Browser) Stats() PhoneStats { return eval[PhoneStats](b, "pb.stats()") }

// RestartICE sends a re-INVITE that restarts ICE (JsSIP's renegotiate with iceRestart); false when
// JsSIP cannot start one now (another is under way).
func (b *Browser) RestartICE() bool { return eval[bool](b, "pb.restartIce()") }

// SendDTMF sends tones from the browser, transport "INFO" or "RFC2833".
func (b *Browser) SendDTMF(tones, transport string) {
	eval[bool](b, fmt.Sprintf("pb.sendDTMF(%q, %q)", tones, transport))
}

// PhoneState is the browser phone's state, as the page keeps it.
type PhoneState struct {
	Registered bool    `json:"registered"`
	Status     string  `json:"status"` // idle, progress, accepted, confirmed, ended, failed
	Incoming   bool    `json:"incoming"`
	EndCause   string  `json:"endCause"`
	EndCode    int     `json:"endCode"`
	DTMF       string  `json:"dtmf"`
	RemoteHeld bool    `json:"remoteHeld"`
	LocalHeld  bool    `json:"localHeld"`
	CallStart  float64 `json:"callStart"`
	// Refers counts REFERs received; ReferTarget and ReferReplaces are the last one's target AOR
	// and its Replaces header (unescaped), empty without one.
	Refers        int    `json:"refers"`
	ReferTarget   string `json:"referTarget"`
	ReferReplaces string `json:"referReplaces"`
	// Replaced counts INVITEs with Replaces taken in place of a call of this browser.
	Replaced int `json:"replaced"`
	// Restarts counts the browser's ICE restarts (RestartICE) the other side accepted.
	Restarts int `json:"restarts"`
	// ReferResult is the answer to the browser's own REFER: "accepted" or "failed <code>".
	ReferResult string `json:"referResult"`
	// Registrations counts the browser's registrations: the first, and one after each
	// reconnection (JsSIP registers again over each new connection).
	Registrations int `json:"registrations"`
	// GRUU is the public GRUU (RFC 5627) the registrar gave the browser, empty without one; JsSIP
	// makes it the Contact of its dialogs.
	GRUU string `json:"gruu"`
}

// PhoneStats is the browser's getStats for the call.
type PhoneStats struct {
	In    int    `json:"in"`
	Out   int    `json:"out"`
	Codec string `json:"codec"`
	DTLS  string `json:"dtls"`
	Pair  string `json:"pair"`
	// What the browser made of the audio it received: packets lost, samples played and those of
	// them concealed, the interarrival jitter; and the round trip its RTCP measured.
	Lost      int     `json:"lost"`
	Samples   int     `json:"samples"`
	Concealed int     `json:"concealed"`
	JitterMs  float64 `json:"jitterMs"`
	RTTMs     float64 `json:"rttMs"`
}

// WaitFor polls the browser until cond holds, failing the test when ctx ends first.
func (b *Browser) WaitFor(ctx context.Context, what string, cond func(*Browser) bool) {
	b.t.Helper()
	for !cond(b) {
		select {
		case <-ctx.Done():
			b.t.Fatalf("browser never: %s (state %+v)", what, b.State())
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// toneWAV is a mono 16-bit WAV file of a sine.
func toneWAV(hz float64, rate int, d time.Duration) []byte {
	n := int(d.Seconds() * float64(rate))
	data := make([]byte, 44+2*n)
	copy(data[0:], "RIFF")
	binary.LittleEndian.PutUint32(data[4:], uint32(36+2*n))
	copy(data[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(data[16:], 16)
	binary.LittleEndian.PutUint16(data[20:], 1)
	binary.LittleEndian.PutUint16(data[22:], 1)
	binary.LittleEndian.PutUint32(data[24:], uint32(rate))
	binary.LittleEndian.PutUint32(data[28:], uint32(rate*2))
	binary.LittleEndian.PutUint16(data[32:], 2)
	binary.LittleEndian.PutUint16(data[34:], 16)
	copy(data[36:], "data")
	binary.LittleEndian.PutUint32(data[40:], uint32(2*n))
	for i := 0; i < n; i++ {
		v := int16(0.4 * 32767 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
		binary.LittleEndian.PutUint16(data[44+2*i:], uint16(v))
	}
	return data
}
