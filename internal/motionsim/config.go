package motionsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/motion"
)

// Config is the demo server's settings and seed users, in the shape of the JSON file given to
// `phonebar demo-server --config FILE`. Zero values are documented per field; DefaultConfig is the
// built-in demo.
type Config struct {
	// PublicURL is the address users reach the server at, https://HOST[:PORT], for the links the
	// server sends (password reset) and, when set, the SIP WebSocket and domain handed to WebRTC
	// agents. Empty means the address the server listens on, as Start prints it. Links are never
	// built from a request's Host header, which the client chooses.
	PublicURL string `json:"publicUrl,omitempty"`
	// SecuritySuite turns on the password rules, first-login password change and password expiry.
	SecuritySuite bool `json:"securitySuite"`
	// MaxLoginAttempts locks an account after that many wrong passwords in a row; 0 never locks.
	MaxLoginAttempts int `json:"maxLoginAttempts"`
	// UnlockAfterMinutes unlocks a locked account by itself after that long; 0 means only an
	// administrator can unlock it.
	UnlockAfterMinutes int `json:"unlockAfterMinutes"`
	// PasswordMaxAgeDays is how long a password lasts under the Security Suite; 0 means 90.
	PasswordMaxAgeDays int `json:"passwordMaxAgeDays"`
	// PasswordHistory is how many previous passwords a new one must also differ from under the
	// Security Suite, 0 to 12; 0 means only the current one.
	PasswordHistory int `json:"passwordHistory,omitempty"`
	// LicenseExpiresAt (RFC 3339) is when the license ends; logins within 30 days of it carry a
	// notice. Empty: no license notice.
	LicenseExpiresAt string `json:"licenseExpiresAt,omitempty"`
	// DisconnectionTimeoutMinutes ends a session that has had no realtime socket for that long;
	// 0 never does.
	DisconnectionTimeoutMinutes int `json:"disconnectionTimeoutMinutes"`
	// SSOProviders lists the single sign-on providers enabled: "google", "activedirectory". The
	// login page shows their buttons, which lead to the demo server's simulated provider. Empty:
	// none.
	SSOProviders []string `json:"ssoProviders,omitempty"`
	// PhonebarMultiLogin lets agents of typology phonebar hold several sessions of the same client
	// kind at once; false (the default) treats a second one as a conflict like for every other user.
	PhonebarMultiLogin bool `json:"phonebarMultiLogin,omitempty"`
	// PauseTypes are the reasons agents give for a pause, in the order they are offered; IDs are
	// 1 or more and unique, names unique. Empty: agents pause without a reason.
	PauseTypes []motion.PauseType `json:"pauseTypes,omitempty"`
	// LoginPaused says a new session starts paused (not ready, no reason); false starts it ready.
	// Nil (absent) means true.
	LoginPaused *bool `json:"loginPaused,omitempty"`
	// SIP is what WebRTC agents receive in whoami.
	SIP SIPConfig `json:"sip"`
	// PBX configures the demo server's own SIP-over-WebSocket registrar and extensions.
	PBX PBXConfig `json:"pbx"`
	// Phones are the hot-desk telephones external agents with HotDesk pick from. Empty: none.
	Phones []PhoneConfig `json:"phones,omitempty"`
	// Users are the seed users, given ids 1, 2, ... in order.
	Users []UserConfig `json:"users"`
}

// PhoneConfig is one hot-desk telephone.
type PhoneConfig struct {
	// Name is what the agent picks, e.g. "Desk 12 (SIP/2012)".
	Name string `json:"name"`
	// Registered says the telephone is connected to the server; unregistered ones are hidden
	// (unless none is registered: then all are listed).
	Registered bool `json:"registered"`
	// Busy marks a telephone still held after a failed logout: hidden.
	Busy bool `json:"busy,omitempty"`
}

// SIPConfig holds the SIP settings handed to WebRTC agents.
type SIPConfig struct {
	// WSURI is the SIP WebSocket URI; empty means the demo server's own PBX, at /ws on the listener
	// and host the request came to (wss://HOST:PORT/ws), or, with pbx.disabled, wss://HOST:8089/ws
	// (Asterisk's default).
	WSURI string `json:"wsUri,omitempty"`
	// Domain is the SIP domain; empty means the host the request came to.
	Domain string `json:"domain,omitempty"`
	// ICEServers are handed over as they are; empty means none.
	ICEServers []motion.ICEServer `json:"iceServers,omitempty"`
}

