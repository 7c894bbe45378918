package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/tlspin"
)

const (
	fpHex    = "3f8a1c0e5b7d9f2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a"
	fpColons = "3F:8A:1C:0E:5B:7D:9F:2A:4C:6E:8B:0D:1F:3A:5C:7E:9B:2D:4F:6A:8C:0E:1B:3D:5F:7A:9C:2E:4B:6D:8F:0A"
	token    = "0123456789abcdef0123456789abcdef0123456789abcdef"
)

const fullPolicy = `{
  "serverUrl": "https://motion.example.com/",
  "serverCertificate": "` + fpColons + `",
  "turnServers": [
    {"urls": ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349"], "username": "agent", "credential": "relay-secret"},
    {"urls": ["stun:stun.example.com"]}
  ],
  "controlApi": {"enabled": true, "listen": "127.0.0.1:7766", "allowedOrigins": ["https://crm.example.com"], "token": "` + token + `"},
  "locked": ["serverUrl", "serverCertificate", "controlApi"]
}`

func TestParseFull(t *testing.T) {
	p, err := Parse("/etc/phonebar/policy.json", []byte(fullPolicy))
	require.NoError(t, err)
	assert.Equal(t, "https://motion.example.com", p.ServerURL, "the origin, without the trailing slash")
	assert.Equal(t, tlspin.Fingerprint(fpHex), p.ServerCertificate, "the fingerprint in its canonical form")
	require.Len(t, p.TURNServers, 2)
	assert.Equal(t, "agent", p.TURNServers[0].Username)
	require.NotNil(t, p.ControlAPI)
	assert.True(t, p.ControlAPI.Enabled)
	assert.Equal(t, "127.0.0.1:7766", p.ControlAPI.Listen)
	assert.True(t, p.IsLocked(KeyServerURL))
	assert.False(t, p.IsLocked(KeyTURNServers))
	// Secrets stay out of what is printed.
	assert.NotContains(t, p.TURNServers[0].String(), "relay-secret")
	assert.NotContains(t, p.ControlAPI.String(), token)
}

