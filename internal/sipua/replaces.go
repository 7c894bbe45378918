package sipua

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// ErrBadReplaces is returned by ParseReplaces for a Replaces value that does not follow RFC 3891.
var ErrBadReplaces = errors.New("sipua: malformed Replaces header")

// Replaces names a dialog that a new INVITE takes the place of (RFC 3891). The tags are as the
// receiver of the header sees them: ToTag is its own (local) tag, FromTag the other side's.
type Replaces struct {
	// CallID is the dialog's Call-ID.
	CallID string
	// ToTag is the local tag of the dialog at the UA that receives the Replaces.
	ToTag string
	// FromTag is the remote tag of the dialog at the UA that receives the Replaces.
	FromTag string
	// EarlyOnly asks to replace the dialog only while it is early (not yet answered).
	EarlyOnly bool
}

// maxReplaces bounds a Replaces value read from the network.
const maxReplaces = 1024

// String is the header value: "callid;to-tag=a;from-tag=b[;early-only]".
func (r Replaces) String() string {
	var b strings.Builder
	b.WriteString(r.CallID)
	b.WriteString(";to-tag=")
	b.WriteString(r.ToTag)
	b.WriteString(";from-tag=")
	b.WriteString(r.FromTag)
	if r.EarlyOnly {
		b.WriteString(";early-only")
	}
	return b.String()
}

// ParseReplaces reads a Replaces header value. The Call-ID and both tags are required; unknown
// parameters are ignored, a repeated one is an error.
func ParseReplaces(v string) (Replaces, error) {
	var r Replaces
	if len(v) > maxReplaces {
		return r, fmt.Errorf("%w: longer than %d bytes", ErrBadReplaces, maxReplaces)
	}
	parts := strings.Split(v, ";")
	r.CallID = strings.TrimSpace(parts[0])
	if !isCallID(r.CallID) {
		return r, fmt.Errorf("%w: Call-ID %q", ErrBadReplaces, r.CallID)
	}
	seen := map[string]bool{}
	for _, p := range parts[1:] {
		name, val, hasVal := strings.Cut(p, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		val = strings.TrimSpace(val)
		if name == "" || !isToken(name) {
			return r, fmt.Errorf("%w: parameter %q", ErrBadReplaces, p)
		}
		if seen[name] {
			return r, fmt.Errorf("%w: %s twice", ErrBadReplaces, name)
		}
		seen[name] = true
		switch name {
		case "to-tag", "from-tag":
			if !hasVal || !isToken(val) {
				return r, fmt.Errorf("%w: %s %q", ErrBadReplaces, name, val)
			}
			if name == "to-tag" {
				r.ToTag = val
			} else {
				r.FromTag = val
			}
		case "early-only":
			if hasVal {
				return r, fmt.Errorf("%w: early-only takes no value", ErrBadReplaces)
			}
			r.EarlyOnly = true
		default:
			if hasVal && val != "" && !isToken(val) && !isQuoted(val) {
				return r, fmt.Errorf("%w: parameter %q", ErrBadReplaces, p)
			}
		}
	}
	if r.ToTag == "" || r.FromTag == "" {
		return r, fmt.Errorf("%w: it needs to-tag and from-tag", ErrBadReplaces)
	}
	return r, nil
}

// referTarget is the Refer-To value of an attended transfer: target with a Replaces URI header
// (RFC 3891 section 6.1), escaped as an URI header value must be (RFC 3261 section 25.1).
func referTarget(target sip.Uri, r Replaces) string {
	t := target.Clone()
	t.Headers = nil
	return "<" + t.String() + "?Replaces=" + escapeURIHeader(r.String()) + ">"
}

// escapeURIHeader escapes everything an URI header value (hvalue) cannot carry as is.
func escapeURIHeader(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isHvalueChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// unescapeURIHeader undoes escapeURIHeader (and any other %XX escaping).
func unescapeURIHeader(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("%w: truncated escape", ErrBadReplaces)
		}
		n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("%w: bad escape %q", ErrBadReplaces, s[i:i+3])
		}
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), nil
}

// replacesFromReferTo reads the Replaces URI header back out of a Refer-To value (the inverse of
// referTarget): the target URI without its headers, and the dialog it names.
func replacesFromReferTo(v string) (string, Replaces, error) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		j := strings.LastIndexByte(v, '>')
		if j < i {
			return "", Replaces{}, fmt.Errorf("%w: unbalanced <>", ErrBadReplaces)
		}
		v = v[i+1 : j]
	}
	uri, headers, ok := strings.Cut(v, "?")
	if !ok {
		return uri, Replaces{}, fmt.Errorf("%w: no URI headers", ErrBadReplaces)
	}
	for _, h := range strings.Split(headers, "&") {
		name, val, _ := strings.Cut(h, "=")
		if !strings.EqualFold(name, "Replaces") {
			continue
		}
		raw, err := unescapeURIHeader(val)
		if err != nil {
			return uri, Replaces{}, err
		}
		r, err := ParseReplaces(raw)
		return uri, r, err
	}
	return uri, Replaces{}, fmt.Errorf("%w: no Replaces URI header", ErrBadReplaces)
}

// isHvalueChar: unreserved (alphanumerics and -_.!~*'()) or hnv-unreserved ([]/?:+$).
func isHvalueChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-_.!~*'()[]/?:+$", c) >= 0
}

// isToken: RFC 3261 token (alphanumerics and -.!%*_+`'~).
func isToken(s string) bool { return allIn(s, "-.!%*_+`'~") }

// isCallID: RFC 3261 callid, word ["@" word].
func isCallID(s string) bool {
	w1, w2, two := strings.Cut(s, "@")
	return isWord(w1) && (!two || isWord(w2))
}

// isWord: RFC 3261 word (a token's characters and ()<>:\"/[]?{}).
func isWord(s string) bool { return allIn(s, "-.!%*_+`'~()<>:\\\"/[]?{}") }

// allIn reports whether s is not empty and made of alphanumerics and the bytes of extra.
func allIn(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			continue
		}
		if strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

func isQuoted(s string) bool {
	return len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.ContainsAny(s[1:len(s)-1], "\"\r\n")
}

// parseSipfrag reads the status line of a message/sipfrag body (RFC 3420), as NOTIFYs of a REFER
// carry it: "SIP/2.0 200 OK".
func parseSipfrag(body []byte) (code int, reason string, ok bool) {
	line, _, _ := strings.Cut(string(body), "\n")
	line = strings.TrimRight(line, "\r")
	proto, rest, found := strings.Cut(line, " ")
	if !found || !strings.EqualFold(proto, "SIP/2.0") {
		return 0, "", false
	}
	num, reason, _ := strings.Cut(rest, " ")
	if len(num) != 3 {
		return 0, "", false
	}
	code, err := strconv.Atoi(num)
	if err != nil || code < 100 || code > 699 {
		return 0, "", false
	}
	return code, strings.TrimSpace(reason), true
}