// PBXConfig configures the demo server's PBX (internal/motionsim/pbx): the SIP-over-WebSocket
// registrar of its WebRTC agents, the extensions *43 (echo) and *44 (1 kHz tone, DTMF sent back),
// and customer calls started from the admin page or API.
type PBXConfig struct {
	// Disabled turns the PBX off: /ws answers 404, and sip.wsUri should name another server.
	Disabled bool `json:"disabled,omitempty"`
	// CustomerToneHz is the tone a customer call plays to the agent, 50 to 4000; 0 means 440.
	CustomerToneHz float64 `json:"customerToneHz,omitempty"`
	// CustomerCallSeconds is how long an answered customer call lasts when the request does not
	// say, 1 to 3600; 0 means 60.
	CustomerCallSeconds int `json:"customerCallSeconds,omitempty"`
	// RingSeconds is how long a customer call rings before it gives up, 1 to 300; 0 means 30.
	RingSeconds int `json:"ringSeconds,omitempty"`
	// RegisterSeconds is how long a new SIP WebSocket may go without registering (digest
	// credentials of an account) before it is closed, 1 to 60; 0 means 5.
	RegisterSeconds int `json:"registerSeconds,omitempty"`
	// MaxConnectionsPerAddress bounds the SIP WebSockets open at once from one IP address, 1 to
	// 256; 0 means 16. Raise it when many trainees share one address (NAT).
	MaxConnectionsPerAddress int `json:"maxConnectionsPerAddress,omitempty"`
	// MaxCallsPerUser bounds the live calls of one agent's SIP account, 1 to 64; 0 means 4.
	MaxCallsPerUser int `json:"maxCallsPerUser,omitempty"`
}

// maxCustomerCallSeconds bounds a customer call's length.
const maxCustomerCallSeconds = 3600

func (p PBXConfig) validate() error {
	switch {
	case p.CustomerToneHz != 0 && (p.CustomerToneHz < 50 || p.CustomerToneHz > 4000):
		return &ConfigError{Field: "pbx.customerToneHz", Problem: fmt.Sprintf("must be 50 to 4000 Hz, not %g", p.CustomerToneHz)}
	case p.CustomerCallSeconds < 0 || p.CustomerCallSeconds > maxCustomerCallSeconds:
		return &ConfigError{Field: "pbx.customerCallSeconds", Problem: fmt.Sprintf("must be 1 to %d (0: 60), not %d", maxCustomerCallSeconds, p.CustomerCallSeconds)}
	case p.RingSeconds < 0 || p.RingSeconds > 300:
		return &ConfigError{Field: "pbx.ringSeconds", Problem: fmt.Sprintf("must be 1 to 300 (0: 30), not %d", p.RingSeconds)}
	case p.RegisterSeconds < 0 || p.RegisterSeconds > 60:
		return &ConfigError{Field: "pbx.registerSeconds", Problem: fmt.Sprintf("must be 1 to 60 (0: 5), not %d", p.RegisterSeconds)}
	case p.MaxConnectionsPerAddress < 0 || p.MaxConnectionsPerAddress > 256:
		return &ConfigError{Field: "pbx.maxConnectionsPerAddress", Problem: fmt.Sprintf("must be 1 to 256 (0: 16), not %d", p.MaxConnectionsPerAddress)}
	case p.MaxCallsPerUser < 0 || p.MaxCallsPerUser > 64:
		return &ConfigError{Field: "pbx.maxCallsPerUser", Problem: fmt.Sprintf("must be 1 to 64 (0: 4), not %d", p.MaxCallsPerUser)}
	}
	return nil
}

// UserConfig is one seed user.
type UserConfig struct {
	Name     string `json:"name"`
	Fullname string `json:"fullname"`
	Email    string `json:"email,omitempty"`
	// Role is agent, admin or user; empty means agent.
	Role string `json:"role,omitempty"`
	// Typology is for agents only: phonebar, external, webrtc or mobile; empty means phonebar.
	Typology string `json:"typology,omitempty"`
	Internal string `json:"internal,omitempty"`
	// PhoneNumber and MobileNumber are the numbers an external agent's calls ring on the lines
	// "phone" and "mobile" (whoami says them); empty: none set.
	PhoneNumber  string `json:"phoneNumber,omitempty"`
	MobileNumber string `json:"mobileNumber,omitempty"`
	// Password is the password in clear, only for seeding (it is hashed at start and never kept).
	// Exactly one of Password and PasswordHash is set.
	Password string `json:"password,omitempty"`
	// PasswordHash is a bcrypt hash ($2a$/$2b$/$2y$).
	PasswordHash string `json:"passwordHash,omitempty"`
	// HotDesk marks an external agent who picks one of Config.Phones at login. With no phone
	// configured it is not enforced (a telephone named at login is recorded as given).
	HotDesk bool `json:"hotDesk,omitempty"`
	// MustChangePassword forces a password change at the next login (Security Suite only).
	MustChangePassword bool `json:"mustChangePassword,omitempty"`
	// PasswordChangedAt (RFC 3339) dates the password for expiry; empty means the server's start.
	PasswordChangedAt string `json:"passwordChangedAt,omitempty"`
	// APIKey lets the user call the API with ?apikey=; empty means none.
	APIKey string `json:"apikey,omitempty"`
	// SIPPassword is the SIP password of a WebRTC agent (required for them).
	SIPPassword string `json:"sipPassword,omitempty"`
	// RemoteControl turns the Phonebar's local control API on for this agent (whoami says so);
	// false (the default): off unless the agent's own settings turn it on.
	RemoteControl bool `json:"remoteControl,omitempty"`
}

