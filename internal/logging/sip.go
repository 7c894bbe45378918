package logging

import (
	"bytes"
	"regexp"
)

// What RedactSIP hides in a SIP message:
//   - the response, cnonce and any password of an Authorization or Proxy-Authorization header
//     (the digest is computed from the SIP password: with it a weak password can be guessed
//     offline); user name, realm, nonce, uri and algorithm stay, they are what a trace is read for;
//     Any other scheme (Basic carries the password itself) keeps its name only;
//   - the ICE password (a=ice-pwd) and any SDES key (a=crypto) of the SDP.
//
// Header names are matched without regard to case, as SIP has them.
var (
	authHeader   = regexp.MustCompile(`(?im)^(proxy-)?authorization[ \t]*:[^\r\n]*`)
	authParam    = regexp.MustCompile(`(?i)\b(response|cnonce|password)[ \t]*=[ \t]*("[^"]*"|[^,\s]*)`)
	digestScheme = regexp.MustCompile(`(?i)^[^:]*:[ \t]*digest\b`)
	otherScheme  = regexp.MustCompile(`^[^:]*:[ \t]*(?:[A-Za-z0-9_-]+[ \t]+)?`)
	sdpSecret    = regexp.MustCompile(`(?im)^(a=(?:ice-pwd|crypto)[ \t]*:)[^\r\n]*`)
)

// RedactSIP returns msg, a SIP message, with its secrets replaced by Redacted. msg is not changed.
func RedactSIP(msg []byte) []byte {
	out := authHeader.ReplaceAllFunc(msg, func(h []byte) []byte {
		if !digestScheme.Match(h) {
			// Basic, Bearer or unknown: the whole credential goes.
			if m := otherScheme.FindIndex(h); m != nil {
				return append(append([]byte{}, h[:m[1]]...), Redacted...)
			}
			return h
		}
		return authParam.ReplaceAllFunc(h, func(p []byte) []byte {
			name := p[:bytes.IndexByte(p, '=')]
			return []byte(string(bytes.TrimSpace(name)) + `="` + Redacted + `"`)
		})
	})
	return sdpSecret.ReplaceAll(out, []byte("${1}"+Redacted))
}
