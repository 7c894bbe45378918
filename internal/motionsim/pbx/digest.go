package pbx

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// authResult is what checking a request's digest credentials found.
type authResult int

const (
	authUnknown   authResult = iota
	authMissing              // no credentials: challenge
	authStale                // a good response to an expired nonce: challenge with stale=true
	authBad                  // wrong password, unknown account or unreadable credentials: challenge again
	authOK                   // the credentials are right
	authWrongUser            // right password, but for another user than the request is about: 403
)

// newNonce makes a nonce that carries its own time and a MAC, so that the PBX keeps no state per
// challenge.
func (p *PBX) newNonce() string {
	var b [8 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(p.opts.Now().UnixNano()))
	m := hmac.New(sha256.New, p.nonceKey)
	m.Write(b[:8])
	copy(b[8:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// nonceState says whether a nonce is ours (valid) and still fresh.
func (p *PBX) nonceState(n string) (valid, fresh bool) {
	b, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(b) != 24 {
		return false, false
	}
	m := hmac.New(sha256.New, p.nonceKey)
	m.Write(b[:8])
	if !hmac.Equal(m.Sum(nil)[:16], b[8:]) {
		return false, false
	}
	at := time.Unix(0, int64(binary.BigEndian.Uint64(b[:8])))
	age := p.opts.Now().Sub(at)
	return true, age >= -time.Minute && age < p.opts.NonceLifetime
}

// challenge is the WWW-Authenticate header of a 401.
func (p *PBX) challenge(stale bool) sip.Header {
	ch := digest.Challenge{Realm: p.realm, Nonce: p.newNonce(), Algorithm: "MD5", QOP: []string{"auth"}, Stale: stale}
	return sip.NewHeader("WWW-Authenticate", ch.String())
}

// authenticate checks the digest credentials of req for user (the account the request is about).
// It returns the digest user name it found.
func (p *PBX) authenticate(req *sip.Request, user string) (authResult, string) {
	var h sip.Header
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		if h = req.GetHeader(name); h != nil {
			break
		}
	}
	if h == nil {
		return authMissing, ""
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil || cred.Username == "" || cred.Userhash || cred.Realm != p.realm {
		return authBad, ""
	}
	switch strings.ToUpper(cred.Algorithm) {
	case "", "MD5":
	default:
		return authBad, cred.Username
	}
	if cred.QOP != "" && cred.QOP != "auth" {
		return authBad, cred.Username
	}
	valid, fresh := p.nonceState(cred.Nonce)
	if !valid {
		return authBad, cred.Username
	}
	password, ok := p.opts.Lookup(cred.Username)
	if !ok {
		return authBad, cred.Username
	}
	ch := &digest.Challenge{Realm: cred.Realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	if cred.QOP != "" {
		ch.QOP = []string{cred.QOP}
	}
	want, err := digest.Digest(ch, digest.Options{
		Method: string(req.Method), URI: cred.URI, Username: cred.Username, Password: password,
		Count: cred.Nc, Cnonce: cred.Cnonce,
	})
	if err != nil || subtle.ConstantTimeCompare([]byte(want.Response), []byte(strings.ToLower(cred.Response))) != 1 {
		return authBad, cred.Username
	}
	if !fresh {
		return authStale, cred.Username
	}
	if !strings.EqualFold(cred.Username, user) {
		return authWrongUser, cred.Username
	}
	return authOK, cred.Username
}
