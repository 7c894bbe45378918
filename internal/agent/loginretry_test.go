package agent

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

func TestLoginRetry(t *testing.T) {
	netDown := fmt.Errorf("login: %w", motion.ErrUnreachable)
	slow := fmt.Errorf("login: %w", motion.ErrTimeout)
	tests := []struct {
		name  string
		errs  []error // in a row
		want  []time.Duration
		retry []bool
	}{
		{"network failures wait longer each time", []error{netDown, slow, netDown, netDown}, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}, []bool{true, true, true, true}},
		{"capped at a minute", []error{netDown, netDown, netDown, netDown, netDown, netDown, netDown}, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute}, []bool{true, true, true, true, true, true, true}},
		{"a refused password is never retried", []error{motion.ErrInvalidCredentials}, []time.Duration{0}, []bool{false}},
		{"a success starts the waits again", []error{netDown, netDown, nil, netDown}, []time.Duration{2 * time.Second, 4 * time.Second, 0, 2 * time.Second}, []bool{true, true, false, true}},
		{"a locked account is never retried", []error{netDown, motion.ErrAccountLocked}, []time.Duration{2 * time.Second, 0}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r LoginRetry
			for i, err := range tt.errs {
				got := r.Failed(err, 0.5)
				var re *RetryError
				require.Equal(t, tt.retry[i], errors.As(got, &re), "attempt %d", i)
				if tt.retry[i] {
					assert.Equal(t, tt.want[i], re.After, "attempt %d", i)
					assert.ErrorIs(t, got, err, "the failure is kept")
				} else {
					assert.Equal(t, err, got)
				}
			}
		})
	}
}
