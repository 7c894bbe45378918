package doctor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/pion/stun/v4"
	"github.com/pion/turn/v5"

	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/rtc"
)

// iceURL is one STUN or TURN address of the account's ICE servers.
type iceURL struct {
	turn, secure bool
	tcp          bool
	hostPort     string
	server       rtc.ICEServer
}

// iceURLs lists the account's STUN (turn false) or TURN (turn true) addresses.
func (r *run) iceURLs(wantTURN bool) []iceURL {
	var out []iceURL
	for _, s := range r.account.ICEServers {
		for _, raw := range s.URLs {
			u, err := stun.ParseURI(raw)
			if err != nil {
				continue
			}
			isTURN := u.Scheme == stun.SchemeTypeTURN || u.Scheme == stun.SchemeTypeTURNS
			if isTURN != wantTURN {
				continue
			}
			out = append(out, iceURL{turn: isTURN, secure: u.Scheme == stun.SchemeTypeTURNS || u.Scheme == stun.SchemeTypeSTUNS,
				tcp: u.Proto == stun.ProtoTypeTCP, hostPort: net.JoinHostPort(u.Host, fmt.Sprint(u.Port)), server: s})
		}
	}
	return out
}

// stun asks each STUN server of the account for this computer's public address.
func (r *run) stun(ctx context.Context) {
	r.timed("stun", func() (string, error, string) {
		urls := r.iceURLs(false)
		if len(urls) == 0 {
			return "The account has no STUN server: calls offer this computer's own addresses (and TURN relays, if any).", nil, ""
		}
		var found []string
		for _, u := range urls {
			addr, err := stunBinding(ctx, u.hostPort)
			if err != nil {
				return fmt.Sprintf("The STUN server %s did not answer: %v.", u.hostPort, err), err,
					"A firewall may block UDP to " + u.hostPort + ": ask your IT team to allow outgoing UDP for calls (or use a TURN server over TCP or TLS)."
			}
			found = append(found, fmt.Sprintf("%s sees this computer as %s", u.hostPort, addr))
		}
		return strings.Join(found, "; ") + ".", nil, ""
	})
}

func stunBinding(ctx context.Context, hostPort string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", hostPort)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	c, err := stun.NewClient(conn)
	if err != nil {
		return "", err
	}
	defer c.Close()
	type answer struct {
		addr string
		err  error
	}
	got := make(chan answer, 1)
	if err := c.Start(stun.MustBuild(stun.TransactionID, stun.BindingRequest), func(e stun.Event) {
		if e.Error != nil {
			got <- answer{err: e.Error}
			return
		}
		var x stun.XORMappedAddress
		if err := x.GetFrom(e.Message); err != nil {
			got <- answer{err: err}
			return
		}
		got <- answer{addr: x.String()}
	}); err != nil {
		return "", err
	}
	select {
	case a := <-got:
		return a.addr, a.err
	case <-ctx.Done():
		return "", errors.New("no answer in 5 seconds")
	}
}

// turn allocates a relay on each TURN server of the account with its credentials.
func (r *run) turn(ctx context.Context) {
	r.timed("turn", func() (string, error, string) {
		urls := r.iceURLs(true)
		if len(urls) == 0 {
			return "The account has no TURN server: calls need a direct path (fine on most office and home networks).", nil, ""
		}
		var found []string
		for _, u := range urls {
			relay, err := turnAllocate(ctx, u, r.opts.Logger)
			if err != nil {
				advice := "A firewall may block " + u.hostPort + ": ask your IT team to allow it."
				if strings.Contains(err.Error(), "401") || strings.Contains(strings.ToLower(err.Error()), "unauthorized") {
					advice = "The TURN server refused the account's credentials: ask your administrator to check the TURN settings."
				}
				return fmt.Sprintf("No relay from the TURN server %s: %v.", u.hostPort, err), err, advice
			}
			found = append(found, fmt.Sprintf("%s relays at %s", u.hostPort, relay))
		}
		return strings.Join(found, "; ") + ".", nil, ""
	})
}

