package cli

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/rtc"
)

// TestClassifyNoRelay: a relay-only call whose TURN server refused has its own code and says which
// options to look at (internal/rtc's TestTURNRefuses makes the error with a real TURN server).
func TestClassifyNoRelay(t *testing.T) {
	code, sip, msg := classify(fmt.Errorf("phone: %w", rtc.ErrNoRelay))
	assert.Equal(t, "NO_RELAY", code)
	assert.Zero(t, sip)
	assert.Contains(t, msg, "TURN")
	assert.Contains(t, msg, "--ice-servers")
}
