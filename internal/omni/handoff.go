package omni

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// Form says how the server's login page is found and filled: the settings' Omni section, so a server
// with another page layout is served without a new release. Empty fields mean config's defaults.
type Form = config.Omni

// withDefaults returns f with empty fields set to the settings' defaults.
func withDefaults(f Form) Form {
	s := config.Settings{Omni: f}
	s.ApplyDefaults()
	return s.Omni
}

// Handoff is everything the Omni Desktop window needs: where to go, how to log in, which certificate
// to trust. It carries the password, so it only ever travels over the inherited pipe, and the
// window's process keeps it: with config.HandoffSession (the default) it logs in over REST and gives
// the web view only the session cookie, so the password never enters any page.
type Handoff struct {
	// Origin is the server's origin, "https://host[:port]".
	Origin string `json:"origin"`
	Form   Form   `json:"form"`
	// Username and Password are the agent's Motion credentials.
	Username string `json:"username"`
	Password string `json:"password,omitempty"`
	// SignInCode, for an agent who signed in with a provider (no password), is a one-time code
	// from motion.PathAuthWebCode: the window opens motion.PathSSOCallback with it instead of
	// filling the login form. Exactly one of Password and SignInCode is set.
	SignInCode string `json:"signInCode,omitempty"`
	// CertPEM is the pinned self-signed certificate of the server, empty when the server's
	// certificate verifies against the system roots.
	CertPEM string `json:"certPem,omitempty"`
	// Pin is the fingerprint CertPEM must have.
	Pin tlspin.Fingerprint `json:"pin,omitempty"`
	// PhonebarOwnsPhone tells the Omni Desktop not to register a phone of its own: the Phonebar's
	// softphone is the agent's phone.
	PhonebarOwnsPhone bool `json:"phonebarOwnsPhone,omitempty"`
	// Title is the window title.
	Title string `json:"title,omitempty"`
	// Phone is the hot-desk telephone and Line the line (external agents without Hot Desk) the agent
	// chose at the Phonebar's login: the REST login of the web session (HandoffSession) makes the
	// same choice, so that the server neither asks again nor moves the agent's calls.
	Phone string `json:"phone,omitempty"`
	Line  string `json:"line,omitempty"`
	// Beside is where the bar is, for the window to open beside it; nil leaves the place to the
	// system.
	Beside *Place `json:"beside,omitempty"`
}

// ErrBadHandoff is returned when a handoff is incomplete or points anywhere but an https origin.
var ErrBadHandoff = errors.New("omni: bad handoff")

// ErrNoSession: the Omni Desktop was asked for without a Phonebar session to log it in with.
var ErrNoSession = errors.New("omni: no session to open the omni desktop with")

// ErrNoPassword: the session's password is no longer held in memory for the Omni Desktop login.
var ErrNoPassword = errors.New("omni: the session's password is not held for the omni desktop login")

// Validate checks that the handoff can be used safely.
func (h Handoff) Validate() error {
	if err := validOrigin(h.Origin); err != nil {
		return err
	}
	if h.Username == "" || (h.Password == "") == (h.SignInCode == "") {
		return fmt.Errorf("%w: a username and either a password or a sign-in code are required", ErrBadHandoff)
	}
	if lp := withDefaults(h.Form).LoginPath; !strings.HasPrefix(lp, "/") || strings.ContainsAny(lp, "?#") {
		return fmt.Errorf("%w: login path must be an absolute path, got %q", ErrBadHandoff, lp)
	}
	if ap := withDefaults(h.Form).AppPath; strings.ContainsAny(ap, "#") {
		return fmt.Errorf("%w: app path must be a path, got %q", ErrBadHandoff, ap)
	}
	if err := (config.Settings{Omni: h.Form}).Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrBadHandoff, err)
	}
	return nil
}

// validOrigin checks that origin is https://host[:port] and nothing more.
func validOrigin(origin string) error {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("%w: origin must be https://host[:port], got %q", ErrBadHandoff, origin)
	}
	return nil
}

// LoginURL is where the window goes first.
func (h Handoff) LoginURL() string {
	return strings.TrimSuffix(h.Origin, "/") + withDefaults(h.Form).LoginPath
}

// Host returns the host[:port] of the origin.
func (h Handoff) Host() string {
	u, err := url.Parse(h.Origin)
	if err != nil {
		return ""
	}
	return u.Host
}

// maxHandoff bounds what the window reads from the pipe.
const maxHandoff = 1 << 20

// Command is a message from the Phonebar to an open Omni Desktop window, after the handoff.
type Command struct {
	// Op is OpShow (bring the window to the front; from a page shown, back to the Omni Desktop),
	// OpShowPage or OpClose.
	Op string `json:"op"`
	// URL is the page of OpShowPage (CheckPageURL).
	URL string `json:"url,omitempty"`
}

// Commands the Phonebar sends to the window.
const (
	OpShow     = "show"
	OpShowPage = "page"
	OpClose    = "close"
)

// Receiver reads, in the window's process, the handoff and then the commands from the pipe.
type Receiver struct {
	dec *json.Decoder
}

// NewReceiver reads from r, the inherited pipe.
func NewReceiver(r io.Reader) *Receiver {
	dec := json.NewDecoder(io.LimitReader(r, maxHandoff))
	dec.DisallowUnknownFields()
	return &Receiver{dec: dec}
}

// Handoff reads and validates the handoff, the first message.
func (r *Receiver) Handoff() (Handoff, error) {
	var h Handoff
	if err := r.dec.Decode(&h); err != nil {
		return Handoff{}, fmt.Errorf("%w: %v", ErrBadHandoff, err)
	}
	return h, h.Validate()
}

// Next blocks for the next command; io.EOF means the Phonebar is gone and the window should close.
func (r *Receiver) Next() (Command, error) {
	var c Command
	err := r.dec.Decode(&c)
	return c, err
}

// sender writes messages to the window's pipe.
type sender struct {
	w io.Writer
}

func (s sender) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.w.Write(append(b, '\n'))
	return err
}
