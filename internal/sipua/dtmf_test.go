package sipua_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/sipua"
)

func TestParseDTMFBody(t *testing.T) {
	tests := []struct {
		name  string
		ctype string
		body  string
		digit rune
		dur   time.Duration
		ok    bool
	}{
		{"relay", "application/dtmf-relay", "Signal=5\r\nDuration=250\r\n", '5', 250 * time.Millisecond, true},
		{"relay star", "application/dtmf-relay", "Signal=*\nDuration=100", '*', 100 * time.Millisecond, true},
		{"relay numeric star", "application/dtmf-relay", "Signal=10", '*', 160 * time.Millisecond, true},
		{"relay lower letter", "application/dtmf-relay", "Signal=a\r\n", 'A', 160 * time.Millisecond, true},
		{"plain", "application/dtmf", "#", '#', 160 * time.Millisecond, true},
		{"bad digit", "application/dtmf-relay", "Signal=X", 0, 0, false},
		{"no signal", "application/dtmf-relay", "Duration=100", 0, 0, false},
		{"other type", "text/plain", "5", 0, 0, false},
		{"huge duration ignored", "application/dtmf-relay", "Signal=1\nDuration=99999999999", '1', 160 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, dur, ok := sipua.ParseDTMFBody(tt.ctype, []byte(tt.body))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.digit, d)
			assert.Equal(t, tt.dur, dur)
		})
	}
}

func FuzzParseDTMFBody(f *testing.F) {
	f.Add("application/dtmf-relay", []byte("Signal=5\r\nDuration=160"))
	f.Add("application/dtmf", []byte("#"))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		d, dur, ok := sipua.ParseDTMFBody(ctype, body)
		if ok && (dur <= 0 || !((d >= '0' && d <= '9') || d == '*' || d == '#' || (d >= 'A' && d <= 'D'))) {
			t.Fatalf("accepted %q for %q", d, body)
		}
	})
}

func TestStatusErrorMessages(t *testing.T) {
	tests := []struct {
		name  string
		err   sipua.StatusError
		says  string
		retry bool
	}{
		{"register 401", sipua.StatusError{Method: "REGISTER", Code: 401, Reason: "Unauthorized"}, "password", false},
		{"register 403", sipua.StatusError{Method: "REGISTER", Code: 403, Reason: "Forbidden"}, "administrator", false},
		{"invite 403", sipua.StatusError{Method: "INVITE", Code: 403, Reason: "Forbidden"}, "barred", false},
		{"invite 404", sipua.StatusError{Method: "INVITE", Code: 404, Reason: "Not Found"}, "not found", false},
		{"invite 486", sipua.StatusError{Method: "INVITE", Code: 486, Reason: "Busy Here"}, "busy", false},
		{"invite 488", sipua.StatusError{Method: "INVITE", Code: 488, Reason: "Not Acceptable Here"}, "codec", false},
		{"503", sipua.StatusError{Method: "INVITE", Code: 503, Reason: "Service Unavailable"}, "try again", true},
		{"603", sipua.StatusError{Method: "INVITE", Code: 603, Reason: "Decline"}, "declined", false},
		{"other 5xx", sipua.StatusError{Method: "INVITE", Code: 502, Reason: "Bad Gateway"}, "failed", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, tt.err.Message(), tt.says)
			assert.Contains(t, tt.err.Error(), tt.err.Reason)
			assert.Equal(t, tt.retry, tt.err.Temporary())
		})
	}
}
