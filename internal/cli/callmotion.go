package cli

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// motionAccount logs in to the Motion server as a WebRTC agent, as the window does, and returns the
// SIP account from whoami with the certificate pin the window would use for its WebSocket (the
// server's pin when the WebSocket is on the server's own host and port). Without pin, the one saved
// in the settings for the server is used. A plain ws:// SIP address is refused unless the settings
// allow it for the server (agent.CheckSIPAddress). The returned logout ends the session; it must be
// called once the calls are done.
func motionAccount(ctx context.Context, cfg *config.Store, server, user, password string, pin tlspin.Fingerprint, force bool) (phone.Account, func(), error) {
	u, err := motion.ParseServerURL(server)
	if err != nil {
		return phone.Account{}, nil, err
	}
	// Settings that cannot be read stop here: never without the server's pin.
	st, err := cfg.Load()
	if err != nil {
		return phone.Account{}, nil, err
	}
	if pin == "" {
		pin = st.Pins[motion.Origin(u)]
	}
	client, err := motion.New(motion.Options{BaseURL: u, Pin: pin})
	if err != nil {
		return phone.Account{}, nil, err
	}
	lr, err := client.Login(ctx, motion.LoginRequest{Name: user, Password: password, Force: force})
	if err != nil {
		client.CloseIdleConnections()
		return phone.Account{}, nil, err
	}
	logout := func() {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = client.Logout(lctx)
		cancel()
		client.CloseIdleConnections()
	}
	if lr.MustChangePassword {
		logout()
		return phone.Account{}, nil, fmt.Errorf("%s must change the password before anything else: log in with the window (or phonebar login) first", user)
	}
	who, err := client.Whoami(ctx)
	if err != nil {
		logout()
		return phone.Account{}, nil, err
	}
	if who.SIP == nil {
		logout()
		return phone.Account{}, nil, fmt.Errorf("%s is not a WebRTC agent (typology %q): the server hands out no SIP account; use --sip-ws and --sip-user", user, who.Typology)
	}
	if err := agent.CheckSIPAddress(st, cfg.Path(), motion.Origin(u), who.SIP.WSURI); err != nil {
		logout()
		return phone.Account{}, nil, err
	}
	var wsPin tlspin.Fingerprint
	if ws, err := url.Parse(who.SIP.WSURI); err == nil && ws.Host == u.Host {
		wsPin = pin
	}
	return phone.AccountFromMotion(*who.SIP, wsPin), logout, nil
}

// failLogin reports a failed Motion login with the same codes as phonebar login.
func (r *reporter) failLogin(err error) {
	code, sip, msg := classify(err)
	r.fail(code, sip, msg)
}
