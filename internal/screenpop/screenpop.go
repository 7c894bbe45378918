// Package screenpop opens a page about the caller when a call rings: the agent's CRM searched for
// the caller's number, from a URL template such as
// https://crm.example/search?phone={callerNumber}&name={callerName}. The template comes from the
// settings (or from the server); the values come from the caller and are untrusted: each is
// query-escaped, and the template may place them only after the host, so no caller can choose
// where the page is opened or turn the link into another kind of URL.
package screenpop

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// The variables a template may use.
const (
	// VarCallerNumber is the caller's number (the user part of a SIP address).
	VarCallerNumber = "callerNumber"
	// VarCallerName is the caller's display name; "" when the caller sent none.
	VarCallerName = "callerName"
	// VarAgent is the agent's login name.
	VarAgent = "agent"
	// VarCallID is the Phonebar's ID of the call.
	VarCallID = "callId"
)

var known = []string{VarCallerNumber, VarCallerName, VarAgent, VarCallID}

// MaxTemplate bounds a template's length.
const MaxTemplate = 2048

// ErrTemplate is matched (errors.Is) by every error of Parse.
var ErrTemplate = errors.New("screenpop: bad template")

// Where a page is opened (Settings' screenPop.open).
const (
	// OpenBrowser opens it in the system's web browser (the default).
	OpenBrowser = "browser"
	// OpenOmni shows it in the Omni Desktop window when that is open (the Omni Desktop button
	// brings the Omni Desktop back), in the system's web browser otherwise.
	OpenOmni = "omni"
)

// Template is a checked URL template. The zero value opens nothing.
type Template struct {
	// parts alternates text and variable names: parts[0] text, parts[1] a name, parts[2] text...
	parts []string
}

// Parse checks a template: an absolute http:// or https:// URL with a host, whose variables
// ({callerNumber}, {callerName}, {agent}, {callId}) stand after the host (in the path, the query or
// the fragment). The error says what is wrong and what is accepted.
func Parse(tpl string) (Template, error) {
	bad := func(format string, a ...any) (Template, error) {
		return Template{}, fmt.Errorf("%w: %s", ErrTemplate, fmt.Sprintf(format, a...))
	}
	if tpl == "" {
		return Template{}, nil
	}
	if len(tpl) > MaxTemplate {
		return bad("longer than %d characters", MaxTemplate)
	}
	if i := strings.IndexFunc(tpl, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }); i >= 0 {
		return bad("it contains a space or a control character at %d: write a space as %%20", i)
	}
	var parts []string
	rest := tpl
	var text strings.Builder
	for rest != "" {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			text.WriteString(rest)
			break
		}
		text.WriteString(rest[:i])
		if rest[i] == '}' {
			return bad("a } without its {")
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			return bad("a { without its }")
		}
		name := rest[i+1 : i+end]
		if !isKnown(name) {
			return bad("unknown variable {%s}: use {%s}", name, strings.Join(known, "}, {"))
		}
		parts = append(parts, text.String(), name)
		text.Reset()
		rest = rest[i+end+1:]
	}
	parts = append(parts, text.String())
	t := Template{parts: parts}

	u, err := url.Parse(t.expand(func(string) string { return "x" }))
	switch {
	case err != nil:
		return bad("not a URL: %v", errors.Unwrap(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("it must start with https:// (or http://)")
	case u.Host == "" || u.Opaque != "":
		return bad("it must name a host, as in https://crm.example.com/search?phone={%s}", VarCallerNumber)
	case u.User != nil:
		return bad("it must not carry a user name or password")
	}
	// The variables stand after the host: the text before the first one holds the whole
	// scheme://host[:port] and the character that ends it.
	if len(parts) > 1 {
		_, after, ok := strings.Cut(parts[0], "://")
		if !ok || !strings.ContainsAny(after, "/?#") {
			return bad("a variable stands in the scheme or host: variables go in the path or the query, after https://host/")
		}
	}
	return t, nil
}

func isKnown(name string) bool {
	for _, k := range known {
		if k == name {
			return true
		}
	}
	return false
}

// Vars are the values of one call.
type Vars struct {
	CallerNumber, CallerName, Agent, CallID string
}

// Expand builds the URL of a call, each value query-escaped; "" for the zero Template.
func (t Template) Expand(v Vars) string {
	if len(t.parts) == 0 {
		return ""
	}
	return t.expand(func(name string) string {
		switch name {
		case VarCallerNumber:
			return url.QueryEscape(v.CallerNumber)
		case VarCallerName:
			return url.QueryEscape(v.CallerName)
		case VarAgent:
			return url.QueryEscape(v.Agent)
		case VarCallID:
			return url.QueryEscape(v.CallID)
		}
		return ""
	})
}

func (t Template) expand(value func(string) string) string {
	var b strings.Builder
	for i, p := range t.parts {
		if i%2 == 0 {
			b.WriteString(p)
		} else {
			b.WriteString(value(p))
		}
	}
	return b.String()
}

// IsZero reports whether t opens nothing.
func (t Template) IsZero() bool { return len(t.parts) == 0 }

// CallerNumber is the number to put in {callerNumber} for a caller's address: the user part of a
// sip: or sips: URI, or the address as it is.
func CallerNumber(remote string) string {
	s := remote
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		}
	}
	for _, p := range []string{"sip:", "sips:", "tel:"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			s = s[len(p):]
			if at := strings.IndexByte(s, '@'); at >= 0 {
				s = s[:at]
			}
			if semi := strings.IndexAny(s, ";?"); semi >= 0 {
				s = s[:semi]
			}
			return s
		}
	}
	return s
}

// CheckOpen checks where a page is opened: OpenBrowser, "" (OpenBrowser) or OpenOmni.
func CheckOpen(open string) error {
	switch open {
	case "", OpenBrowser, OpenOmni:
		return nil
	}
	return fmt.Errorf("%w: open %q must be %q (the system's web browser) or %q (the Omni Desktop window)", ErrTemplate, open, OpenBrowser, OpenOmni)
}
