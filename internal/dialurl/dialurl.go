// Package dialurl reads what other programs ask the Phonebar to dial: a phone number given to the
// local control API or to `phonebar dial`, and the tel:, sip:, sips: and callto: links the
// operating system hands over when a link is clicked. Everything here is untrusted input: only a
// phone number or a plain SIP address is taken from it, and anything else is refused with an
// error that says what was wrong.
package dialurl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrRefused is matched (errors.Is) by every *Error.
var ErrRefused = errors.New("dialurl: refused")

// Error says why an input is not dialled.
type Error struct {
	// Input is what was given, shortened and with control characters escaped (safe to log).
	Input string
	// Reason says what is wrong and what is accepted.
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("dialurl: %s: %s", e.Input, e.Reason) }

// Is makes errors.Is(err, ErrRefused) true.
func (e *Error) Is(target error) bool { return target == ErrRefused }

func refuse(input, reason string) error { return &Error{Input: Quote(input), Reason: reason} }

// Limits of what is read.
const (
	// MaxNumberDigits bounds a phone number (E.164 has at most 15 digits; extensions and
	// prefixes add a few).
	MaxNumberDigits = 32
	// MaxURLLength bounds a whole link.
	MaxURLLength = 512
)

// visualSeparators are the characters RFC 3966 allows between digits for readability.
const visualSeparators = " -.()"

// Number checks a phone number: an optional leading +, then digits, * and #, with the visual
// separators of RFC 3966 (space - . ( )) dropped. It returns the number as it is dialled.
func Number(s string) (string, error) {
	if strings.IndexFunc(s, isControl) >= 0 {
		return "", refuse(s, "a number must not contain control characters")
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return "", refuse(s, "no number: give digits, such as +33 1 23 45 67 89 or *43")
	}
	var b strings.Builder
	for i, r := range t {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case strings.ContainsRune(visualSeparators, r):
		case unicode.IsLetter(r):
			return "", refuse(s, "a number must not contain letters: only digits, a leading +, * and #")
		default:
			return "", refuse(s, fmt.Sprintf("%q is not part of a phone number: only digits, a leading +, * and #", r))
		}
	}
	n := b.String()
	digits := strings.TrimPrefix(n, "+")
	switch {
	case digits == "":
		return "", refuse(s, "no digits: give a number such as +33 1 23 45 67 89 or *43")
	case len(digits) > MaxNumberDigits:
		return "", refuse(s, fmt.Sprintf("longer than %d digits", MaxNumberDigits))
	}
	return n, nil
}

// Parse reads a link handed over by the operating system or typed after `phonebar dial`:
// tel:NUMBER and callto:NUMBER (also callto://NUMBER) give the number; sip:USER@HOST and
// sips:USER@HOST give the SIP address (without parameters or headers). A bare number is taken as
// tel:. Anything else (another scheme, parameters such as ;ext= or ?subject=, a password, a name
// instead of a number) is refused with an *Error.
func Parse(raw string) (string, error) {
	if len(raw) > MaxURLLength {
		return "", refuse(raw, fmt.Sprintf("longer than %d characters", MaxURLLength))
	}
	if strings.IndexFunc(raw, isControl) >= 0 || !utf8.ValidString(raw) {
		return "", refuse(raw, "a link must not contain control characters")
	}
	s := strings.TrimSpace(raw)
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || strings.ContainsAny(scheme, "/@ ") {
		return Number(s) // a bare number
	}
	switch strings.ToLower(scheme) {
	case "tel":
		return telNumber(raw, rest)
	case "callto":
		return telNumber(raw, strings.TrimPrefix(rest, "//"))
	case "sip", "sips":
		return sipAddress(raw, strings.ToLower(scheme), rest)
	}
	if _, err := Number(s); err == nil {
		return Number(s)
	}
	return "", refuse(raw, fmt.Sprintf("%q links are not dialled: only tel:, sip:, sips: and callto:", scheme))
}

// telNumber reads the number of a tel: or callto: link (percent-encoded).
func telNumber(raw, rest string) (string, error) {
	if strings.ContainsAny(rest, ";?#&") {
		// '#' may be a dialled digit only percent-encoded (%23), as RFC 3966 says.
		return "", refuse(raw, "the link carries parameters (;ext=, ;phone-context=, ?…): only a plain number is dialled")
	}
	v, err := url.PathUnescape(rest)
	if err != nil {
		return "", refuse(raw, "the link's percent-encoding is broken")
	}
	if strings.IndexFunc(v, isControl) >= 0 {
		return "", refuse(raw, "a link must not contain control characters")
	}
	n, err := Number(v)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return "", refuse(raw, e.Reason)
		}
		return "", err
	}
	return n, nil
}

// sipAddress reads USER@HOST[:PORT] of a sip: or sips: link.
func sipAddress(raw, scheme, rest string) (string, error) {
	if strings.ContainsAny(rest, ";?") {
		return "", refuse(raw, "the SIP address carries parameters or headers (;transport=, ?subject=…): only user@host is dialled")
	}
	user, host, ok := strings.Cut(rest, "@")
	if !ok {
		return "", refuse(raw, "a SIP address needs user@host")
	}
	u, err := url.PathUnescape(user)
	if err != nil || u == "" {
		return "", refuse(raw, "the SIP address has no user")
	}
	if strings.Contains(u, ":") {
		return "", refuse(raw, "a SIP address with a password is not dialled")
	}
	for _, r := range u {
		if !(r < utf8.RuneSelf && (isAlnum(r) || strings.ContainsRune("-_.!~*'()+#$&=,/", r))) {
			return "", refuse(raw, fmt.Sprintf("%q is not allowed in the user part of a SIP address", r))
		}
	}
	if len(u) > 64 {
		return "", refuse(raw, "the user part of the SIP address is longer than 64 characters")
	}
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		h, port = host, ""
	}
	if !validHost(h) {
		return "", refuse(raw, "the SIP address's host is not a host name or an IP address")
	}
	if port != "" {
		if n := len(port); n > 5 || strings.TrimFunc(port, isDigit) != "" {
			return "", refuse(raw, "the SIP address's port is not a number")
		}
	}
	out := scheme + ":" + u + "@" + host
	return out, nil
}

func validHost(h string) bool {
	if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(isAlnum(r) || r == '-') {
				return false
			}
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return r < utf8.RuneSelf && (isDigit(r) || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
}
func isDigit(r rune) bool { return r >= '0' && r <= '9' }
func isControl(r rune) bool {
	return unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r)
}

// Quote shortens s to 64 characters and escapes what is not printable, so that untrusted input
// can go into a log line or a message.
func Quote(s string) string {
	if utf8.RuneCountInString(s) > 64 {
		s = string([]rune(s)[:64]) + "…"
	}
	return fmt.Sprintf("%+q", s)
}

// IsLink reports whether s starts like a link the Phonebar is registered for (tel:, sip:, sips:,
// callto:, in any case), so that a start with it is a click-to-dial hand-off and not a command.
// It says nothing of whether the rest is valid: Parse does.
func IsLink(s string) bool {
	scheme, _, ok := strings.Cut(s, ":")
	if !ok {
		return false
	}
	switch strings.ToLower(scheme) {
	case "tel", "sip", "sips", "callto":
		return true
	}
	return false
}
