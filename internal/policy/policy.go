// Package policy reads the machine-wide policy file an IT department deploys to every desk (Linux
// /etc/phonebar/policy.json, Windows %ProgramData%\Phonebar\policy.json, macOS
// /Library/Preferences/Phonebar/policy.json; PHONEBAR_POLICY_FILE names another file) and applies it
// over the user's settings.
//
// A policy sets the Motion server, the certificate fingerprint pinned for it, TURN servers and the
// local control API, and lists the keys the agent may not change ("locked"). A key that is set but
// not locked is a default: it applies while the user has not chosen otherwise. A locked key always
// has the policy's value, and a save that changes it is refused with a *LockedError.
//
// A policy file with any problem (not JSON, an unknown key, a malformed fingerprint or address) is
// refused as a whole with an *Error that names every bad key: nothing of it is half-applied.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/pion/stun/v4"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// EnvFile names a policy file to read instead of the system's (tests, or a site that keeps it
// elsewhere). When it is set the file must exist.
const EnvFile = "PHONEBAR_POLICY_FILE"

// Keys of the policy file.
const (
	KeyServerURL         = "serverUrl"
	KeyServerCertificate = "serverCertificate"
	KeyTURNServers       = "turnServers"
	KeyControlAPI        = "controlApi"
	KeyLocked            = "locked"
)

// lockable lists the keys "locked" may name.
var lockable = []string{KeyServerURL, KeyServerCertificate, KeyTURNServers, KeyControlAPI}

// MinTokenLength is the shortest control API token accepted.
const MinTokenLength = 32

// Policy is a validated policy file. Its zero value sets nothing.
type Policy struct {
	// Path is the file it was read from.
	Path string `json:"-"`
	// ServerURL is the Motion server's origin, "https://host[:port]".
	ServerURL string `json:"serverUrl,omitempty"`
	// ServerCertificate is the SHA-256 fingerprint of the certificate pinned for ServerURL (for a
	// server whose certificate the system does not trust).
	ServerCertificate tlspin.Fingerprint `json:"serverCertificate,omitempty"`
	// TURNServers are the relays calls may use.
	TURNServers []TURNServer `json:"turnServers,omitempty"`
	// ControlAPI configures the local control API.
	ControlAPI *ControlAPI `json:"controlApi,omitempty"`
	// Locked lists the keys the agent may not change.
	Locked []string `json:"locked,omitempty"`
}

// TURNServer is one relay, in the shape of WebRTC's RTCIceServer.
type TURNServer struct {
	// URLs are turn:, turns: (or stun:) addresses, RFC 7065.
	URLs []string `json:"urls"`
	// Username and Credential are the relay's long-term credentials, needed by turn: and turns:.
	Username   string `json:"username,omitempty"`
	Credential string `json:"credential,omitempty"`
}

// String leaves the credential out, so that a server printed or logged never shows it.
func (t TURNServer) String() string {
	return fmt.Sprintf("%s (user %q)", strings.Join(t.URLs, " "), t.Username)
}

// ControlAPI configures the local control API: an HTTP endpoint on the loopback interface through
// which other programs of the desk (a CRM page) drive the Phonebar.
type ControlAPI struct {
	// Enabled turns it on.
	Enabled bool `json:"enabled"`
	// Listen is the loopback address and port, "127.0.0.1:PORT" or "[::1]:PORT".
	Listen string `json:"listen,omitempty"`
	// AllowedOrigins are the web origins ("https://crm.example.com") whose pages may call it.
	AllowedOrigins []string `json:"allowedOrigins,omitempty"`
	// Token is the shared secret callers present; at least MinTokenLength characters.
	Token string `json:"token,omitempty"`
}

// String leaves the token out.
func (c ControlAPI) String() string {
	return fmt.Sprintf("enabled=%t listen=%s allowedOrigins=%v", c.Enabled, c.Listen, c.AllowedOrigins)
}

// IsLocked reports whether the policy locks key.
func (p *Policy) IsLocked(key string) bool { return p != nil && slices.Contains(p.Locked, key) }

// Problem is one bad key of a policy file.
type Problem struct {
	// Key is the key's path ("controlApi.listen", "turnServers[0].urls[1]"); empty for the file as a
	// whole.
	Key string
	// Message says what is wrong and what is expected.
	Message string
}