// DemoLogin is one login shown in demo mode.
type DemoLogin struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Typology string `json:"typology"`
}

// DemoLogins lists the users of c that have a clear password, for the demo mode's screens. The
// typology of a user without one is its role (admin, user).
func (c *Config) DemoLogins() []DemoLogin {
	var out []DemoLogin
	for _, u := range c.Users {
		if u.Password == "" {
			continue
		}
		kind := u.Typology
		if roleOrDefault(u.Role) != motion.RoleAgent {
			kind = u.Role
		} else if kind == "" {
			kind = motion.TypologyPhonebar
		}
		out = append(out, DemoLogin{Name: u.Name, Password: u.Password, Typology: kind})
	}
	return out
}

// LoadConfig reads and validates a configuration file.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("demo server configuration: %w", err)
	}
	defer f.Close()
	return ParseConfig(f)
}

// maxConfigBytes bounds a configuration file.
const maxConfigBytes = 4 << 20

// ParseConfig reads a JSON configuration and validates it. Unknown fields are refused by name.
func ParseConfig(r io.Reader) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("demo server configuration: %w", err)
	}
	if len(data) > maxConfigBytes {
		return nil, &ConfigError{Field: "(file)", Problem: "larger than 4 MiB"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, configJSONError(data, err)
	}
	if dec.More() {
		return nil, &ConfigError{Field: "(file)", Problem: "extra data after the JSON object"}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// configJSONError turns a decoding error into one that names the field or the line.
func configJSONError(data []byte, err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(file)"
		}
		return &ConfigError{Field: field, Problem: fmt.Sprintf("expected %s, found a JSON %s", te.Type, te.Value)}
	case errors.As(err, &se):
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return &ConfigError{Field: "(file)", Problem: fmt.Sprintf("invalid JSON at line %d: %v", line, err)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return &ConfigError{Field: strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), Problem: "unknown field"}
	case errors.Is(err, io.EOF):
		return &ConfigError{Field: "(file)", Problem: "empty"}
	default:
		return &ConfigError{Field: "(file)", Problem: err.Error()}
	}
}

// namePattern is what Motion allows in a login name.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9._]{1,64}$`)

var ssoProviders = map[string]bool{"google": true, "activedirectory": true}

// maxPasswordHistory is the longest password history the Security Suite enforces. [doc]
const maxPasswordHistory = 12

// phoneNamePattern is what a hot-desk telephone's name may hold.
var phoneNamePattern = regexp.MustCompile(`^[\p{L}\p{N} ._/()#:@+-]{1,64}$`)

// Validate checks every field and returns a *ConfigError for the first one that is wrong.
func (c *Config) Validate() error {
	if err := ValidatePublicURL(c.PublicURL); err != nil {
		return err
	}
	if err := c.validateSettings(); err != nil {
		return err
	}
	if err := c.PBX.validate(); err != nil {
		return err
	}
	seen := map[string]int{}
	for i, p := range c.Phones {
		if !phoneNamePattern.MatchString(p.Name) || strings.TrimSpace(p.Name) != p.Name {
			return &ConfigError{Field: fmt.Sprintf("phones[%d].name", i), Problem: fmt.Sprintf("%q must be 1 to 64 letters, digits, spaces or ._/()#:@+- without spaces around", p.Name)}
		}
		if j, dup := seen[strings.ToLower(p.Name)]; dup {
			return &ConfigError{Field: fmt.Sprintf("phones[%d].name", i), Problem: fmt.Sprintf("%q is already the name of phones[%d]", p.Name, j)}
		}
		seen[strings.ToLower(p.Name)] = i
	}
	return c.validateUsers()
}

