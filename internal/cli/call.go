package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

func runCall(ctx context.Context, args []string, stdio Stdio) int {
	return phoneCommand(ctx, "call", args, stdio)
}

func runAnswer(ctx context.Context, args []string, stdio Stdio) int {
	return phoneCommand(ctx, "answer", args, stdio)
}

const callUsage = `Usage: phonebar call --to TARGET --sip-ws URL --sip-user URI [flags]
       phonebar call --to TARGET --server URL --user NAME --password-stdin [flags]
       phonebar answer [--calls N] --sip-ws URL --sip-user URI [flags]

Registers straight to a SIP server over WebSocket (or, with --server, logs in to Motion as a WebRTC
agent and uses the SIP account it hands out, as the window does), then places one call (call) or
answers N calls (answer), keeps each for --seconds, and reports it. Exit status 0 only when every call succeeded
(answered, DTLS up, audio received).

Flags:
`

// callFlags are the flags of call and answer.
type callFlags struct {
	to, sipWS, sipUser, sipAuthUser, trust   string
	server, user                             string
	passwordStdin, relayOnly, jsonOut        bool
	noProcessing                             bool
	motionPasswordStdin, force               bool
	seconds, timeout, tone                   float64
	dtmf, dtmfMode, codecName, iceServerFile string
	calls                                    int
}

// callReport is one JSON Lines object of --json.
type callReport struct {
	Event        string  `json:"event"`
	OK           *bool   `json:"ok,omitempty"`
	SetupMS      int64   `json:"setup_ms,omitempty"`
	Codec        string  `json:"codec,omitempty"`
	DTLSState    string  `json:"dtls_state,omitempty"`
	PacketsIn    uint64  `json:"rtp_packets_in"`
	PacketsOut   uint64  `json:"rtp_packets_out"`
	FarToneHz    float64 `json:"far_tone_hz"`
	DTMFReceived string  `json:"dtmf_received"`
	ICEPair      string  `json:"ice_pair,omitempty"`
	// Processing is what was done to the microphone ("aec", "ns", "agc"); empty with --tone.
	Processing []string `json:"processing,omitempty"`
	// What the jitter buffer made of the audio received (see rtc.Stats): the quality of the line.
	ConcealedFrames uint64 `json:"concealed_frames"`
	FECFrames       uint64 `json:"fec_recovered_frames"`
	LatePackets     uint64 `json:"late_packets"`
	// The call's quality (internal/quality), on the lines of calls that had media.
	*qualityReport
	Remote    string `json:"remote,omitempty"`
	Code      string `json:"code,omitempty"`
	SIPStatus int    `json:"sip_status,omitempty"`
	Message   string `json:"message,omitempty"`
}

