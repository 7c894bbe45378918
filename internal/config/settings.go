// Package config reads and writes the Phonebar's settings file (settings.json in the user's config
// directory: $XDG_CONFIG_HOME/phonebar on Linux, ~/Library/Application Support/phonebar on macOS,
// %AppData%\phonebar on Windows). It never holds secrets: passwords live in the OS keyring
// (internal/credstore), and nothing here has a field for one.
package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/phonebar/phonebar/internal/screenpop"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// Default values of the Omni Desktop login form, as the real v3 login page is built.
const (
	DefaultLoginPath        = "/login"
	DefaultUsernameSelector = `input[name=username]`
	DefaultPasswordSelector = `p-password input, input[type=password]`
	DefaultSubmitSelector   = `button[type=submit]`
)

// Ways the Omni Desktop window is logged in (Omni.Handoff).
const (
	// HandoffSession logs in over REST from the Phonebar and gives the window the web session as a
	// cookie before the Omni Desktop loads: no password ever enters the page. The default.
	HandoffSession = "session"
	// HandoffForm fills the server's login form, from a script world the page cannot reach, once,
	// on the login page only: the fallback for a server that keeps its session another way.
	HandoffForm = "form"
)

// Defaults of the Omni Desktop's web session, as MOTION.md infers the real server keeps it
// ([ours, inferred]: the token in a Secure cookie): correct them here against a real server.
const (
	DefaultAppPath        = "/"
	DefaultCookieName     = "token"
	DefaultCookiePath     = "/"
	DefaultCookieSameSite = "lax"
)

// MaxAutoAnswerDelaySeconds bounds Phone.AutoAnswerDelaySeconds.
const MaxAutoAnswerDelaySeconds = 60

// Settings is the content of the settings file. The zero value is valid and means "nothing saved
// yet": Load fills the Omni defaults in.
type Settings struct {
	// ServerURL is the origin of the last Motion server logged in to ("https://host[:port]"); empty:
	// none yet.
	ServerURL string `json:"serverUrl,omitempty"`
	// Username is the last login name used; empty: none yet.
	Username string `json:"username,omitempty"`
	// RememberMe says the password of Username on ServerURL is saved in the OS keyring and the
	// Phonebar logs in by itself at start. False (zero): ask for the password.
	RememberMe bool `json:"rememberMe,omitempty"`
	// Pins maps a server origin ("https://host[:port]") to the certificate fingerprint the user chose
	// to trust for it. Nil or absent: no pin, only certificates the system trusts are accepted.
	Pins map[string]tlspin.Fingerprint `json:"pins,omitempty"`
	// Lines remembers, by LineKey(origin, user), where the calls of an external agent without Hot
	// Desk rang at its last login here ("internal", "phone", "mobile"), so that the login form
	// offers that choice again. Other users have no entry.
	Lines map[string]string `json:"lines,omitempty"`
	// AllowInsecureSIP maps a server origin ("https://host[:port]") to true when the user accepts
	// that this Motion server hands out a plain ws:// SIP address, over which SIP messages and the
	// DTLS fingerprints that protect the call audio travel in clear. Nil or absent: a ws:// address
	// from any server is refused (INSECURE_SIP_WS), only wss:// is used.
	AllowInsecureSIP map[string]bool `json:"allowInsecureSipWs,omitempty"`
	// Omni says how the Omni Desktop login form is found and filled.
	Omni Omni `json:"omni"`
	// Audio holds the chosen devices.
	Audio Audio `json:"audio"`
	// Phone holds the softphone's behaviour.
	Phone Phone `json:"phone"`
	// ControlAPI configures the local control API (internal/controlapi).
	ControlAPI ControlAPI `json:"controlApi"`
	// ScreenPop opens a page about the caller when a call rings (internal/screenpop).
	ScreenPop ScreenPop `json:"screenPop"`
	// Desktop says how the Phonebar lives on the desktop.
	Desktop Desktop `json:"desktop"`
	// Log says what goes into the log files (internal/logging).
	Log Log `json:"log"`
}

