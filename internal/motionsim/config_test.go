package motionsim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	require.NoError(t, c.Validate())
	kinds := map[string]bool{}
	for _, d := range DemoLogins() {
		kinds[d.Typology] = true
		assert.Empty(t, passwordRulesBroken(d.Password), "demo password of %s", d.Name)
	}
	for _, k := range []string{motion.TypologyWebRTC, motion.TypologyExternal, motion.TypologyPhonebar, motion.RoleAdmin} {
		assert.True(t, kinds[k], "the demo has a %s user", k)
	}
	for _, u := range c.Users {
		assert.NotEmpty(t, u.Fullname)
		assert.NotEmpty(t, u.Email)
		if u.Role == motion.RoleAgent {
			assert.NotEmpty(t, u.Internal, u.Name)
		}
	}
	// Each call is a fresh copy.
	c.Users[0].Name = "changed"
	assert.NotEqual(t, "changed", DefaultConfig().Users[0].Name)
}

func TestParseConfig(t *testing.T) {
	good := `{
	  "securitySuite": true, "maxLoginAttempts": 3, "unlockAfterMinutes": 0, "passwordMaxAgeDays": 30,
	  "licenseExpiresAt": "2027-01-31T00:00:00Z", "disconnectionTimeoutMinutes": 2,
	  "ssoProviders": ["google"],
	  "sip": {"wsUri": "wss://pbx.example:8089/ws", "domain": "pbx.example", "iceServers": [{"urls": ["stun:stun.example:3478"]}]},
	  "users": [
	    {"name": "eve", "fullname": "Eve Agent", "email": "eve@example.com", "typology": "webrtc", "internal": "2001",
	     "password": "Eve-Pass-2001", "sipPassword": "s3cret", "mustChangePassword": true, "apikey": "eve-key-123456"},
	    {"name": "boss", "fullname": "Boss", "role": "admin", "passwordHash": "$2a$04$abcdefghijklmnopqrstuuGX6qcbZnfrGXX3DyfT2rKoQq6sS2rka",
	     "passwordChangedAt": "2026-10-01T00:00:00Z"}
	  ]
	}`
	c, err := ParseConfig(strings.NewReader(good))
	require.NoError(t, err)
	assert.Equal(t, 3, c.MaxLoginAttempts)
	assert.Equal(t, "pbx.example", c.SIP.Domain)
	assert.Equal(t, []DemoLogin{{Name: "eve", Password: "Eve-Pass-2001", Typology: "webrtc"}}, c.DemoLogins())

	user := `{"name":"u1","fullname":"U","password":"Good-Pass-1"%s}`
	withUser := func(extra string) string {
		return `{"securitySuite":true,"users":[` + strings.Replace(user, "%s", extra, 1) + `]}`
	}
	tests := []struct {
		name      string
		json      string
		wantField string
		wantText  string
	}{
		{"empty file", ``, "(file)", "empty"},
		{"not JSON", `{"users": [}`, "(file)", "line 1"},
		{"unknown top-level field", `{"securitySuit": true}`, "securitySuit", "unknown field"},
		{"unknown user field", withUser(`,"typo":1`), "typo", "unknown field"},
		{"wrong type", `{"maxLoginAttempts": "five"}`, "maxLoginAttempts", "expected int"},
		{"negative", `{"maxLoginAttempts": -1, "users":[]}`, "maxLoginAttempts", "0 or more"},
		{"bad license time", `{"licenseExpiresAt": "next year", "users":[]}`, "licenseExpiresAt", "RFC 3339"},
		{"unknown SSO", `{"ssoProviders": ["facebook"], "users":[]}`, "ssoProviders[0]", "google"},
		{"public address over http", `{"publicUrl": "http://motion.example", "users":[]}`, "publicUrl", "https://"},
		{"register time too long", `{"pbx": {"registerSeconds": 61}, "users":[]}`, "pbx.registerSeconds", "1 to 60"},
		{"connections per address", `{"pbx": {"maxConnectionsPerAddress": -1}, "users":[]}`, "pbx.maxConnectionsPerAddress", "1 to 256"},
		{"calls per user", `{"pbx": {"maxCallsPerUser": 65}, "users":[]}`, "pbx.maxCallsPerUser", "1 to 64"},
		{"bad wsUri", `{"sip": {"wsUri": "http://x"}, "users":[]}`, "sip.wsUri", "wss://"},
		{"no users", `{}`, "users", "at least one"},
		{"bad name", `{"users":[{"name":"a b","fullname":"A","password":"Good-Pass-1"}]}`, "users[0].name", "letters"},
		{"no fullname", `{"users":[{"name":"a","password":"Good-Pass-1"}]}`, "users[0].fullname", "required"},
		{"bad role", withUser(`,"role":"boss"`), "users[0].role", "agent, admin, user"},
		{"bad typology", withUser(`,"typology":"fax"`), "users[0].typology", "phonebar, external"},
		{"typology for an admin", withUser(`,"role":"admin","typology":"webrtc"`), "users[0].typology", "only agents"},
		{"no password", `{"users":[{"name":"a","fullname":"A"}]}`, "users[0].password", "one of password"},
		{"both passwords", withUser(`,"passwordHash":"$2a$04$x"`), "users[0].password", "not both"},
		{"weak password under the suite", `{"securitySuite":true,"users":[{"name":"a","fullname":"A","password":"password"}]}`, "users[0].password", "an uppercase letter"},
		{"bad hash", `{"users":[{"name":"a","fullname":"A","passwordHash":"plain"}]}`, "users[0].passwordHash", "bcrypt"},
		{"webrtc without SIP password", withUser(`,"typology":"webrtc"`), "users[0].sipPassword", "required"},
		{"hot desk for a non-external", withUser(`,"hotDesk":true`), "users[0].hotDesk", "external"},
		{"bad email", withUser(`,"email":"nobody"`), "users[0].email", "email"},
		{"bad internal", withUser(`,"internal":"ext1"`), "users[0].internal", "extension"},
		{"bad passwordChangedAt", withUser(`,"passwordChangedAt":"yesterday"`), "users[0].passwordChangedAt", "RFC 3339"},
		{"duplicate name", `{"users":[{"name":"a","fullname":"A","password":"x"},{"name":"A","fullname":"B","password":"y"}]}`, "users[1].name", "users[0]"},
		{"duplicate apikey", `{"users":[{"name":"a","fullname":"A","password":"x","apikey":"k-12345678"},{"name":"b","fullname":"B","password":"y","apikey":"k-12345678"}]}`, "users[1].apikey", "users[0]"},
		{"trailing data", `{"users":[{"name":"a","fullname":"A","password":"x"}]} {}`, "(file)", "extra data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(tt.json))
			var ce *ConfigError
			require.True(t, errors.As(err, &ce), "want a *ConfigError, got %v", err)
			assert.Equal(t, tt.wantField, ce.Field)
			assert.Contains(t, ce.Error(), tt.wantText)
		})
	}
}

func TestLoadConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"users":[{"name":"solo","fullname":"Solo","password":"pw"}]}`), 0o600))
	c, err := LoadConfig(path)
	require.NoError(t, err)
	assert.Equal(t, "solo", c.Users[0].Name)
	_, err = LoadConfig(filepath.Join(dir, "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestNewRefusesInvalidConfig(t *testing.T) {
	_, err := New(Options{Config: &Config{}})
	var ce *ConfigError
	assert.ErrorAs(t, err, &ce)
}