// TestParseRefused: every bad policy is refused as a whole, with each bad key named, and a secret is
// never repeated in the message.
func TestParseRefused(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // each must appear in the message
	}{
		{"not JSON", `{"serverUrl": "https://a.example.com",,}`, []string{"is not JSON", "line 1, column 39"}},
		{"not JSON on a later line", "{\n  \"serverUrl\": \"https://a.example.com\"\n  \"locked\": []\n}", []string{"is not JSON", "line 3"}},
		{"cut short", `{"serverUrl": "https://a.exa`, []string{"is not JSON"}},
		{"empty file", ``, []string{"is not JSON"}},
		{"a list, not an object", `["serverUrl"]`, []string{"is not a JSON object"}},
		{"null", `null`, []string{"is not a JSON object"}},
		{"unknown top key", `{"serverURL": "https://a.example.com"}`, []string{`serverURL: is not a policy key`, "known: serverUrl"}},
		{"two unknown keys, both named", `{"sever": 1, "lock": []}`, []string{"lock: is not a policy key", "sever: is not a policy key"}},
		{"unknown controlApi key", `{"controlApi": {"enabled": false, "port": 80}}`, []string{"controlApi.port: is not a policy key"}},
		{"unknown TURN key", `{"turnServers": [{"urls": ["stun:s.example.com"], "password": "x"}]}`, []string{"turnServers[0].password: is not a policy key"}},
		{"wrong type", `{"controlApi": {"enabled": "yes"}}`, []string{"controlApi.enabled", "expected true or false"}},
		{"wrong type at the top", `{"locked": "serverUrl"}`, []string{"locked", "expected a list"}},
		{"malformed fingerprint", `{"serverUrl": "https://a.example.com", "serverCertificate": "3F:8A:1C"}`, []string{"serverCertificate: is not a SHA-256 fingerprint"}},
		{"fingerprint without a server", `{"serverCertificate": "` + fpHex + `"}`, []string{"serverCertificate: pins a certificate but serverUrl"}},
		{"http server", `{"serverUrl": "http://a.example.com"}`, []string{`serverUrl: "http://a.example.com" must start with https://`}},
		{"server with a path", `{"serverUrl": "https://a.example.com/motion"}`, []string{"serverUrl", "nothing after it"}},
		{"bare host", `{"serverUrl": "motion.example.com"}`, []string{"serverUrl", "must start with https://"}},
		{"bad TURN address", `{"turnServers": [{"urls": ["http://turn.example.com"], "username": "u", "credential": "c"}]}`, []string{"turnServers[0].urls[0]", "is not a TURN or STUN address"}},
		{"TURN without credentials", `{"turnServers": [{"urls": ["turn:turn.example.com"]}]}`, []string{"turnServers[0]: a TURN server needs username and credential"}},
		{"TURN without addresses", `{"turnServers": [{"urls": []}]}`, []string{"turnServers[0].urls: is empty"}},
		{"control API on every interface", `{"controlApi": {"enabled": true, "listen": "0.0.0.0:7766", "token": "` + token + `"}}`, []string{"controlApi.listen", "loopback"}},
		{"control API without a port", `{"controlApi": {"enabled": true, "listen": "127.0.0.1", "token": "` + token + `"}}`, []string{"controlApi.listen"}},
		{"control API port out of range", `{"controlApi": {"enabled": true, "listen": "127.0.0.1:70000", "token": "` + token + `"}}`, []string{"controlApi.listen", "port from 1 to 65535"}},
		{"short token", `{"controlApi": {"enabled": true, "listen": "127.0.0.1:7766", "token": "hunter2"}}`, []string{"controlApi.token: must be at least 32 characters (it has 7)"}},
		{"enabled without a token", `{"controlApi": {"enabled": true, "listen": "[::1]:7766"}}`, []string{"controlApi.token"}},
		{"bad allowed origin", `{"controlApi": {"enabled": false, "allowedOrigins": ["crm.example.com"]}}`, []string{"controlApi.allowedOrigins[0]"}},
		{"lock an unknown key", `{"serverUrl": "https://a.example.com", "locked": ["rememberMe"]}`, []string{`locked[0]: "rememberMe" is not a key that can be locked`}},
		{"lock a key not set", `{"locked": ["serverUrl"]}`, []string{"locked[0]: locks serverUrl, which this policy does not set"}},
		{"every problem at once", `{"serverUrl": "ftp://x", "serverCertificate": "zz", "controlApi": {"listen": "8.8.8.8:53"}}`,
			[]string{"serverUrl:", "serverCertificate:", "controlApi.listen:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("/etc/phonebar/policy.json", []byte(tt.body))
			require.Error(t, err)
			assert.Nil(t, p, "nothing of a refused policy is returned")
			assert.ErrorIs(t, err, ErrRefused)
			var pe *Error
			require.ErrorAs(t, err, &pe)
			msg := err.Error()
			assert.Contains(t, msg, "/etc/phonebar/policy.json")
			assert.Contains(t, msg, "none of it applies")
			for _, w := range tt.want {
				assert.Contains(t, msg, w)
			}
			assert.NotContains(t, msg, token, "the control API token is never repeated")
			assert.NotContains(t, msg, "hunter2")
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p, err := Load(filepath.Join(dir, "none.json"))
	require.NoError(t, err, "no policy file is no policy")
	assert.Nil(t, p)

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"sever": "x"}`), 0o644))
	_, err = Load(bad)
	assert.ErrorContains(t, err, "sever: is not a policy key")

	t.Setenv(EnvFile, filepath.Join(dir, "missing.json"))
	_, err = LoadDefault()
	assert.ErrorContains(t, err, EnvFile+" names the policy file", "a file named on purpose must exist")

	good := filepath.Join(dir, "good.json")
	require.NoError(t, os.WriteFile(good, []byte(fullPolicy), 0o644))
	t.Setenv(EnvFile, good)
	p, err = LoadDefault()
	require.NoError(t, err)
	assert.Equal(t, good, p.Path)
}

func TestPathIsAbsolute(t *testing.T) {
	assert.True(t, filepath.IsAbs(Path()), Path())
	assert.True(t, strings.HasSuffix(Path(), "policy.json"))
}

// storeWith returns a settings store in a temporary folder with the policy body applied, and the
// settings file's path.
func storeWith(t *testing.T, body string, file string) (*config.Store, string) {
	t.Helper()
	dir := t.TempDir()
	pf := filepath.Join(dir, "policy.json")
	require.NoError(t, os.WriteFile(pf, []byte(body), 0o644))
	t.Setenv(EnvFile, pf)
	sf := filepath.Join(dir, "settings.json")
	if file != "" {
		require.NoError(t, os.WriteFile(sf, []byte(file), 0o600))
	}
	st, err := SettingsStore(sf)
	require.NoError(t, err)
	return st, sf
}

func readFile(t *testing.T, st *config.Store) config.Settings {
	t.Helper()
	plain, err := config.NewStore(st.Path()).Load()
	require.NoError(t, err)
	return plain
}

func TestLockedKeys(t *testing.T) {
	body := `{"serverUrl": "https://motion.example.com", "serverCertificate": "` + fpHex + `", "locked": ["serverUrl", "serverCertificate"]}`
	st, _ := storeWith(t, body, `{"serverUrl": "https://other.example.com", "username": "amy", "pins": {"https://other.example.com": "`+strings.Repeat("ab", 32)+`"}}`)

	s, err := st.Load()
	require.NoError(t, err)
	assert.Equal(t, "https://motion.example.com", s.ServerURL, "a locked key wins over the user's value")
	assert.Equal(t, tlspin.Fingerprint(fpHex), s.Pins["https://motion.example.com"])
	assert.Equal(t, "amy", s.Username, "keys the policy does not set stay the user's")

	tests := []struct {
		name   string
		change func(*config.Settings)
		key    string
	}{
		{"another server", func(s *config.Settings) { s.ServerURL = "https://evil.example.com" }, KeyServerURL},
		{"another pin", func(s *config.Settings) {
			s.Pins["https://motion.example.com"] = tlspin.Fingerprint(strings.Repeat("cd", 32))
		}, KeyServerCertificate},
		{"the pin removed", func(s *config.Settings) { delete(s.Pins, "https://motion.example.com") }, KeyServerCertificate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := readFile(t, st)
			err := st.Update(func(s *config.Settings) error { tt.change(s); return nil })
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrLocked)
			assert.ErrorContains(t, err, "your organisation's policy ("+os.Getenv(EnvFile)+") sets "+tt.key)
			assert.ErrorContains(t, err, "cannot be changed here: ask your IT department")
			assert.Equal(t, before, readFile(t, st), "a refused save writes nothing")

			s, err := st.Load()
			require.NoError(t, err)
			tt.change(&s)
			assert.ErrorIs(t, st.Save(s), ErrLocked)
		})
	}

	// Changes elsewhere are saved; the locked keys keep the user's own values in the file.
	require.NoError(t, st.Update(func(s *config.Settings) error { s.Username = "rory"; return nil }))
	file := readFile(t, st)
	assert.Equal(t, "rory", file.Username)
	assert.Equal(t, "https://other.example.com", file.ServerURL, "the policy's value is not written into the user's file")
	assert.NotContains(t, file.Pins, "https://motion.example.com")
	assert.Contains(t, file.Pins, "https://other.example.com")
}

func TestDefaults(t *testing.T) {
	body := `{"serverUrl": "https://motion.example.com", "serverCertificate": "` + fpHex + `"}`

	t.Run("applied where the user has nothing, and not written", func(t *testing.T) {
		st, _ := storeWith(t, body, "")
		s, err := st.Load()
		require.NoError(t, err)
		assert.Equal(t, "https://motion.example.com", s.ServerURL)
		assert.Equal(t, tlspin.Fingerprint(fpHex), s.Pins["https://motion.example.com"])
		require.NoError(t, st.Update(func(s *config.Settings) error { s.Username = "amy"; return nil }))
		file := readFile(t, st)
		assert.Equal(t, "amy", file.Username)
		assert.Empty(t, file.ServerURL, "a default the user did not change stays the policy's")
		assert.Empty(t, file.Pins)
	})

	t.Run("the user's choice wins and is kept", func(t *testing.T) {
		st, _ := storeWith(t, body, "")
		other := tlspin.Fingerprint(strings.Repeat("ef", 32))
		require.NoError(t, st.Update(func(s *config.Settings) error {
			s.ServerURL = "https://other.example.com"
			s.Pins["https://motion.example.com"] = other
			return nil
		}))
		s, err := st.Load()
		require.NoError(t, err)
		assert.Equal(t, "https://other.example.com", s.ServerURL)
		assert.Equal(t, other, s.Pins["https://motion.example.com"])
		assert.Equal(t, s.ServerURL, readFile(t, st).ServerURL)
	})
}

func TestRefusedPolicyStopsTheStore(t *testing.T) {
	dir := t.TempDir()
	pf := filepath.Join(dir, "policy.json")
	require.NoError(t, os.WriteFile(pf, []byte(`{"serverUrl": "https://motion.example.com", "serverCertificate": "nope"}`), 0o644))
	t.Setenv(EnvFile, pf)
	st, err := SettingsStore(filepath.Join(dir, "settings.json"))
	assert.Nil(t, st)
	assert.True(t, errors.Is(err, ErrRefused))
	assert.ErrorContains(t, err, "serverCertificate")
}

func TestCheckServer(t *testing.T) {
	locked, err := Parse("p.json", []byte(`{"serverUrl": "https://Motion.Example.com", "locked": ["serverUrl"]}`))
	require.NoError(t, err)
	unlocked, err := Parse("p.json", []byte(`{"serverUrl": "https://motion.example.com"}`))
	require.NoError(t, err)
	tests := []struct {
		name   string
		p      *Policy
		origin string
		ok     bool
	}{
		{"the locked server", locked, "https://motion.example.com", true},
		{"another server", locked, "https://other.example.com", false},
		{"another port", locked, "https://motion.example.com:8443", false},
		{"a default only", unlocked, "https://other.example.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := config.NewStore(filepath.Join(t.TempDir(), "settings.json"))
			st.SetOverlay(tt.p)
			err := st.CheckServer(tt.origin)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrLocked)
			assert.ErrorContains(t, err, "your organisation's policy (p.json) sets serverUrl to https://motion.example.com, which cannot be changed here")
		})
	}
	assert.NoError(t, config.NewStore("x").CheckServer("https://any.example.com"), "no policy, no limit")
}

func TestControlAPIFromThePolicy(t *testing.T) {
	token := strings.Repeat("t", 40)
	t.Run("a default, kept out of the user's file, the token never in it", func(t *testing.T) {
		st, _ := storeWith(t, `{"controlApi": {"enabled": true, "listen": "127.0.0.1:7766", "allowedOrigins": ["https://crm.example.com"], "token": "`+token+`"}}`, "")
		s, err := st.Load()
		require.NoError(t, err)
		assert.Equal(t, config.ControlAPI{Enabled: true, Listen: "127.0.0.1:7766", AllowedOrigins: []string{"https://crm.example.com"}}, s.ControlAPI)
		require.NoError(t, st.Update(func(s *config.Settings) error { s.Username = "amy"; return nil }))
		assert.Equal(t, config.ControlAPI{}, readFile(t, st).ControlAPI)
		raw, err := os.ReadFile(st.Path())
		require.NoError(t, err)
		assert.NotContains(t, string(raw), token)
	})
	t.Run("locked: the policy's value over the user's", func(t *testing.T) {
		st, _ := storeWith(t, `{"controlApi": {"enabled": false}, "locked": ["controlApi"]}`, `{"controlApi": {"enabled": true, "listen": "127.0.0.1:9999"}}`)
		s, err := st.Load()
		require.NoError(t, err)
		assert.Equal(t, config.ControlAPI{}, s.ControlAPI)
		require.NoError(t, st.Update(func(s *config.Settings) error { s.Username = "amy"; return nil }))
		assert.Equal(t, "127.0.0.1:9999", readFile(t, st).ControlAPI.Listen, "the user's own value stays in the file")
	})
}
