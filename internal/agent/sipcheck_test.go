package agent

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
)

func TestCheckSIPAddress(t *testing.T) {
	const srv = "https://motion.test:8443"
	allowed := config.Default()
	allowed.AllowInsecureSIP = map[string]bool{srv: true}
	otherAllowed := config.Default()
	otherAllowed.AllowInsecureSIP = map[string]bool{"https://other.test": true}
	tests := []struct {
		name   string
		st     config.Settings
		wsURI  string
		refuse bool
	}{
		{"wss", config.Default(), "wss://motion.test:8443/ws", false},
		{"ws refused by default", config.Default(), "ws://motion.test:8088/ws", true},
		{"WS upper case refused", config.Default(), "WS://motion.test:8088/ws", true},
		{"ws allowed for this server", allowed, "ws://motion.test:8088/ws", false},
		{"ws allowed for another server only", otherAllowed, "ws://motion.test:8088/ws", true},
		{"not a ws address: left to the SIP layer", config.Default(), "http://x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSIPAddress(tt.st, "/home/a/.config/phonebar/settings.json", srv, tt.wsURI)
			if !tt.refuse {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInsecureSIP)
			msg := err.Error()
			assert.Contains(t, msg, tt.wsURI)
			assert.Contains(t, msg, "/home/a/.config/phonebar/settings.json")
			assert.Contains(t, msg, `"allowInsecureSipWs": {"https://motion.test:8443": true}`)
			assert.Contains(t, msg, "wss://")
		})
	}
}