// ValidatePublicURL checks a Config.PublicURL ("" is valid: the listen address).
func ValidatePublicURL(v string) error {
	if v == "" {
		return nil
	}
	bad := func(problem string) error {
		return &ConfigError{Field: "publicUrl", Problem: fmt.Sprintf("%q %s: give the address users open, such as https://motion.example.test:8443", v, problem)}
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return bad("is not a URL")
	case u.Scheme != "https":
		return bad("must start with https://")
	case u.Host == "" || u.Hostname() == "":
		return bad("names no host")
	case u.User != nil:
		return bad("must not carry a user name or password")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.ForceQuery:
		return bad("must have no path, query or fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad("has a port that is not 1 to 65535")
		}
	}
	return nil
}

// validateSettings checks the administrator's settings (what PathAdminSettings may change too).
func (c *Config) validateSettings() error {
	nonNeg := []struct {
		field string
		v     int
	}{
		{"maxLoginAttempts", c.MaxLoginAttempts},
		{"unlockAfterMinutes", c.UnlockAfterMinutes},
		{"passwordMaxAgeDays", c.PasswordMaxAgeDays},
		{"disconnectionTimeoutMinutes", c.DisconnectionTimeoutMinutes},
		{"passwordHistory", c.PasswordHistory},
	}
	for _, f := range nonNeg {
		if f.v < 0 {
			return &ConfigError{Field: f.field, Problem: fmt.Sprintf("must be 0 or more, not %d", f.v)}
		}
	}
	if c.PasswordHistory > maxPasswordHistory {
		return &ConfigError{Field: "passwordHistory", Problem: fmt.Sprintf("must be at most %d, not %d", maxPasswordHistory, c.PasswordHistory)}
	}
	if c.LicenseExpiresAt != "" {
		if _, err := time.Parse(time.RFC3339, c.LicenseExpiresAt); err != nil {
			return &ConfigError{Field: "licenseExpiresAt", Problem: fmt.Sprintf("%q is not an RFC 3339 time such as 2027-01-31T00:00:00Z", c.LicenseExpiresAt)}
		}
	}
	if err := validatePauseTypes(c.PauseTypes); err != nil {
		return err
	}
	dupSSO := map[string]bool{}
	for i, p := range c.SSOProviders {
		if !ssoProviders[p] {
			return &ConfigError{Field: fmt.Sprintf("ssoProviders[%d]", i), Problem: fmt.Sprintf("%q is not one of google, activedirectory", p)}
		}
		if dupSSO[p] {
			return &ConfigError{Field: fmt.Sprintf("ssoProviders[%d]", i), Problem: fmt.Sprintf("%q is listed twice", p)}
		}
		dupSSO[p] = true
	}
	return nil
}

// maxPauseTypes bounds the pause types; maxPauseTypeName the length of a name.
const (
	maxPauseTypes    = 64
	maxPauseTypeName = 64
)

// validatePauseTypes checks the pause types: IDs 1 or more and unique, names unique (in any case),
// not blank, at most maxPauseTypeName characters, no control characters.
func validatePauseTypes(types []motion.PauseType) error {
	if len(types) > maxPauseTypes {
		return &ConfigError{Field: "pauseTypes", Problem: fmt.Sprintf("at most %d pause types, not %d", maxPauseTypes, len(types))}
	}
	ids, names := map[int]int{}, map[string]int{}
	for i, pt := range types {
		at := fmt.Sprintf("pauseTypes[%d]", i)
		if pt.ID < 1 {
			return &ConfigError{Field: at + ".id", Problem: fmt.Sprintf("must be 1 or more, not %d", pt.ID)}
		}
		if j, dup := ids[pt.ID]; dup {
			return &ConfigError{Field: at + ".id", Problem: fmt.Sprintf("%d is already the id of pauseTypes[%d]", pt.ID, j)}
		}
		ids[pt.ID] = i
		name := strings.TrimSpace(pt.Name)
		if name == "" || name != pt.Name || utf8.RuneCountInString(name) > maxPauseTypeName || strings.IndexFunc(name, unicode.IsControl) >= 0 {
			return &ConfigError{Field: at + ".name", Problem: fmt.Sprintf("%s must be 1 to %d characters without control characters or spaces around", quoteShort(pt.Name), maxPauseTypeName)}
		}
		if j, dup := names[strings.ToLower(name)]; dup {
			return &ConfigError{Field: at + ".name", Problem: fmt.Sprintf("%q is already the name of pauseTypes[%d]", name, j)}
		}
		names[strings.ToLower(name)] = i
	}
	return nil
}

