package logging

import (
	"bytes"
	"log/slog"
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

func TestSlogHandlerFeedsLogrusWithRedaction(t *testing.T) {
	var buf bytes.Buffer
	l := New(Options{Out: &buf})
	s := slog.New(SlogHandler(l)).With("call", "abc")
	s.Info("registered", "password", "sip-Secret-1", "user", "1001")
	s.Debug("hidden at info level")
	out := buf.String()
	assert.Contains(t, out, "registered")
	assert.Contains(t, out, "call=abc")
	assert.Contains(t, out, "user=1001")
	assert.NotContains(t, out, "sip-Secret-1")
	assert.NotContains(t, out, "hidden at info level")
}
