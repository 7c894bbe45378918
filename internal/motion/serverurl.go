package motion

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ParseServerURL reads a Motion server address as a person types it: "host", "host:port",
// "https://host[:port]" with or without a trailing "/". A bare host means https. The result is the
// normalized origin (scheme https, lowercase host, no default port, no path). "http://..." gives a
// *NotHTTPSError offering the https:// address; anything else that is not an address gives a
// *BadURLError saying what an address looks like.
func ParseServerURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, &BadURLError{Reason: "it is empty"}
	}
	if strings.ContainsAny(s, " \t\r\n\\") {
		return nil, &BadURLError{Reason: "it contains spaces or backslashes"}
	}
	raw := s
	if !strings.Contains(s, "://") {
		raw = "https://" + s
	}
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(err.Error(), "invalid port") {
			return nil, &BadURLError{Reason: "the port must be a number from 1 to 65535"}
		}
		return nil, &BadURLError{Reason: "it cannot be read as an address"}
	}
	if u.User != nil {
		return nil, &BadURLError{Reason: "it contains a user name or password; type those in their own fields"}
	}
	switch u.Scheme {
	case "https":
	case "http":
		host, err := checkHostPort(u)
		if err != nil {
			return nil, err
		}
		if u.Port() == "80" {
			host = bracket(u.Hostname())
		}
		return nil, &NotHTTPSError{Suggested: "https://" + strings.ToLower(host)}
	default:
		return nil, &BadURLError{Reason: "only https:// addresses are served"}
	}
	host, err := checkHostPort(u)
	if err != nil {
		return nil, err
	}
	if u.Path != "" && u.Path != "/" {
		return nil, &BadURLError{Reason: "it has a path after the host; use only the server's address, like https://" + host}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, &BadURLError{Reason: "it has a ? or # part; use only the server's address, like https://" + host}
	}
	if u.Port() == "443" {
		host = bracket(u.Hostname())
	}
	return &url.URL{Scheme: "https", Host: strings.ToLower(host)}, nil
}

// checkHostPort validates u's host and port and returns host[:port].
func checkHostPort(u *url.URL) (string, error) {
	h := u.Hostname()
	if h == "" {
		return "", &BadURLError{Reason: "it has no host name"}
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", &BadURLError{Reason: "the port must be a number from 1 to 65535"}
		}
	}
	if ip := net.ParseIP(h); ip == nil && !validHostName(h) {
		return "", &BadURLError{Reason: "the host name may only hold letters, digits, dots and dashes"}
	}
	return u.Host, nil
}

func validHostName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func bracket(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// Origin returns "https://host[:port]" of u: the key of a server in the settings (pins) and the
// keyring.
func Origin(u *url.URL) string {
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// hostPort returns u's host name and port (443 when none is written).
func hostPort(u *url.URL) (string, string) {
	p := u.Port()
	if p == "" {
		p = "443"
	}
	return u.Hostname(), p
}
