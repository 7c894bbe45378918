package logging

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSecretFieldsAreRedacted(t *testing.T) {
	for _, json := range []bool{false, true} {
		var buf bytes.Buffer
		l := New(Options{Out: &buf, JSON: json})
		l.WithField("password", "hunter2-Secret").WithField("sipPassword", "s3cr3t-sip").
			WithField("Authorization", "Bearer abc.def").WithField("user", "alice").Info("login")
		out := buf.String()
		assert.NotContains(t, out, "hunter2-Secret")
		assert.NotContains(t, out, "s3cr3t-sip")
		assert.NotContains(t, out, "abc.def")
		assert.Contains(t, out, "alice")
		assert.Contains(t, out, "redacted")
	}
}

func TestIsSecretKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"password", true}, {"newPassword", true}, {"token", true}, {"apikey", true},
		{"user", false}, {"server", false}, {"fingerprint", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) { assert.Equal(t, tt.want, IsSecretKey(tt.key)) })
	}
}