// LogLevels are the values of Log.Level, least verbose first.
var LogLevels = []string{"error", "warn", "info", "debug", "trace"}

// Log says what the Phonebar writes to its log folder.
type Log struct {
	// Level is the least severe level written to the log file, one of LogLevels; empty: "info".
	Level string `json:"level,omitempty"`
	// SIPTraceOff stops the SIP trace; false (zero): every SIP message in and out is written to the
	// trace file, with digests, passwords and ICE passwords redacted.
	SIPTraceOff bool `json:"sipTraceOff,omitempty"`
}

// ScreenPop opens a page about the caller, such as the CRM's search for the caller's number, when
// a call rings.
type ScreenPop struct {
	// URL is the page's template, https://… with {callerNumber}, {callerName}, {agent} or {callId}
	// after the host, each replaced by the call's value, query-escaped; empty: no page is opened.
	URL string `json:"url,omitempty"`
	// Open is "browser" (the system's web browser) or "omni" (the Omni Desktop window when it is
	// open, the browser otherwise); empty: "browser".
	Open string `json:"open,omitempty"`
}

// Desktop says how the Phonebar lives on the desktop (internal/desktop).
type Desktop struct {
	// StartWithSystem starts the Phonebar when the user logs in (internal/autostart); false (zero):
	// it is started by hand.
	StartWithSystem bool `json:"startWithSystem,omitempty"`
	// CompactDuringCalls shrinks the window to its compact size and keeps it above other windows
	// while a call is up, and puts it back afterwards; false (zero): the window stays as it is.
	CompactDuringCalls bool `json:"compactDuringCalls,omitempty"`
}

// ControlAPI configures the local control API through which other programs of the desk (a CRM
// page) drive the Phonebar. It runs while an agent is logged in whose server turns Remote Control
// on, or while Enabled.
type ControlAPI struct {
	// Enabled runs it for every agent; false (zero): only when the server turns Remote Control on.
	Enabled bool `json:"enabled,omitempty"`
	// Listen is the loopback address and port, "127.0.0.1:PORT" or "[::1]:PORT"; empty:
	// 127.0.0.1:9888.
	Listen string `json:"listen,omitempty"`
	// AllowedOrigins are the web origins ("https://crm.example.com") whose pages may call it;
	// empty: no web page may.
	AllowedOrigins []string `json:"allowedOrigins,omitempty"`
	// The token callers must present comes from the machine policy only (policy.ControlAPI):
	// settings hold no secret.
}

// Omni says where the Omni Desktop login page is and which CSS selectors find its fields, so that a
// server with another page layout can be served by editing the settings file. An empty field means its
// Default* constant.
type Omni struct {
	// LoginPath is the path of the login page; empty: DefaultLoginPath.
	LoginPath string `json:"loginPath,omitempty"`
	// UsernameSelector finds the login-name input; empty: DefaultUsernameSelector.
	UsernameSelector string `json:"usernameSelector,omitempty"`
	// PasswordSelector finds the password input; empty: DefaultPasswordSelector.
	PasswordSelector string `json:"passwordSelector,omitempty"`
	// SubmitSelector finds the login button; empty: DefaultSubmitSelector.
	SubmitSelector string `json:"submitSelector,omitempty"`
	// Handoff is HandoffSession or HandoffForm; empty: HandoffSession.
	Handoff string `json:"handoff,omitempty"`
	// AppPath is where the window goes once it holds the web session (HandoffSession); empty:
	// DefaultAppPath.
	AppPath string `json:"appPath,omitempty"`
	// SessionCookie says how the web pages keep their session token (HandoffSession).
	SessionCookie SessionCookie `json:"sessionCookie"`
}

