package dialurl

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		name, in, want, reason string
	}{
		{"echo", "*43", "*43", ""},
		{"international with separators", "+33 (1) 23-45.67 89", "+33123456789", ""},
		{"hash", "12#", "12#", ""},
		{"letters", "1800FLOWERS", "", "must not contain letters"},
		{"control character", "123\r\nX-Injected: 1", "", "control characters"},
		{"bidi override", "123\u202e456", "", "control characters"},
		{"plus in the middle", "12+3", "", `'+' is not part of a phone number`},
		{"empty", "  ", "", "no number"},
		{"only separators", "--", "", "no digits"},
		{"too long", strings.Repeat("1", 33), "", "longer than 32 digits"},
		{"semicolon", "123;ext=4", "", `';' is not part`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Number(tt.in)
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			require.ErrorIs(t, err, ErrRefused)
			assert.Contains(t, err.Error(), tt.reason)
			assert.Empty(t, got)
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in, want, reason string
	}{
		{"tel", "tel:+33123456789", "+33123456789", ""},
		{"tel with separators", "tel:+1-201-555-0123", "+12015550123", ""},
		{"tel percent-encoded", "tel:%2A43", "*43", ""},
		{"TEL upper case", "TEL:*43", "*43", ""},
		{"callto", "callto:0123456789", "0123456789", ""},
		{"callto slashes", "callto://+4412345", "+4412345", ""},
		{"sip", "sip:1001@pbx.example.com", "sip:1001@pbx.example.com", ""},
		{"sips with port", "sips:alice@10.0.0.1:5061", "sips:alice@10.0.0.1:5061", ""},
		{"bare number", " 0123 456 ", "0123456", ""},
		{"tel extension", "tel:+1-201-555-0123;ext=1234", "", "carries parameters"},
		{"tel letters", "tel:1800FLOWERS", "", "must not contain letters"},
		{"tel encoded newline", "tel:123%0d%0aBYE", "", "control characters"},
		{"tel raw newline", "tel:123\nBYE", "", "control characters"},
		{"callto skype name", "callto:echo123", "", "must not contain letters"},
		{"sip transport", "sip:1001@pbx.example.com;transport=tcp", "", "parameters or headers"},
		{"sip header", "sip:1001@pbx.example.com?Subject=hi", "", "parameters or headers"},
		{"sip password", "sip:alice:secret@pbx.example.com", "", "with a password"},
		{"sip no user", "sip:pbx.example.com", "", "needs user@host"},
		{"sip bad host", "sip:alice@exa_mple.com", "", "not a host name"},
		{"sip bad port", "sip:alice@example.com:50x", "", "port is not a number"},
		{"sip space in user", "sip:al ice@example.com", "", `' ' is not allowed`},
		{"http", "http://evil.example/?x=1", "", `"http" links are not dialled`},
		{"javascript", "javascript:alert(1)", "", `"javascript" links are not dialled`},
		{"file", "file:///etc/passwd", "", `"file" links are not dialled`},
		{"too long", "tel:" + strings.Repeat("1", 600), "", "longer than 512 characters"},
		{"bad encoding", "tel:%zz", "", "percent-encoding is broken"},
		{"empty", "", "", "no number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			require.Error(t, err)
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Contains(t, e.Reason, tt.reason)
			assert.NotContains(t, err.Error(), "\n", "the message is safe to log")
			assert.Empty(t, got)
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"tel:+33123", "sip:a@b.c", "callto://1", "*43", "tel:%0a", "sips:x@[::1]:5061"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			require.ErrorIs(t, err, ErrRefused)
			return
		}
		// What is taken is a number or a plain SIP address, nothing else.
		if strings.HasPrefix(got, "sip:") || strings.HasPrefix(got, "sips:") {
			assert.NotContains(t, got, ";")
			assert.NotContains(t, got, "?")
			assert.Contains(t, got, "@")
		} else {
			_, nerr := Number(got)
			assert.NoError(t, nerr, "a number is a number: %q", got)
		}
		for _, r := range got {
			assert.False(t, isControl(r) || r == ' ', "no control character or space in %q", got)
		}
	})
}

func TestIsLink(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"tel:+3906123", true},
		{"TEL:abc", true},
		{"sip:a@b", true},
		{"sips:a@b", true},
		{"callto://1", true},
		{"tel", false},
		{"login", false},
		{"http://x", false},
		{"+3906123", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) { assert.Equal(t, tt.want, IsLink(tt.in)) })
	}
}