func (p Problem) String() string {
	if p.Key == "" {
		return p.Message
	}
	return p.Key + ": " + p.Message
}

// ErrRefused is matched (errors.Is) by *Error.
var ErrRefused = errors.New("the policy file is refused")

// Error says why a policy file was refused. None of it was applied.
type Error struct {
	// Path is the policy file.
	Path string
	// Problems lists every bad key found.
	Problems []Problem
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("the machine policy %s is refused and none of it applies: %s. It is set by your IT department: "+
		"ask them to correct it (the Phonebar does not start with a broken policy)", e.Path, strings.Join(parts, "; "))
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *Error) Is(target error) bool { return target == ErrRefused }

// Load reads the policy file at path. A file that does not exist is no policy: (nil, nil).
func Load(path string) (*Policy, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the machine policy %s: %w", path, err)
	}
	return Parse(path, b)
}

// LoadDefault reads the file EnvFile names or, when it is unset, the system's policy file (Path). A
// missing system file is no policy; a missing file named by EnvFile is an error.
func LoadDefault() (*Policy, error) {
	if f := os.Getenv(EnvFile); f != "" {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("%s names the policy file %s, which cannot be read: %w", EnvFile, f, err)
		}
		return Load(f)
	}
	return Load(Path())
}

// Parse reads and validates the policy file's content; path is only for messages.
func Parse(path string, data []byte) (*Policy, error) {
	refuse := func(ps ...Problem) error { return &Error{Path: path, Problems: ps} }
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, refuse(Problem{Message: notJSON(data, err)})
	}
	if top == nil {
		return nil, refuse(Problem{Message: "is not a JSON object ({...})"})
	}
	probs := unknownKeys("", top, []string{KeyServerURL, KeyServerCertificate, KeyTURNServers, KeyControlAPI, KeyLocked})
	if raw, ok := top[KeyControlAPI]; ok {
		probs = append(probs, unknownKeysIn(KeyControlAPI, raw, []string{"enabled", "listen", "allowedOrigins", "token"})...)
	}
	if raw, ok := top[KeyTURNServers]; ok {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil {
			for i, e := range list {
				probs = append(probs, unknownKeysIn(fmt.Sprintf("%s[%d]", KeyTURNServers, i), e, []string{"urls", "username", "credential"})...)
			}
		}
	}
	if len(probs) > 0 {
		return nil, refuse(probs...)
	}
	p := &Policy{Path: path}
	if err := json.Unmarshal(data, p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, refuse(Problem{Key: te.Field, Message: "expected " + jsonKind(te.Type.Kind().String()) + ", found a JSON " + te.Value})
		}
		return nil, refuse(Problem{Message: notJSON(data, err)})
	}
	if probs := p.validate(); len(probs) > 0 {
		return nil, refuse(probs...)
	}
	return p, nil
}

// notJSON describes a JSON syntax error with its line and column.
func notJSON(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
		col := int(se.Offset) - bytes.LastIndexByte(data[:se.Offset], '\n') - 1
		return fmt.Sprintf("is not JSON (line %d, column %d: %v)", line, col, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field == "" {
		return "is not a JSON object ({...}): found a JSON " + te.Value
	}
	return fmt.Sprintf("is not JSON (%v)", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "slice":
		return "a list [...]"
	case "struct", "ptr", "map":
		return "an object {...}"
	}
	return goKind
}

// unknownKeysIn checks the keys of raw when it is an object (a wrong type is reported later).
func unknownKeysIn(prefix string, raw json.RawMessage, known []string) []Problem {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return unknownKeys(prefix+".", m, known)
}

func unknownKeys(prefix string, m map[string]json.RawMessage, known []string) []Problem {
	var probs []Problem
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			probs = append(probs, Problem{Key: prefix + k, Message: "is not a policy key (known: " + strings.Join(known, ", ") + ")"})
		}
	}
	return probs
}