// validateUsers checks the seed users.
func (c *Config) validateUsers() error {
	if c.SIP.WSURI != "" && !strings.HasPrefix(c.SIP.WSURI, "wss://") && !strings.HasPrefix(c.SIP.WSURI, "ws://") {
		return &ConfigError{Field: "sip.wsUri", Problem: fmt.Sprintf("%q is not a ws:// or wss:// URI", c.SIP.WSURI)}
	}
	for i, ice := range c.SIP.ICEServers {
		if len(ice.URLs) == 0 {
			return &ConfigError{Field: fmt.Sprintf("sip.iceServers[%d].urls", i), Problem: "at least one URL is required"}
		}
	}
	if len(c.Users) == 0 {
		return &ConfigError{Field: "users", Problem: "at least one user is required"}
	}
	names := map[string]int{}
	keys := map[string]int{}
	for i, u := range c.Users {
		if err := u.validate(fmt.Sprintf("users[%d]", i), c.SecuritySuite); err != nil {
			return err
		}
		lower := strings.ToLower(u.Name)
		if j, dup := names[lower]; dup {
			return &ConfigError{Field: fmt.Sprintf("users[%d].name", i), Problem: fmt.Sprintf("%q is already the name of users[%d]", u.Name, j)}
		}
		names[lower] = i
		if u.APIKey != "" {
			if j, dup := keys[u.APIKey]; dup {
				return &ConfigError{Field: fmt.Sprintf("users[%d].apikey", i), Problem: fmt.Sprintf("already the apikey of users[%d]", j)}
			}
			keys[u.APIKey] = i
		}
	}
	return nil
}

func (u *UserConfig) validate(at string, securitySuite bool) error {
	bad := func(field, format string, args ...any) error {
		return &ConfigError{Field: at + "." + field, Problem: fmt.Sprintf(format, args...)}
	}
	if !namePattern.MatchString(u.Name) {
		return bad("name", "%q must be 1 to 64 letters, digits, '.' or '_'", u.Name)
	}
	if strings.TrimSpace(u.Fullname) == "" {
		return bad("fullname", "is required")
	}
	if u.Email != "" && (!strings.Contains(u.Email, "@") || strings.ContainsAny(u.Email, " \t\r\n<>")) {
		return bad("email", "%q is not an email address", u.Email)
	}
	role := roleOrDefault(u.Role)
	switch role {
	case motion.RoleAgent, motion.RoleAdmin, motion.RoleUser:
	default:
		return bad("role", "%q is not one of agent, admin, user", u.Role)
	}
	switch u.Typology {
	case "", motion.TypologyPhonebar, motion.TypologyExternal, motion.TypologyWebRTC, motion.TypologyMobile:
	default:
		return bad("typology", "%q is not one of phonebar, external, webrtc, mobile", u.Typology)
	}
	if u.Typology != "" && role != motion.RoleAgent {
		return bad("typology", "only agents have a typology (role is %q)", role)
	}
	if u.Internal != "" && !regexp.MustCompile(`^[0-9*#+]{1,32}$`).MatchString(u.Internal) {
		return bad("internal", "%q is not an extension (digits)", u.Internal)
	}
	switch {
	case u.Password == "" && u.PasswordHash == "":
		return bad("password", "one of password and passwordHash is required")
	case u.Password != "" && u.PasswordHash != "":
		return bad("password", "give password or passwordHash, not both")
	case u.Password != "":
		if len(u.Password) > 72 {
			return bad("password", "longer than 72 bytes (bcrypt's limit)")
		}
		if securitySuite {
			if broken := passwordRulesBroken(u.Password); len(broken) > 0 {
				return bad("password", "breaks the Security Suite rules: %s", strings.Join(broken, "; "))
			}
		}
	default:
		if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
			return bad("passwordHash", "not a bcrypt hash: %v", err)
		}
	}
	if u.PasswordChangedAt != "" {
		if _, err := time.Parse(time.RFC3339, u.PasswordChangedAt); err != nil {
			return bad("passwordChangedAt", "%q is not an RFC 3339 time", u.PasswordChangedAt)
		}
	}
	if u.HotDesk && u.Typology != motion.TypologyExternal {
		return bad("hotDesk", "only external agents use hot desk")
	}
	if u.Typology == motion.TypologyWebRTC && u.SIPPassword == "" {
		return bad("sipPassword", "required for a webrtc agent")
	}
	if u.APIKey != "" && len(u.APIKey) < 8 {
		return bad("apikey", "must be at least 8 characters")
	}
	return nil
}

func roleOrDefault(r string) string {
	if r == "" {
		return motion.RoleAgent
	}
	return r
}
