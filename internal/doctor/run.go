package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// stepTimeout bounds each network step, so that a black-holed address fails in seconds.
const stepTimeout = 10 * time.Second

// run is one run of the doctor: the report so far and what later steps need of earlier ones.
type run struct {
	opts   Options
	report Report

	host, port string
	https      bool
	pin        tlspin.Fingerprint
	client     *motion.Client
	logout     func()
	account    *phone.Account
	ph         *phone.Phone
	events     chan phone.Event
	stopPhone  func()
}

func (r *run) add(c Check) {
	if !c.OK {
		r.report.OK = false
		if c.Advice == "" {
			c.Advice = "See the detail."
		}
	} else {
		c.Advice = ""
	}
	r.report.Checks = append(r.report.Checks, c)
	if r.opts.OnCheck != nil {
		r.opts.OnCheck(c)
	}
}

// timed runs one step and adds its check, timed.
func (r *run) timed(name string, fn func() (detail string, err error, advice string)) bool {
	start := time.Now()
	detail, err, advice := fn()
	c := Check{Name: name, OK: err == nil, MS: time.Since(start).Milliseconds(), Detail: detail, Advice: advice}
	if err != nil && c.Detail == "" {
		c.Detail = problem.Of(err).Message
	}
	r.add(c)
	return err == nil
}

// skipped reports a step that could not run because an earlier one failed.
func (r *run) skipped(name, why string) {
	r.add(Check{Name: name, Detail: "Not tried: " + why + ".", Advice: "Fix the first failed check, then run the doctor again."})
}

func (r *run) close() {
	if r.stopPhone != nil {
		r.stopPhone()
	}
	if r.logout != nil {
		r.logout()
	}
}

func (r *run) steps(ctx context.Context) {
	reached := r.address(ctx) && r.dns(ctx) && r.tcp(ctx) && r.tls(ctx)
	if !reached {
		for _, n := range []string{"login", "sip"} {
			r.skipped(n, "the server cannot be reached safely")
		}
	} else if r.opts.Session != nil {
		r.session(ctx)
	} else if r.login(ctx) && r.account != nil {
		if r.sip(ctx) {
			r.stun(ctx)
			r.turn(ctx)
			if r.opts.EchoTarget != "" {
				r.echo(ctx)
			}
		} else {
			r.stun(ctx)
			r.turn(ctx)
			if r.opts.EchoTarget != "" {
				r.skipped("echo_call", "the phone did not register")
			}
		}
	}
	if r.opts.Audio != nil {
		r.microphone(ctx)
		r.speaker(ctx)
	}
}

// address reads the server address; http:// is read too (DNS and TCP still run) and caught at TLS.
func (r *run) address(context.Context) bool {
	s := strings.TrimSpace(r.opts.Server)
	raw := s
	if !strings.Contains(s, "://") {
		raw = "https://" + s
	}
	u, err := url.Parse(raw)
	if s == "" || err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
		_, perr := motion.ParseServerURL(s)
		if perr == nil {
			perr = errors.New("the server address cannot be read")
		}
		r.add(Check{Name: "address", Detail: problem.Of(perr).Message, Advice: "Type the server's address as your administrator gave it, like https://motion.example.com."})
		return false
	}
	r.host, r.port, r.https = u.Hostname(), u.Port(), u.Scheme == "https"
	if r.port == "" {
		r.port = map[bool]string{true: "443", false: "80"}[r.https]
	}
	r.pin = r.opts.Pin
	if r.pin == "" && r.https {
		if pu, err := motion.ParseServerURL(s); err == nil {
			r.pin = r.opts.Settings.Pins[motion.Origin(pu)]
		}
	}
	return true
}

func (r *run) dns(ctx context.Context) bool {
	return r.timed("dns", func() (string, error, string) {
		if ip := net.ParseIP(r.host); ip != nil {
			return fmt.Sprintf("%s is an IP address: nothing to look up.", r.host), nil, ""
		}
		ctx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupHost(ctx, r.host)
		if err != nil {
			return fmt.Sprintf("%s cannot be found in DNS: %v.", r.host, err), err,
				"Check the server address for typos. If it is right, this network's DNS does not know it: try another network, or ask your IT team (a VPN may be needed)."
		}
		return fmt.Sprintf("%s is %s.", r.host, strings.Join(addrs, ", ")), nil, ""
	})
}

func (r *run) tcp(ctx context.Context) bool {
	return r.timed("tcp", func() (string, error, string) {
		var d net.Dialer
		ctx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(r.host, r.port))
		if err != nil {
			return fmt.Sprintf("No connection to %s port %s: %v.", r.host, r.port, err), err,
				fmt.Sprintf("The server may be down, or a firewall or proxy blocks port %s: ask your IT team to allow outgoing connections to %s:%s.", r.port, r.host, r.port)
		}
		defer c.Close()
		return fmt.Sprintf("Connected to %s.", c.RemoteAddr()), nil, ""
	})
}

