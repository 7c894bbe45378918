// Package doctor is the Phonebar's pre-flight check: from the server address to the agent's
// microphone, each step a softphone call needs (DNS, TCP, TLS, the Motion login and typology, the
// SIP WebSocket and REGISTER, STUN and TURN with the account's ICE servers, a test call to an echo
// extension with its MOS, the microphone and the speaker) is tried for real, in order, and
// reported as one Check with a verdict and, when it fails, what to do. The command line (phonebar
// doctor) and the window's Doctor page both run it.
package doctor

import (
	"context"
	"crypto/x509"
	"log/slog"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// Check is the outcome of one step.
type Check struct {
	// Name is the step: "dns", "tcp", "tls", "login", "sip", "stun", "turn", "echo_call",
	// "microphone", "speaker".
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	// MS is how long the step took, in milliseconds.
	MS int64 `json:"ms"`
	// Detail says what was found, in a sentence; Advice what to do about a failure ("" when OK).
	Detail string `json:"detail"`
	Advice string `json:"advice"`
}

// Report is every check run, in order; OK only when each one passed.
type Report struct {
	OK     bool    `json:"ok"`
	Checks []Check `json:"checks"`
}

// Options say what to check. Zero values are documented per field.
type Options struct {
	// Server is the Motion server's address as the agent typed it.
	Server string
	// User and Password log in; an empty User stops the doctor after TLS (the login and what
	// needs it are reported as failed, with the advice to give a login).
	User, Password string
	// Pin is a certificate fingerprint to trust (--trust-fingerprint); empty means the one saved in
	// Settings for the server, if any.
	Pin tlspin.Fingerprint
	// Settings are the saved settings (pins, plain ws:// allowances), read from SettingsPath.
	Settings     config.Settings
	SettingsPath string
	// EchoTarget is the extension that echoes audio back (the demo server's "*43"); empty leaves
	// the test call out.
	EchoTarget string
	// EchoHold is how long the test call lasts once answered; zero means 4 s.
	EchoHold time.Duration
	// Audio is the sound system for the microphone and speaker checks; nil leaves them out.
	Audio *audio.Host
	// Roots are the certificate authorities trusted; nil means the system's.
	Roots *x509.CertPool
	// AllowLoopback gathers loopback candidates for the test call (a server on this machine).
	AllowLoopback bool
	// OnCheck is called with each check as it completes, in order, on the calling goroutine.
	OnCheck func(Check)
	// Session, when set, is the window's session, logged in already: the doctor then neither logs
	// in (a second login would end the session) nor registers a phone of its own (a second
	// registration of the account could take the window's place at the PBX); it reports the
	// session and the window's phone as they are. User and Password are not used.
	Session *Session
	// Logger receives the test phone's logs and SIPTrace its SIP messages (see phone.Config);
	// nil: neither is kept.
	Logger   *slog.Logger
	SIPTrace sipua.TraceFunc
}

// Session is what the doctor needs of a session that is logged in (Options.Session).
type Session struct {
	// Who is who is logged in, as the login check reports it ("Dana (Dana Agent), typology webrtc").
	Who string
	// Account is the session's SIP account, nil for an agent without a softphone.
	Account *phone.Account
	// Registered says whether the window's phone is registered; Registration, when it is not,
	// what its registration says.
	Registered   bool
	Registration string
}

// Run runs the checks in order and returns them. A step whose prerequisite failed (no login
// without TLS) is reported as failed with the reason, so that the report always says how far it
// got; it never returns before every step it could reach was tried.
func Run(ctx context.Context, opts Options) Report {
	r := &run{opts: opts, report: Report{OK: true, Checks: []Check{}}}
	defer r.close()
	r.steps(ctx)
	return r.report
}
