package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/doctor"
)

func TestDoctorCommand(t *testing.T) {
	ep := startSim(t)
	e := newEnv(t)
	run := func(stdin string, args ...string) (int, string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var out, errb bytes.Buffer
		code := doctorCommand(ctx, args, Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb}, doctorDeps{login: e.deps, allowLoopback: true})
		assert.NotContains(t, out.String()+errb.String(), amyPassword)
		return code, out.String(), errb.String()
	}
	t.Run("every check passes: exit 0, one JSON object", func(t *testing.T) {
		code, out, errb := run(amyPassword+"\n", "--server", ep.URL, "--user", amyName, "--password-stdin",
			"--trust-fingerprint", string(ep.Fingerprint), "--echo", "none", "--json")
		require.Equal(t, 0, code, "%s %s", out, errb)
		var rep doctor.Report
		require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &rep))
		assert.True(t, rep.OK)
		require.NotEmpty(t, rep.Checks)
		var raw map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &raw))
		first := raw["checks"].([]any)[0].(map[string]any)
		for _, k := range []string{"name", "ok", "ms", "detail", "advice"} {
			assert.Contains(t, first, k)
		}
		assert.Empty(t, errb, "stderr stays quiet")
	})
	t.Run("a failed check: exit 1, a line with the advice", func(t *testing.T) {
		code, out, _ := run(amyPassword+"\n", "--server", ep.URL, "--user", amyName, "--password-stdin", "--echo", "none")
		assert.Equal(t, 1, code)
		assert.Contains(t, out, "FAIL tls")
		assert.Contains(t, out, "--trust-fingerprint "+string(ep.Fingerprint))
	})
	t.Run("the saved login and pin", func(t *testing.T) {
		code, out, errb := e.run(t, amyPassword+"\n", "--server", ep.URL, "--user", amyName, "--password-stdin", "--save",
			"--trust-fingerprint", ep.Fingerprint.Pretty())
		require.Equal(t, 0, code, "%s %s", out, errb)
		code, out, errb = run("", "--echo", "none")
		assert.Equal(t, 0, code, "%s %s", out, errb)
		assert.Contains(t, out, "All checks passed.")
	})
	t.Run("bad flags", func(t *testing.T) {
		code, _, errb := run("", "--server", ep.URL, "--trust-fingerprint", "zz")
		assert.Equal(t, 2, code)
		assert.Contains(t, errb, "--trust-fingerprint")
	})
}