func (r *run) tls(ctx context.Context) bool {
	return r.timed("tls", func() (string, error, string) {
		if !r.https {
			suggested := "https://" + net.JoinHostPort(r.host, r.port)
			var nh *motion.NotHTTPSError
			if _, err := motion.ParseServerURL(r.opts.Server); errors.As(err, &nh) {
				suggested = nh.Suggested
			}
			return "The address starts with http://: the password and the session would cross the network unencrypted.", errors.New("http://"),
				"Use the https:// address of the server (" + suggested + ")."
		}
		d := tls.Dialer{NetDialer: &net.Dialer{Timeout: stepTimeout}, Config: tlspin.ClientConfig(r.host, r.opts.Roots, r.pin)}
		ctx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(r.host, r.port))
		var untrusted *tlspin.UntrustedError
		var mismatch *tlspin.MismatchError
		switch {
		case errors.As(err, &untrusted):
			return untrusted.Error() + ".", err, "Compare the fingerprint " + untrusted.Fingerprint.Pretty() +
				" with the one your administrator gives you; if it matches, trust it (--trust-fingerprint " + string(untrusted.Fingerprint) + ", or the login screen)."
		case errors.As(err, &mismatch):
			return mismatch.Error() + ".", err, "Do not log in from this network. Ask your administrator whether the server's certificate was replaced; if it was, trust the new one."
		case err != nil:
			return fmt.Sprintf("No TLS connection to %s: %v.", r.host, err), err,
				"Something between you and the server interferes with HTTPS (a proxy that inspects traffic, a captive portal): try another network or ask your IT team."
		}
		defer c.Close()
		st := c.(*tls.Conn).ConnectionState()
		leaf := st.PeerCertificates[0]
		how := "pinned certificate SHA-256 " + tlspin.Of(leaf).Pretty()
		inter := x509.NewCertPool()
		for _, ic := range st.PeerCertificates[1:] {
			inter.AddCert(ic)
		}
		if _, verr := leaf.Verify(x509.VerifyOptions{DNSName: r.host, Roots: r.opts.Roots, Intermediates: inter}); verr == nil {
			how = "certificate chain verified by this computer"
		}
		return fmt.Sprintf("%s, %s.", tls.VersionName(st.Version), how), nil, ""
	})
}

func (r *run) login(ctx context.Context) bool {
	return r.timed("login", func() (string, error, string) {
		if r.opts.User == "" {
			err := errors.New("no login given")
			return "No login to try.", err, "Give --user NAME and --password-stdin, or log in once with --save so the doctor can use the saved login."
		}
		u, err := motion.ParseServerURL(r.opts.Server)
		if err != nil {
			return "", err, "Type the server's https:// address."
		}
		r.client, err = motion.New(motion.Options{BaseURL: u, Pin: r.pin})
		if err != nil {
			return "", err, ""
		}
		ctx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		lr, err := r.client.Login(ctx, motion.LoginRequest{Name: r.opts.User, Password: r.opts.Password})
		if err != nil {
			r.client.CloseIdleConnections()
			return "", err, loginAdvice(err)
		}
		client := r.client
		r.logout = func() {
			lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = client.Logout(lctx)
			cancel()
			client.CloseIdleConnections()
		}
		if lr.MustChangePassword {
			return fmt.Sprintf("%s must change the password first.", r.opts.User), errors.New("password change required"),
				"Log in with the window and change the password, then run the doctor again."
		}
		who, err := r.client.Whoami(ctx)
		if err != nil {
			return "", err, "The server accepted the password but did not say who you are: ask your administrator."
		}
		detail := fmt.Sprintf("Logged in as %s (%s), typology %s", who.Name, who.Fullname, who.Typology)
		if who.SIP == nil {
			return detail + ": this account has no softphone, so the SIP, STUN, TURN and test call checks do not apply.", nil, ""
		}
		if err := agent.CheckSIPAddress(r.opts.Settings, r.opts.SettingsPath, motion.Origin(u), who.SIP.WSURI); err != nil {
			return detail + ".", err, "Ask your administrator for a wss:// SIP address."
		}
		var wsPin tlspin.Fingerprint
		if ws, err := url.Parse(who.SIP.WSURI); err == nil && ws.Host == u.Host {
			wsPin = r.pin
		}
		acc := phone.AccountFromMotion(*who.SIP, wsPin)
		r.account = &acc
		return fmt.Sprintf("%s, SIP account %s at %s.", detail, acc.AOR, acc.WSURL), nil, ""
	})
}