// validate checks every key and returns all problems.
func (p *Policy) validate() []Problem {
	var probs []Problem
	add := func(key, format string, args ...any) {
		probs = append(probs, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
	}
	if p.ServerURL != "" {
		if origin, err := httpsOrigin(p.ServerURL, "https"); err != nil {
			add(KeyServerURL, "%q %v", p.ServerURL, err)
		} else if u, err := motion.ParseServerURL(origin); err != nil {
			add(KeyServerURL, "%q: %v", p.ServerURL, err)
		} else {
			p.ServerURL = motion.Origin(u) // the form the login and the pins use
		}
	}
	if p.ServerCertificate != "" {
		fp, err := tlspin.Parse(string(p.ServerCertificate))
		switch {
		case err != nil:
			add(KeyServerCertificate, "is not a SHA-256 fingerprint (64 hex digits, colons allowed, as openssl x509 -fingerprint -sha256 prints it)")
		case p.ServerURL == "":
			add(KeyServerCertificate, "pins a certificate but %s does not say for which server: set %s too", KeyServerURL, KeyServerURL)
		default:
			p.ServerCertificate = fp
		}
	}
	for i, ts := range p.TURNServers {
		key := fmt.Sprintf("%s[%d]", KeyTURNServers, i)
		if len(ts.URLs) == 0 {
			add(key+".urls", "is empty: give at least one turn:HOST:PORT address")
		}
		needsCreds := false
		for j, u := range ts.URLs {
			uri, err := stun.ParseURI(u)
			if err != nil {
				add(fmt.Sprintf("%s.urls[%d]", key, j), "%q is not a TURN or STUN address (turn:host:3478?transport=udp, turns:host:5349): %v", u, err)
				continue
			}
			if uri.Scheme == stun.SchemeTypeTURN || uri.Scheme == stun.SchemeTypeTURNS {
				needsCreds = true
			}
		}
		if needsCreds && (ts.Username == "" || ts.Credential == "") {
			add(key, "a TURN server needs username and credential")
		}
	}
	if c := p.ControlAPI; c != nil {
		if c.Listen != "" || c.Enabled {
			if err := loopbackAddr(c.Listen); err != nil {
				add(KeyControlAPI+".listen", "%q %v", c.Listen, err)
			}
		}
		for i, o := range c.AllowedOrigins {
			if _, err := httpsOrigin(o, "https", "http"); err != nil {
				add(fmt.Sprintf("%s.allowedOrigins[%d]", KeyControlAPI, i), "%q %v", o, err)
			}
		}
		if (c.Enabled || c.Token != "") && len(c.Token) < MinTokenLength {
			// The token itself is never repeated in a message.
			add(KeyControlAPI+".token", "must be at least %d characters (it has %d): make one with 'openssl rand -hex 32'", MinTokenLength, len(c.Token))
		}
	}
	for i, k := range p.Locked {
		key := fmt.Sprintf("%s[%d]", KeyLocked, i)
		switch {
		case !slices.Contains(lockable, k):
			add(key, "%q is not a key that can be locked (%s)", k, strings.Join(lockable, ", "))
		case !p.sets(k):
			add(key, "locks %s, which this policy does not set: set it too, or do not lock it", k)
		}
	}
	return probs
}

// sets reports whether the policy gives key a value.
func (p *Policy) sets(key string) bool {
	switch key {
	case KeyServerURL:
		return p.ServerURL != ""
	case KeyServerCertificate:
		return p.ServerCertificate != ""
	case KeyTURNServers:
		return p.TURNServers != nil
	case KeyControlAPI:
		return p.ControlAPI != nil
	}
	return false
}

// httpsOrigin accepts "scheme://host[:port]" with one of schemes and nothing after it, and returns it
// without a trailing slash.
func httpsOrigin(s string, schemes ...string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", errors.New("is not an address")
	case !slices.Contains(schemes, u.Scheme):
		return "", fmt.Errorf("must start with %s://", strings.Join(schemes, ":// or "))
	case u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", fmt.Errorf("must be %s://host or %s://host:port, nothing after it", schemes[0], schemes[0])
	}
	return u.Scheme + "://" + u.Host, nil
}

// loopbackAddr accepts "127.0.0.1:PORT", "[::1]:PORT" or "localhost:PORT": the control API never
// listens where another machine can reach it.
func loopbackAddr(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return errors.New("must be 127.0.0.1:PORT")
	}
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" {
		return errors.New("must be on the loopback interface (127.0.0.1:PORT or [::1]:PORT): the control API is never reachable from another machine")
	}
	var n int
	if _, err := fmt.Sscanf(port, "%d", &n); err != nil || n < 1 || n > 65535 || fmt.Sprint(n) != port {
		return errors.New("needs a port from 1 to 65535")
	}
	return nil
}