func turnAllocate(ctx context.Context, u iceURL, log *slog.Logger) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	var conn net.PacketConn
	switch {
	case u.secure || u.tcp:
		d := &net.Dialer{}
		var c net.Conn
		var err error
		if u.secure {
			host, _, _ := net.SplitHostPort(u.hostPort)
			c, err = (&tls.Dialer{NetDialer: d, Config: &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}}).DialContext(ctx, "tcp", u.hostPort)
		} else {
			c, err = d.DialContext(ctx, "tcp", u.hostPort)
		}
		if err != nil {
			return "", err
		}
		conn = turn.NewSTUNConn(c)
	default:
		c, err := net.ListenPacket("udp", ":0")
		if err != nil {
			return "", err
		}
		conn = c
	}
	defer conn.Close()
	client, err := turn.NewClient(&turn.ClientConfig{STUNServerAddr: u.hostPort, TURNServerAddr: u.hostPort, Conn: conn,
		Username: u.server.Username, Password: u.server.Credential,
		// IPv4 relays, as every TURN server offers; an IPv6-only one is rare and answers 440.
		RequestedAddressFamily: turn.RequestedAddressFamilyIPv4,
		// pion's lines go to the doctor's log, not unformatted to standard error.
		LoggerFactory: rtc.PionLogs(log)})
	if err != nil {
		return "", err
	}
	defer client.Close()
	if err := client.Listen(); err != nil {
		return "", err
	}
	relay, err := client.AllocateWithContext(ctx)
	if err != nil {
		return "", err
	}
	defer relay.Close()
	return relay.LocalAddr().String(), nil
}

// echo calls the echo extension with a tone and checks that it comes back, with the call's MOS.
func (r *run) echo(ctx context.Context) {
	r.timed("echo_call", func() (string, error, string) {
		hold := r.opts.EchoHold
		if hold <= 0 {
			hold = 4 * time.Second
		}
		dctx, cancel := context.WithTimeout(ctx, stepTimeout)
		c, err := r.ph.Dial(dctx, r.opts.EchoTarget)
		cancel()
		if err != nil {
			return fmt.Sprintf("The test call to %s failed: %s.", r.opts.EchoTarget, problem.Of(err).Message), err,
				"If the server has no echo extension, leave the test call out (--echo none); otherwise see the detail."
		}
		start := time.Now()
		select {
		case <-time.After(hold):
		case <-c.Done():
		case <-ctx.Done():
		}
		st := c.Stats()
		far := 0.0
		if s, ok := c.Sink().(*rtc.FrequencySink); ok {
			far, _ = s.Frequency()
		}
		hctx, hcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = c.Hangup(hctx)
		hcancel()
		q := st.Quality.Summary
		setup := ""
		if !st.FirstRTP.IsZero() {
			setup = fmt.Sprintf(", audio %d ms after the call started", st.FirstRTP.Sub(c.Started()).Milliseconds())
		}
		detail := fmt.Sprintf("Called %s for %.0f s%s: %s, ICE %s, MOS %.2f, loss %.1f %%, jitter %.1f ms, round trip %.0f ms",
			r.opts.EchoTarget, time.Since(start).Seconds(), setup, strings.ToLower(st.Codec), st.ICEPair, q.MOS, q.LossPct, q.JitterMs, q.RTTMs)
		switch {
		case st.PacketsIn == 0:
			return detail + "; no audio came back.", errors.New("no audio"),
				"The call connected but no audio arrived: UDP is probably blocked between you and the server; ask your IT team, or ask your administrator for a TURN server."
		case far < echoHz*0.97 || far > echoHz*1.03:
			return fmt.Sprintf("%s; the %d Hz tone sent did not come back (heard %.0f Hz).", detail, echoHz, far), errors.New("no echo"),
				"Audio arrives but is not our own: check that " + r.opts.EchoTarget + " is an echo extension."
		case q.MOS > 0 && q.MOS < quality.MOSThreshold:
			return detail + "; the call quality is poor.", errors.New("poor quality"),
				"The network loses or delays audio: use a wired connection, close large downloads or streams, or ask your IT team about the network path to the server."
		}
		return detail + "; the tone came back.", nil, ""
	})
}