// session reports the window's session and phone instead of logging in and registering (see
// Options.Session), then checks STUN and TURN with the session's ICE servers.
func (r *run) session(ctx context.Context) {
	se := r.opts.Session
	r.timed("login", func() (string, error, string) {
		if se.Account == nil {
			return "Logged in as " + se.Who + " in this window: this account has no softphone, so the SIP, STUN and TURN checks do not apply.", nil, ""
		}
		return fmt.Sprintf("Logged in as %s in this window, SIP account %s at %s. The doctor does not log in again: the test call runs from the login screen.",
			se.Who, se.Account.AOR, se.Account.WSURL), nil, ""
	})
	if se.Account == nil {
		return
	}
	r.account = se.Account
	r.timed("sip", func() (string, error, string) {
		if se.Registered {
			return fmt.Sprintf("This window's phone is registered: %s over %s.", se.Account.AOR, se.Account.WSURL), nil, ""
		}
		return fmt.Sprintf("This window's phone is not registered: %s", se.Registration), errors.New("not registered"),
			"A firewall or proxy may block WebSockets to the SIP server, or the SIP account is refused: ask your administrator to check the account and that " + se.Account.WSURL + " is reachable."
	})
	r.stun(ctx)
	r.turn(ctx)
}

func loginAdvice(err error) string {
	switch problem.Of(err).Code {
	case problem.CodeInvalidCredentials:
		return "Check the user name and password (the doctor does not lock you out by retrying)."
	case problem.CodeSessionExists:
		return "You are logged in elsewhere (the window, another computer): run the doctor from the window's Doctor page, or log out there first."
	}
	return "See the detail; the login screen of the window says the same."
}

// sip registers the account over its WebSocket, and keeps the phone for the test call.
func (r *run) sip(ctx context.Context) bool {
	return r.timed("sip", func() (string, error, string) {
		r.events = make(chan phone.Event, 64)
		sink := rtc.NewFrequencySink()
		ph, err := phone.New(phone.Config{Account: *r.account, AllowLoopback: r.opts.AllowLoopback, Logger: r.opts.Logger, SIPTrace: r.opts.SIPTrace,
			NewSource: func() rtc.Source { return rtc.NewToneSource(echoHz) },
			NewSink:   func() rtc.Sink { return sink },
			OnEvent: func(ev phone.Event) {
				select {
				case r.events <- ev:
				default:
				}
			}})
		if err != nil {
			return "", err, "See the detail."
		}
		r.ph = ph
		runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() { defer close(done); _ = ph.Run(runCtx) }()
		r.stopPhone = func() { stop(); <-done }
		t := time.NewTimer(stepTimeout)
		defer t.Stop()
		var last error
		for {
			select {
			case ev := <-r.events:
				if ev.Kind != phone.EventRegistration {
					continue
				}
				if ev.Registration == sipua.StateRegistered {
					return fmt.Sprintf("Registered %s over %s.", r.account.AOR, r.account.WSURL), nil, ""
				}
				if ev.Err != nil {
					last = ev.Err
				}
			case <-t.C:
				err := sipua.ErrTimeout
				if last != nil {
					err = last
				}
				return fmt.Sprintf("%s did not register over %s: %s.", r.account.AOR, r.account.WSURL, problem.Of(err).Message), err,
					"A firewall or proxy may block WebSockets to the SIP server, or the SIP account is refused: ask your administrator to check the account and that " + r.account.WSURL + " is reachable."
			case <-ctx.Done():
				return "", ctx.Err(), ""
			}
		}
	})
}

// echoHz is the tone the test call sends; the echo extension sends it back.
const echoHz = 700

func (r *run) microphone(ctx context.Context) {
	r.timed("microphone", func() (string, error, string) {
		res, err := r.opts.Audio.CheckMicrophone(ctx, audio.CheckOptions{Listen: time.Second})
		if err != nil {
			return "", err, "See the detail."
		}
		detail := res.Message
		if res.Device.Name != "" {
			detail = fmt.Sprintf("%s (%s, RMS %.0f dBFS)", strings.TrimSuffix(res.Message, "."), res.Device.Name, res.RMSDBFS) + "."
		}
		if !res.Works() {
			return detail, fmt.Errorf("microphone: %v", res.Verdict), "Pick another microphone in the Audio panel, unmute it, or allow the Phonebar to use it in the system's privacy settings."
		}
		return detail, nil, ""
	})
}

func (r *run) speaker(ctx context.Context) {
	r.timed("speaker", func() (string, error, string) {
		res, err := r.opts.Audio.PlayTone(ctx, audio.PlayOptions{Duration: 300 * time.Millisecond, Volume: 0.1})
		if err != nil {
			return fmt.Sprintf("No sound could be played: %v.", err), err, "Plug in or pick a speaker or headset in the Audio panel, and check the system's sound settings."
		}
		detail := fmt.Sprintf("A short tone played on %s.", res.Device.Name)
		if res.FellBack {
			detail += " " + res.Message
		}
		return detail, nil, ""
	})
}