// SessionCookie is the cookie in which the Omni Desktop keeps its session token. It is always
// Secure and never outlives the window.
type SessionCookie struct {
	// Name; empty: DefaultCookieName.
	Name string `json:"name,omitempty"`
	// Path; empty: DefaultCookiePath.
	Path string `json:"path,omitempty"`
	// SameSite is "lax", "strict" or "none"; empty: DefaultCookieSameSite.
	SameSite string `json:"sameSite,omitempty"`
	// ScriptReadable drops HttpOnly, for a server whose own page scripts read the token from the
	// cookie; false (zero): HttpOnly, page scripts cannot read it.
	ScriptReadable bool `json:"scriptReadable,omitempty"`
}

// Audio stores the chosen devices by ID (what the audio backend opens) and by name (what the user
// saw, to find the device again when IDs change). Empty: the system default device.
type Audio struct {
	MicrophoneID   string `json:"microphoneId,omitempty"`
	MicrophoneName string `json:"microphoneName,omitempty"`
	SpeakerID      string `json:"speakerId,omitempty"`
	SpeakerName    string `json:"speakerName,omitempty"`
	RingerID       string `json:"ringerId,omitempty"`
	RingerName     string `json:"ringerName,omitempty"`
	// ProcessingOff sends the microphone to calls as it is; false (zero): echo cancellation, noise
	// suppression and gain control are on.
	ProcessingOff bool `json:"processingOff,omitempty"`
}

// Phone holds the softphone's behaviour (reserved for the phone layer).
type Phone struct {
	// AutoAnswer answers incoming calls by itself; false (zero): the agent answers.
	AutoAnswer bool `json:"autoAnswer,omitempty"`
	// AutoAnswerDelaySeconds waits this long before auto-answering; 0: at once. At most
	// MaxAutoAnswerDelaySeconds.
	AutoAnswerDelaySeconds int `json:"autoAnswerDelaySeconds,omitempty"`
}

// Default returns the settings of a fresh installation.
func Default() Settings {
	var s Settings
	s.ApplyDefaults()
	return s
}

// ApplyDefaults fills every empty field that has a default.
func (s *Settings) ApplyDefaults() {
	o := &s.Omni
	if o.LoginPath == "" {
		o.LoginPath = DefaultLoginPath
	}
	if o.UsernameSelector == "" {
		o.UsernameSelector = DefaultUsernameSelector
	}
	if o.PasswordSelector == "" {
		o.PasswordSelector = DefaultPasswordSelector
	}
	if o.SubmitSelector == "" {
		o.SubmitSelector = DefaultSubmitSelector
	}
	if o.Handoff == "" {
		o.Handoff = HandoffSession
	}
	if o.AppPath == "" {
		o.AppPath = DefaultAppPath
	}
	c := &o.SessionCookie
	if c.Name == "" {
		c.Name = DefaultCookieName
	}
	if c.Path == "" {
		c.Path = DefaultCookiePath
	}
	if c.SameSite == "" {
		c.SameSite = DefaultCookieSameSite
	}
}

