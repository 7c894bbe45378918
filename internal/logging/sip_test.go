package logging

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactSIP(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string
		mustHide []string
	}{
		{
			name: "digest authorization keeps who and where, hides the response",
			in: "REGISTER sip:example.com SIP/2.0\r\nAuthorization: Digest username=\"1001\", realm=\"example.com\", nonce=\"abc\", " +
				"uri=\"sip:example.com\", response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, cnonce=\"0a4f113b\", qop=auth, nc=00000001\r\nCSeq: 2 REGISTER\r\n\r\n",
			want: "REGISTER sip:example.com SIP/2.0\r\nAuthorization: Digest username=\"1001\", realm=\"example.com\", nonce=\"abc\", " +
				"uri=\"sip:example.com\", response=\"<redacted>\", algorithm=MD5, cnonce=\"<redacted>\", qop=auth, nc=00000001\r\nCSeq: 2 REGISTER\r\n\r\n",
			mustHide: []string{"6629fae49393a05397450978507c4ef1", "0a4f113b"},
		},
		{
			name:     "proxy authorization in lower case, unquoted response",
			in:       "INVITE sip:a@b SIP/2.0\r\nproxy-authorization:digest username=\"1001\",response=deadbeefcafe\r\n\r\n",
			want:     "INVITE sip:a@b SIP/2.0\r\nproxy-authorization:digest username=\"1001\",response=\"<redacted>\"\r\n\r\n",
			mustHide: []string{"deadbeefcafe"},
		},
		{
			name:     "basic authorization carries the password: all of it goes",
			in:       "OPTIONS sip:a@b SIP/2.0\r\nAuthorization: Basic dXNlcjpodW50ZXIy\r\n\r\n",
			want:     "OPTIONS sip:a@b SIP/2.0\r\nAuthorization: Basic <redacted>\r\n\r\n",
			mustHide: []string{"dXNlcjpodW50ZXIy"},
		},
		{
			name:     "sdp ice password and crypto key",
			in:       "v=0\r\na=ice-ufrag:Fq3B\r\na=ice-pwd:qG8mCkJ1pX7s0cKfVQ2bR4d9\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n",
			want:     "v=0\r\na=ice-ufrag:Fq3B\r\na=ice-pwd:<redacted>\r\na=crypto:<redacted>\r\n",
			mustHide: []string{"qG8mCkJ1pX7s0cKfVQ2bR4d9", "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"},
		},
		{
			name: "challenges and ordinary headers stay",
			in:   "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\"\r\nFrom: <sip:1001@example.com>;tag=x\r\n\r\n",
			want: "SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\"\r\nFrom: <sip:1001@example.com>;tag=x\r\n\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(RedactSIP([]byte(tt.in)))
			assert.Equal(t, tt.want, got)
			for _, s := range tt.mustHide {
				assert.False(t, strings.Contains(got, s), "%q must not remain", s)
			}
		})
	}
}

func FuzzRedactSIP(f *testing.F) {
	f.Add([]byte("Authorization: Digest response=\"x\"\r\n"))
	f.Add([]byte("a=ice-pwd:abc\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out := RedactSIP(b)
		if strings.Contains(string(out), "a=ice-pwd:") && !strings.Contains(string(b), "a=ice-pwd:") {
			t.Fatal("redaction invented a line")
		}
	})
}
