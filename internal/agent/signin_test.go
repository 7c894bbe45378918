package agent

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

func TestSignInCodeReuse(t *testing.T) {
	const origin, provider = "https://motion.test", motion.ProviderGoogle
	tests := []struct {
		name string
		err  error
		// then is the second sign-in: another origin or provider, after a delay.
		origin, provider string
		after            time.Duration
		reused           bool
	}{
		{"session exists: the answer reuses the code", motion.ErrSessionExists, origin, provider, time.Minute, true},
		{"phone required", fmt.Errorf("login: %w", motion.ErrPhoneRequired), origin, provider, 0, true},
		{"phone unavailable", motion.ErrPhoneUnavailable, origin, provider, 0, true},
		{"too late", motion.ErrSessionExists, origin, provider, DefaultSignInCodeTTL, false},
		{"another server", motion.ErrSessionExists, "https://other.test", provider, 0, false},
		{"another provider", motion.ErrSessionExists, origin, motion.ProviderActiveDirectory, 0, false},
		{"refused for good", motion.ErrInvalidCredentials, origin, provider, 0, false},
		{"logged in", nil, origin, provider, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			s := &SignIns{Now: func() time.Time { return now }}
			code, err := s.Begin(origin, provider, func() {})
			require.NoError(t, err)
			require.Empty(t, code, "nothing kept at first")
			s.End(origin, provider, "one-time-code", tt.err)
			now = now.Add(tt.after)
			code, err = s.Begin(tt.origin, tt.provider, func() {})
			require.NoError(t, err)
			if tt.reused {
				assert.Equal(t, "one-time-code", code)
			} else {
				assert.Empty(t, code)
			}
			s.End(tt.origin, tt.provider, "", nil)
			code, _ = s.Begin(tt.origin, tt.provider, func() {})
			assert.Empty(t, code, "a kept code is handed out once")
		})
	}
}

func TestSignInOneAtATimeAndCancel(t *testing.T) {
	var s SignIns
	ctx, cancel := context.WithCancel(context.Background())
	_, err := s.Begin("https://motion.test", motion.ProviderGoogle, cancel)
	require.NoError(t, err)
	_, err = s.Begin("https://motion.test", motion.ProviderGoogle, func() {})
	require.True(t, errors.Is(err, ErrSignInRunning))
	s.Cancel()
	require.ErrorIs(t, ctx.Err(), context.Canceled)
	s.End("https://motion.test", motion.ProviderGoogle, "", context.Canceled)
	s.Cancel() // nothing running: no effect
	_, err = s.Begin("https://motion.test", motion.ProviderGoogle, func() {})
	require.NoError(t, err)
}
