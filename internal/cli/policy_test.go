package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/policy"
	"github.com/phonebar/phonebar/internal/problem"
)

// TestLoginWithMachinePolicy runs the login command as the binary does (Run, the user's settings
// folder, the policy file named by PHONEBAR_POLICY_FILE): the policy's server and pinned certificate
// make a login to the self-signed demo server work with no --server and no --trust-fingerprint; a
// broken policy stops the command with the bad key named and the settings untouched.
func TestLoginWithMachinePolicy(t *testing.T) {
	ep := startSim(t)
	other := startSim(t)
	run := func(t *testing.T, policyBody string, args ...string) (int, string, string) {
		t.Helper()
		dir := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
		pf := filepath.Join(dir, "policy.json")
		require.NoError(t, os.WriteFile(pf, []byte(policyBody), 0o644))
		t.Setenv(policy.EnvFile, pf)
		var out, errb bytes.Buffer
		code := Run(context.Background(), append([]string{"login"}, args...),
			Stdio{In: strings.NewReader(amyPassword + "\n"), Out: &out, Err: &errb})
		assert.NotContains(t, out.String()+errb.String(), amyPassword)
		return code, out.String(), errb.String()
	}
	settings := func(t *testing.T) string {
		p, err := config.DefaultPath()
		require.NoError(t, err)
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			return ""
		}
		require.NoError(t, err)
		return string(b)
	}
	locked := `{"serverUrl": "` + ep.URL + `", "serverCertificate": "` + ep.Fingerprint.Pretty() + `", "locked": ["serverUrl", "serverCertificate"]}`

	t.Run("the policy's server and pin are used", func(t *testing.T) {
		code, out, errOut := run(t, locked, "--user", amyName, "--password-stdin", "--json")
		require.Equal(t, 0, code, out+errOut)
		r := decode(t, out)
		assert.True(t, r.OK)
		assert.Equal(t, ep.URL, r.Server)
		assert.NotContains(t, settings(t), ep.Fingerprint, "the policy's pin is not copied into the user's file")
	})

	t.Run("without the policy the same login needs the pin", func(t *testing.T) {
		code, out, _ := run(t, `{}`, "--server", ep.URL, "--user", amyName, "--password-stdin", "--json")
		assert.Equal(t, 1, code)
		assert.Equal(t, string(problem.CodeUntrustedCertificate), decode(t, out).Code)
	})

	t.Run("another server is refused when the server is locked", func(t *testing.T) {
		// Refused before any request: without the check this login would end UNTRUSTED_CERTIFICATE.
		code, out, errOut := run(t, locked, "--server", other.URL, "--user", amyName, "--password-stdin")
		assert.Equal(t, 1, code, out)
		assert.Contains(t, errOut, "policy ("+os.Getenv(policy.EnvFile)+") sets serverUrl to "+ep.URL+", which cannot be changed here")
		assert.NotContains(t, settings(t), other.URL)
	})

	bad := []struct {
		name, body, key string
	}{
		{"not JSON", `{"serverUrl": `, "is not JSON"},
		{"unknown key", `{"serverUrl": "` + ep.URL + `", "severCertificate": "ab"}`, "severCertificate: is not a policy key"},
		{"malformed fingerprint", `{"serverUrl": "` + ep.URL + `", "serverCertificate": "12:34"}`, "serverCertificate: is not a SHA-256 fingerprint"},
	}
	for _, tt := range bad {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.body, "--server", ep.URL, "--user", amyName, "--password-stdin",
				"--trust-fingerprint", ep.Fingerprint.Pretty())
			assert.Equal(t, 1, code, out)
			assert.Contains(t, errOut, tt.key)
			assert.Contains(t, errOut, "none of it applies")
			assert.Empty(t, settings(t), "nothing is written with a refused policy")
		})
	}
}