// Validate reports the first problem of s, as an error matching ErrInvalid that names the field.
// Empty Omni fields are valid (they mean the defaults).
func (s Settings) Validate() error {
	if s.ServerURL != "" {
		if err := validOrigin(s.ServerURL); err != nil {
			return fmt.Errorf("%w: serverUrl %q %v", ErrInvalid, s.ServerURL, err)
		}
	}
	if strings.ContainsAny(s.Username, " \t\r\n") {
		return fmt.Errorf("%w: username %q contains white space", ErrInvalid, s.Username)
	}
	for origin, fp := range s.Pins {
		if err := validOrigin(origin); err != nil {
			return fmt.Errorf("%w: pins key %q %v", ErrInvalid, origin, err)
		}
		if p, err := tlspin.Parse(string(fp)); err != nil || p != fp {
			return fmt.Errorf("%w: pins[%q] is not a SHA-256 fingerprint in lowercase hex", ErrInvalid, origin)
		}
	}
	for origin := range s.AllowInsecureSIP {
		if err := validOrigin(origin); err != nil {
			return fmt.Errorf("%w: allowInsecureSipWs key %q %v", ErrInvalid, origin, err)
		}
	}
	if p := s.Omni.LoginPath; p != "" && !strings.HasPrefix(p, "/") {
		return fmt.Errorf("%w: omni.loginPath %q must start with /", ErrInvalid, p)
	}
	if err := s.Omni.validateHandoff(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := s.ControlAPI.validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if _, err := screenpop.Parse(s.ScreenPop.URL); err != nil {
		return fmt.Errorf("%w: screenPop.url %q is refused: %v", ErrInvalid, s.ScreenPop.URL, strings.TrimPrefix(err.Error(), screenpop.ErrTemplate.Error()+": "))
	}
	if err := screenpop.CheckOpen(s.ScreenPop.Open); err != nil {
		return fmt.Errorf("%w: screenPop.open %q is refused: %v", ErrInvalid, s.ScreenPop.Open, strings.TrimPrefix(err.Error(), screenpop.ErrTemplate.Error()+": "))
	}
	if l := s.Log.Level; l != "" && !slices.Contains(LogLevels, l) {
		return fmt.Errorf("%w: log.level %q must be one of %s", ErrInvalid, l, strings.Join(LogLevels, ", "))
	}
	d := s.Phone.AutoAnswerDelaySeconds
	if d < 0 || d > MaxAutoAnswerDelaySeconds {
		return fmt.Errorf("%w: phone.autoAnswerDelaySeconds is %d, expected 0 to %d", ErrInvalid, d, MaxAutoAnswerDelaySeconds)
	}
	return nil
}

// validateHandoff checks the hand-off fields; empty ones mean their defaults.
func (o Omni) validateHandoff() error {
	switch o.Handoff {
	case "", HandoffSession, HandoffForm:
	default:
		return fmt.Errorf("omni.handoff %q must be %q or %q", o.Handoff, HandoffSession, HandoffForm)
	}
	if p := o.AppPath; p != "" && (!strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//")) {
		return fmt.Errorf("omni.appPath %q must be a path starting with a single /", p)
	}
	c := o.SessionCookie
	if c.Name != "" && (strings.ContainsAny(c.Name, "=;, \t\r\n\"") || strings.HasPrefix(strings.ToLower(c.Name), "__host-") && c.Path != "" && c.Path != "/") {
		return fmt.Errorf("omni.sessionCookie.name %q is not a cookie name", c.Name)
	}
	if p := c.Path; p != "" && (!strings.HasPrefix(p, "/") || strings.ContainsAny(p, ";\r\n")) {
		return fmt.Errorf("omni.sessionCookie.path %q must start with /", p)
	}
	switch strings.ToLower(c.SameSite) {
	case "", "lax", "strict", "none":
	default:
		return fmt.Errorf("omni.sessionCookie.sameSite %q must be \"lax\", \"strict\" or \"none\"", c.SameSite)
	}
	return nil
}

// validOrigin accepts "https://host[:port]" with nothing after it.
func validOrigin(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("is not an address")
	case u.Scheme != "https":
		return fmt.Errorf("must start with https://")
	case u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("must be https://host or https://host:port")
	}
	return nil
}

// LineKey is the key of Settings.Lines for user on the server at origin.
func LineKey(origin, user string) string { return origin + " " + user }

// InsecureSIPAllowed reports whether the user allowed a plain ws:// SIP address from the server at
// origin (see AllowInsecureSIP).
func (s Settings) InsecureSIPAllowed(origin string) bool { return s.AllowInsecureSIP[origin] }

// validate checks the control API's address and origins.
func (c ControlAPI) validate() error {
	if c.Listen != "" {
		host, port, err := net.SplitHostPort(c.Listen)
		ip := net.ParseIP(host)
		if err != nil || ip == nil || !ip.IsLoopback() || port == "" {
			return fmt.Errorf("controlApi.listen %q must be a loopback address and port, 127.0.0.1:PORT or [::1]:PORT", c.Listen)
		}
	}
	for i, o := range c.AllowedOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("controlApi.allowedOrigins[%d] %q must be an origin such as https://crm.example.com", i, o)
		}
	}
	return nil
}
