package motion

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseServerURL(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      string
		wantErr   error
		wantInMsg string
	}{
		{"bare host", "motion.example.com", "https://motion.example.com", nil, ""},
		{"bare host upper case", "Motion.Example.COM", "https://motion.example.com", nil, ""},
		{"host and port", "motion.example.com:8443", "https://motion.example.com:8443", nil, ""},
		{"https", "https://motion.example.com", "https://motion.example.com", nil, ""},
		{"https trailing slash", "https://motion.example.com:8443/", "https://motion.example.com:8443", nil, ""},
		{"https default port dropped", "https://motion.example.com:443", "https://motion.example.com", nil, ""},
		{"upper scheme", "HTTPS://motion.example.com", "https://motion.example.com", nil, ""},
		{"spaces around", "  motion.example.com  \n", "https://motion.example.com", nil, ""},
		{"ipv4", "10.0.0.5:8443", "https://10.0.0.5:8443", nil, ""},
		{"ipv6", "[::1]:8443", "https://[::1]:8443", nil, ""},
		{"single label", "localhost", "https://localhost", nil, ""},

		{"http", "http://motion.example.com", "", ErrNotHTTPS, "https://motion.example.com"},
		{"http with port", "http://motion.example.com:8080/", "", ErrNotHTTPS, "https://motion.example.com:8080"},
		{"http port 80", "http://motion.example.com:80", "", ErrNotHTTPS, "https://motion.example.com is the secure one"},

		{"empty", "", "", ErrBadURL, "empty"},
		{"blank", "   ", "", ErrBadURL, "empty"},
		{"spaces inside", "motion example com", "", ErrBadURL, "spaces"},
		{"garbage", "%%%", "", ErrBadURL, "cannot be read as an address"},
		{"bad host chars", "moti*on.example.com", "", ErrBadURL, "host name"},
		{"underscore", "my_server", "", ErrBadURL, "host name"},
		{"bad port", "motion.example.com:99999", "", ErrBadURL, "port"},
		{"port not a number", "motion.example.com:abc", "", ErrBadURL, "port"},
		{"empty port", "motion.example.com:", "", ErrBadURL, "port"},
		{"ftp", "ftp://motion.example.com", "", ErrBadURL, "only https://"},
		{"path", "https://motion.example.com/login", "", ErrBadURL, "path"},
		{"query", "https://motion.example.com/?a=b", "", ErrBadURL, "?"},
		{"user info", "https://agent:hunter2@motion.example.com", "", ErrBadURL, "user name or password"},
		{"no host", "https://", "", ErrBadURL, "no host"},
		{"label dash", "-bad.example.com", "", ErrBadURL, "host name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseServerURL(tt.in)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.want, u.String())
				assert.Equal(t, tt.want, Origin(u))
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.Nil(t, u)
			assert.Contains(t, err.Error(), tt.wantInMsg)
			var ne *NotHTTPSError
			if errors.As(err, &ne) {
				assert.Equal(t, "https://", ne.Suggested[:8], "the address to use instead")
			}
			assert.NotContains(t, err.Error(), "hunter2", "an address is never echoed")
		})
	}
}

func FuzzParseServerURL(f *testing.F) {
	for _, s := range []string{"motion.example.com", "http://h", "https://h:1/", "[::1]:1", "%", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseServerURL(s)
		if err != nil {
			return
		}
		if u.Scheme != "https" || u.Host == "" || u.Path != "" || u.User != nil {
			t.Fatalf("ParseServerURL(%q) = %v", s, u)
		}
		again, err := ParseServerURL(u.String())
		if err != nil || again.String() != u.String() {
			t.Fatalf("not stable: %q -> %v -> %v, %v", s, u, again, err)
		}
	})
}