func phoneCommand(ctx context.Context, name string, args []string, stdio Stdio) int {
	var f callFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	fs.Usage = func() {
		io.WriteString(stdio.Err, callUsage)
		fs.PrintDefaults()
	}
	if name == "call" {
		fs.StringVar(&f.to, "to", "", "who to call: a number or user at the account's domain, or a sip: URI")
	} else {
		fs.IntVar(&f.calls, "calls", 1, "how many calls to answer before exiting")
	}
	fs.StringVar(&f.server, "server", "", "log in to this Motion server as a WebRTC agent and use its SIP account (instead of --sip-ws/--sip-user)")
	fs.StringVar(&f.user, "user", "", "with --server: the Motion login name")
	fs.BoolVar(&f.motionPasswordStdin, "password-stdin", false, "with --server: read the Motion password from the first line of standard input")
	fs.BoolVar(&f.force, "force", false, "with --server: end the user's session on another Phonebar")
	fs.StringVar(&f.sipWS, "sip-ws", "", "the SIP server's WebSocket URL (ws:// or wss://)")
	fs.StringVar(&f.sipUser, "sip-user", "", "the SIP address of record, sip:USER@DOMAIN")
	fs.StringVar(&f.sipAuthUser, "sip-auth-user", "", "the digest user name, if not the address's user")
	fs.BoolVar(&f.passwordStdin, "sip-password-stdin", false, "read the SIP password from the first line of standard input")
	fs.StringVar(&f.trust, "trust-fingerprint", "", "SHA-256 fingerprint of a self-signed wss certificate to trust")
	fs.Float64Var(&f.seconds, "seconds", 5, "how long to keep each call up (answer: 0 keeps it until the other side hangs up)")
	fs.Float64Var(&f.timeout, "timeout", 30, "seconds to wait for registration, for the call to be answered, or (answer) for each call to arrive")
	fs.Float64Var(&f.tone, "tone", 0, "send a sine of this frequency in Hz instead of using the microphone and speaker")
	fs.StringVar(&f.dtmf, "dtmf", "", "digits to send once the call is up")
	fs.StringVar(&f.dtmfMode, "dtmf-mode", "rfc4733", "how to send digits: rfc4733 or info")
	fs.StringVar(&f.codecName, "codec", "", "force one codec: opus, pcmu or pcma (default: offer all)")
	fs.StringVar(&f.iceServerFile, "ice-servers", "", "JSON file with STUN/TURN servers: [{\"urls\":[...],\"username\":...,\"credential\":...}]")
	fs.BoolVar(&f.relayOnly, "relay-only", false, "use TURN relays only")
	fs.BoolVar(&f.noProcessing, "no-processing", false, "send the microphone as it is: no echo cancellation, noise suppression or gain control")
	fs.BoolVar(&f.jsonOut, "json", false, "print JSON Lines: {\"event\":\"registered\",\"account\":...}, then one {\"event\":\"call\",...} per call")
	lf := addLogFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	out := &reporter{w: stdio.Out, json: f.jsonOut}
	usage := func(msg string) int {
		out.fail("USAGE", 0, msg)
		return 2
	}
	logs, err := lf.open(stdio, name)
	if err != nil {
		return usage(err.Error())
	}
	defer logs.Close()
	if name == "call" && strings.TrimSpace(f.to) == "" {
		return usage("--to is required: the number or SIP address to call")
	}
	if f.server != "" {
		if f.sipWS != "" || f.sipUser != "" || f.passwordStdin {
			return usage("--server takes the SIP account from Motion: leave out --sip-ws, --sip-user and --sip-password-stdin")
		}
		if strings.TrimSpace(f.user) == "" || !f.motionPasswordStdin {
			return usage("--server needs --user NAME and --password-stdin (the Motion password on standard input)")
		}
	} else if f.sipWS == "" || f.sipUser == "" {
		return usage("give either --server URL --user NAME --password-stdin (log in to Motion and use the SIP account it hands out), " +
			"or --sip-ws URL and --sip-user sip:USER@DOMAIN (register straight to a SIP server)")
	} else if u, err := url.Parse(f.sipWS); err == nil && strings.EqualFold(u.Scheme, "ws") {
		// Typed by the user: their choice, but said out loud.
		fmt.Fprintf(stdio.Err, "phonebar %s: warning: %s is a plain ws:// address: SIP messages, the SIP password's digest and the DTLS "+
			"fingerprints that protect the call audio travel unencrypted; use wss:// outside a trusted network\n", name, f.sipWS)
	}
	if f.tone < 0 {
		return usage("--tone must be a frequency in Hz")
	}
	if name == "answer" && f.calls < 1 {
		return usage("--calls must be at least 1")
	}
	acc := phone.Account{AOR: f.sipUser, AuthUser: f.sipAuthUser, WSURL: f.sipWS}
	if !strings.HasPrefix(acc.AOR, "sip:") && !strings.HasPrefix(acc.AOR, "sips:") {
		acc.AOR = "sip:" + acc.AOR
	}
	if f.server != "" {
		pw, err := readPassword(stdio.In)
		if err != nil {
			return usage("--password-stdin: nothing to read on standard input")
		}
		logs.Secret(pw)
		var pin tlspin.Fingerprint
		if f.trust != "" {
			if pin, err = tlspin.Parse(f.trust); err != nil {
				return usage("--trust-fingerprint: " + err.Error())
			}
		}
		cfgPath, err := config.DefaultPath()
		if err != nil {
			out.failErr(err)
			return 1
		}
		a, logout, err := motionAccount(ctx, config.NewStore(cfgPath), f.server, strings.TrimSpace(f.user), pw, pin, f.force)
		if err != nil {
			out.failLogin(err)
			return 1
		}
		defer logout()
		acc = a
		f.trust = ""
	}
	if f.passwordStdin {
		line, err := bufio.NewReader(stdio.In).ReadString('\n')
		if err != nil && line == "" {
			return usage("--sip-password-stdin: nothing to read on standard input")
		}
		acc.Password = strings.TrimRight(line, "\r\n")
		logs.Secret(acc.Password)
	}
	if f.trust != "" {
		pin, err := tlspin.Parse(f.trust)
		if err != nil {
			return usage("--trust-fingerprint: " + err.Error())
		}
		acc.Fingerprint = pin
	}
	if f.iceServerFile != "" {
		servers, err := readICEServers(f.iceServerFile)
		if err != nil {
			return usage("--ice-servers: " + err.Error())
		}
		acc.ICEServers = servers
	}
	logs.Secret(acc.Password) // from Motion: the agent's SIP password
	for _, ice := range acc.ICEServers {
		logs.Secret(ice.Credential)
	}
	// The command's own RFC 5626 instance (the zero InstanceID): the installation's belongs to the
	// window's phone, whose registration a test call must not replace.
	cfg := phone.Config{Account: acc, RelayOnly: f.relayOnly, Logger: slogOf(logs), SIPTrace: logs.SIPTrace}
	if f.codecName != "" {
		id, err := codec.Parse(f.codecName)
		if err != nil {
			return usage("--codec: use opus, pcmu or pcma")
		}
		if !codec.Available(id) {
			return usage("--codec: " + codecName(id.String()) + " is not available in this build")
		}
		cfg.Codecs = []codec.ID{id}
	}
	switch f.dtmfMode {
	case "rfc4733":
		cfg.DTMF = phone.DTMFRFC4733
	case "info":
		cfg.DTMF = phone.DTMFInfo
	default:
		return usage("--dtmf-mode: use rfc4733 or info")
	}
	for _, d := range f.dtmf {
		if !strings.ContainsRune("0123456789*#ABCD", d) {
			return usage("--dtmf: use only 0-9, *, #, A-D")
		}
	}
	if hz := f.tone; hz > 0 {
		cfg.NewSource = func() rtc.Source { return rtc.NewToneSource(hz) }
		cfg.NewSink = func() rtc.Sink { return rtc.NewFrequencySink() }
	} else {
		// The microphone and speaker, opened per call; far_tone_hz then reports what the speaker got.
		host := audio.New(audio.Options{})
		defer host.Close()
		cfg.Audio = host
		if f.noProcessing {
			cfg.Processing = func() processing.Options { return processing.Options{} }
		}
	}
	events := make(chan phone.Event, 256)
	cfg.OnEvent = func(ev phone.Event) { events <- ev }
	p, err := phone.New(cfg)
	if err != nil {
		out.failErr(err)
		return 1
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	runDone := make(chan error, 1)
	go func() { runDone <- p.Run(runCtx) }()
	defer func() { stop(); <-runDone }()

	timeout := time.Duration(f.timeout * float64(time.Second))
	if err := waitRegistered(ctx, events, runDone, timeout); err != nil {
		out.failErr(err)
		return 1
	}
	out.registered(acc.AOR)
	hold := time.Duration(f.seconds * float64(time.Second))
	if name == "call" {
		if !placeCall(ctx, p, f.to, f.dtmf, hold, timeout, out) {
			return 1
		}
		return 0
	}
	ok := true
	for i := 0; i < f.calls; i++ {
		if !answerCall(ctx, events, f.dtmf, hold, timeout, out) {
			ok = false
		}
	}
	if !ok {
		return 1
	}
	return 0
}

func readICEServers(path string) ([]rtc.ICEServer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var in []motion.ICEServer
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("not a JSON list of ICE servers: %w", err)
	}
	out := make([]rtc.ICEServer, 0, len(in))
	for _, s := range in {
		out = append(out, rtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	return out, nil
}

// waitRegistered waits for the first registration, a failure that ends Run, or the timeout.
// Run's result is put back on runDone for the caller's deferred wait.
func waitRegistered(ctx context.Context, events <-chan phone.Event, runDone chan error, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	var last error
	for {
		select {
		case ev := <-events:
			if ev.Kind != phone.EventRegistration {
				continue
			}
			if ev.Registration == sipua.StateRegistered {
				return nil
			}
			if ev.Err != nil {
				last = ev.Err
			}
		case err := <-runDone:
			runDone <- err
			if err == nil {
				err = context.Canceled
			}
			return err
		case <-t.C:
			if last != nil {
				return fmt.Errorf("%w: %w", sipua.ErrTimeout, last)
			}
			return sipua.ErrTimeout
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func placeCall(ctx context.Context, p *phone.Phone, to, dtmf string, hold, timeout time.Duration, out *reporter) bool {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	start := time.Now()
	c, err := p.Dial(dctx, to)
	cancel()
	if err != nil {
		out.callFailed(err)
		return false
	}
	return keepCall(ctx, c, start, dtmf, hold, out)
}

func answerCall(ctx context.Context, events <-chan phone.Event, dtmf string, hold, timeout time.Duration, out *reporter) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case ev := <-events:
			if ev.Kind != phone.EventIncoming {
				continue
			}
			c := ev.Call
			actx, cancel := context.WithTimeout(ctx, timeout)
			err := c.Answer(actx)
			cancel()
			if err != nil {
				out.callFailed(err)
				return false
			}
			return keepCall(ctx, c, c.Started(), dtmf, hold, out)
		case <-t.C:
			out.callFailed(fmt.Errorf("%w: no call came", sipua.ErrTimeout))
			return false
		case <-ctx.Done():
			out.callFailed(ctx.Err())
			return false
		}
	}
}

// keepCall sends the digits once audio flows, keeps the call for hold (0: until the other side
// hangs up), hangs up and reports.
func keepCall(ctx context.Context, c *phone.Call, start time.Time, dtmf string, hold time.Duration, out *reporter) bool {
	var until <-chan time.Time
	if hold > 0 {
		t := time.NewTimer(hold)
		defer t.Stop()
		until = t.C
	}
	if dtmf != "" {
		// Digits go once media flows, so the far end's receiver is ready for them.
		for c.Stats().PacketsIn == 0 {
			select {
			case <-c.Done():
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
				continue
			}
			break
		}
		if err := c.SendDTMF(ctx, dtmf); err != nil && c.State() != phone.StateEnded {
			out.callFailed(err)
			_ = c.Hangup(context.WithoutCancel(ctx))
			return false
		}
	}
	select {
	case <-until:
	case <-c.Done():
	case <-ctx.Done():
	}
	st := c.Stats()
	mediaErr := c.MediaError() // before the hang-up closes the media
	var far float64
	if s, ok := c.Sink().(*rtc.FrequencySink); ok {
		far, _ = s.Frequency()
	}
	if c.State() != phone.StateEnded {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = c.Hangup(hctx)
		cancel()
	}
	ok := st.PacketsIn > 0 && st.DTLSState != "failed" && st.DTLSState != "new"
	r := callReport{
		Event: "call", OK: &ok, Codec: codecName(st.Codec), DTLSState: st.DTLSState, PacketsIn: st.PacketsIn,
		PacketsOut: st.PacketsOut, FarToneHz: float64(int(far*10+0.5)) / 10, DTMFReceived: c.Digits(),
		ICEPair: st.ICEPair, Remote: c.Remote(), Processing: c.Processing(),
		ConcealedFrames: st.ConcealedFrames, FECFrames: st.FECFrames, LatePackets: st.LatePackets,
		qualityReport: newQualityReport(st.Quality.Summary),
	}
	if !st.FirstRTP.IsZero() {
		r.SetupMS = st.FirstRTP.Sub(start).Milliseconds()
	}
	if !ok {
		// Which step failed: no address of ours, no ICE pair, DTLS, or no RTP on a working path.
		err := mediaErr
		if err == nil {
			err = rtc.ErrNoRTP
		}
		r.Code, _, r.Message = classify(err)
	}
	out.line(r)
	return ok
}

// qualityReport is a call's quality summary as a call line has it.
type qualityReport struct {
	// MOS is the mean E-model estimate over the seconds rated (the worse direction each second),
	// MOSMin the lowest second; 0 when no second could be rated.
	MOS    float64 `json:"mos"`
	MOSMin float64 `json:"mos_min"`
	// LossPct is the share of the far end's packets lost on their way here; RemoteLossPct the
	// share of ours lost on the way there, as the far end's reports said (mean); ConcealedPct the
	// share of the audio played here that was made up.
	LossPct       float64 `json:"loss_pct"`
	RemoteLossPct float64 `json:"remote_loss_pct"`
	ConcealedPct  float64 `json:"concealed_pct"`
	// JitterMs is the mean jitter received; RTTMs the mean round-trip time (0: the far end sent
	// no report to time it).
	JitterMs float64 `json:"jitter_ms"`
	RTTMs    float64 `json:"rtt_ms"`
	// Warnings names every warning raised during the call ("low_mos", "high_loss", "high_jitter",
	// "high_rtt", "silent_mic").
	Warnings []string `json:"warnings"`
}

func newQualityReport(s quality.Summary) *qualityReport {
	r := &qualityReport{MOS: s.MOS, MOSMin: s.MOSMin, LossPct: s.LossPct, RemoteLossPct: s.RemoteLossPct,
		ConcealedPct: s.ConcealedPct, JitterMs: s.JitterMs, RTTMs: s.RTTMs, Warnings: []string{}}
	for _, w := range s.Warnings {
		r.Warnings = append(r.Warnings, string(w))
	}
	return r
}

// reporter prints results as JSON Lines or as text.
type reporter struct {
	w    io.Writer
	json bool
}

// registeredReport is the --json line once the SIP account is registered: its own fields only.
type registeredReport struct {
	Event string `json:"event"`
	// Account is the SIP address of record that registered.
	Account string `json:"account"`
}

// errorReport is the --json line of a failure before any call.
type errorReport struct {
	Event     string `json:"event"`
	OK        bool   `json:"ok"`
	Code      string `json:"code"`
	SIPStatus int    `json:"sip_status,omitempty"`
	Message   string `json:"message"`
}

// codecName is the one spelling of a codec in the output: lower case, as --codec takes it (opus,
// pcmu, pcma).
func codecName(s string) string { return strings.ToLower(s) }

func (r *reporter) writeJSON(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(r.w, "%s\n", b)
}

func (r *reporter) registered(aor string) {
	if r.json {
		r.writeJSON(registeredReport{Event: "registered", Account: aor})
		return
	}
	fmt.Fprintf(r.w, "registered as %s\n", aor)
}

func (r *reporter) line(rep callReport) {
	if r.json {
		r.writeJSON(rep)
		return
	}
	switch {
	case rep.OK != nil && *rep.OK:
		fmt.Fprintf(r.w, "call ok: %s, setup %d ms, %s, DTLS %s, RTP in %d out %d, far tone %.0f Hz, digits %q, pair %s\n",
			rep.Remote, rep.SetupMS, rep.Codec, rep.DTLSState, rep.PacketsIn, rep.PacketsOut, rep.FarToneHz, rep.DTMFReceived, rep.ICEPair)
		if q := rep.qualityReport; q != nil {
			fmt.Fprintf(r.w, "quality: MOS %.2f (lowest %.2f), loss %.1f %% here and %.1f %% there, concealed %.1f %%, jitter %.1f ms, round trip %.0f ms\n",
				q.MOS, q.MOSMin, q.LossPct, q.RemoteLossPct, q.ConcealedPct, q.JitterMs, q.RTTMs)
			for _, name := range q.Warnings {
				fmt.Fprintf(r.w, "warning: %s\n", quality.Warning(name).Text())
			}
		}
	default:
		fmt.Fprintf(r.w, "%s failed: %s (%s)\n", rep.Event, rep.Message, rep.Code)
	}
}

func (r *reporter) fail(code string, sip int, msg string) {
	if r.json {
		r.writeJSON(errorReport{Event: "error", Code: code, SIPStatus: sip, Message: msg})
		return
	}
	fmt.Fprintf(r.w, "error: %s (%s)\n", msg, code)
}

// failErr reports a failure before any call.
func (r *reporter) failErr(err error) {
	code, sip, msg := classify(err)
	r.fail(code, sip, msg)
}

func (r *reporter) callFailed(err error) {
	code, sip, msg := classify(err)
	f := false
	r.line(callReport{Event: "call", OK: &f, Code: code, SIPStatus: sip, Message: msg})
}

// classify turns an error into a code, a SIP status if any, and a message for people: the
// message is internal/problem's (the window shows the same), with the flag to look at.
func classify(err error) (string, int, string) {
	p := problem.Of(err)
	return string(p.Code), p.SIPStatus, p.Message + flagHint(p)
}

// flagHint names the command-line flag that changes the outcome of a problem, if one does.
func flagHint(p problem.Problem) string {
	switch p.Code {
	case problem.CodeUntrustedCertificate:
		return " (pass --trust-fingerprint " + string(p.Fingerprint) + ")"
	case problem.CodeNoRelay:
		return " (--ice-servers, --relay-only)"
	case problem.CodeICEFailed:
		return " (--ice-servers)"
	case problem.CodeConnectFailed:
		return " (--sip-ws)"
	case problem.CodeTimeout:
		return " (--timeout)"
	case problem.CodeBadTarget:
		return " (--to)"
	}
	return ""
}
