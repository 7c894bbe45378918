package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// pathsSim serves motionsim configured by cfg behind httptest TLS, with a hot-desk shim in front for
// the user "desk" (the demo server has no telephones yet): a login without a phone is refused with
// 428 PHONE_REQUIRED, GET PathPhones with Basic credentials lists two.
func pathsSim(t *testing.T, cfg *motionsim.Config) (url, fp string) {
	t.Helper()
	sim, err := motionsim.New(motionsim.Options{BcryptCost: 4, Config: cfg})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+motion.PathPhones, func(w http.ResponseWriter, r *http.Request) {
		if name, _, ok := r.BasicAuth(); !ok || name != "desk" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(motion.PhoneList{Count: 2, Rows: []motion.Phone{{Name: "desk-101", Registered: true}, {Name: "desk-102", Registered: true}}})
	})
	mux.HandleFunc("POST "+motion.PathAuthLocal, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req motion.LoginRequest
		_ = json.Unmarshal(body, &req)
		if req.Name == "desk" && req.Phone == "" {
			w.WriteHeader(http.StatusPreconditionRequired)
			_ = json.NewEncoder(w).Encode(motion.ErrorBody{Code: motion.CodePhoneRequired, Message: "Choose a telephone."})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sim.ServeHTTP(w, r)
	})
	mux.Handle("/", sim)
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, string(tlspin.Of(srv.Certificate()))
}

// TestLoginPathCodes: each path of issue 3 that stops or colours a headless login gives its own code
// (or flag) and the sentence the agent reads.
func TestLoginPathCodes(t *testing.T) {
	now := time.Now()
	cfg := &motionsim.Config{
		SecuritySuite: true, MaxLoginAttempts: 2, UnlockAfterMinutes: 15, PasswordMaxAgeDays: 90,
		LicenseExpiresAt: now.Add(10*24*time.Hour + time.Hour).UTC().Format(time.RFC3339),
		Users: []motionsim.UserConfig{
			{Name: "first", Fullname: "First Login", Password: "First-Pass-1", MustChangePassword: true},
			{Name: "old", Fullname: "Old Password", Password: "Old-Pass-12", PasswordChangedAt: now.Add(-80 * 24 * time.Hour).UTC().Format(time.RFC3339)},
			{Name: "lock", Fullname: "Locked Out", Password: "Lock-Pass-1"},
			{Name: "desk", Fullname: "Hot Desk", Typology: motion.TypologyExternal, HotDesk: true, Password: "Desk-Pass-1"},
			{Name: "ext", Fullname: "External Line", Typology: motion.TypologyExternal, Password: "Ext-Pass-11"},
		},
	}
	url, fp := pathsSim(t, cfg)
	run := func(t *testing.T, stdin string, args ...string) loginResult {
		t.Helper()
		e := newEnv(t)
		_, out, _ := e.run(t, stdin+"\n", append([]string{"--server", url, "--trust-fingerprint", fp, "--password-stdin", "--json"}, args...)...)
		assert.NotContains(t, out, stdin)
		return decode(t, out)
	}

	t.Run("first login must change the password", func(t *testing.T) {
		r := run(t, "First-Pass-1", "--user", "first")
		assert.True(t, r.OK)
		assert.True(t, r.MustChangePassword)
	})
	t.Run("expiry in days and the license notice", func(t *testing.T) {
		r := run(t, "Old-Pass-12", "--user", "old")
		assert.True(t, r.OK)
		require.NotNil(t, r.PasswordExpiresInDays)
		assert.Equal(t, 10, *r.PasswordExpiresInDays)
		require.NotNil(t, r.LicenseExpiresAt)
	})
	t.Run("lockout after the configured attempts", func(t *testing.T) {
		r := run(t, "Wrong-Pass-1", "--user", "lock")
		assert.Equal(t, string(problem.CodeInvalidCredentials), r.Code)
		assert.Contains(t, r.Message, "1 attempt left")
		r = run(t, "Wrong-Pass-2", "--user", "lock")
		assert.Equal(t, string(problem.CodeAccountLocked), r.Code)
		assert.Contains(t, r.Message, "ask your administrator")
		assert.Contains(t, r.Message, "or wait until")
		r = run(t, "Lock-Pass-1", "--user", "lock")
		assert.Equal(t, string(problem.CodeAccountLocked), r.Code, "even the right password while locked")
	})
	t.Run("hot desk lists the telephones, then logs in with one", func(t *testing.T) {
		r := run(t, "Desk-Pass-1", "--user", "desk")
		assert.Equal(t, string(problem.CodePhoneRequired), r.Code)
		assert.Equal(t, []string{"desk-101", "desk-102"}, r.Phones)
		assert.Contains(t, r.Message, "Hot Desk")
		r = run(t, "Desk-Pass-1", "--user", "desk", "--phone", "desk-102")
		assert.True(t, r.OK, "%+v", r)
		assert.Equal(t, "desk-102", r.Phone)
	})
	t.Run("an external agent's line", func(t *testing.T) {
		r := run(t, "Ext-Pass-11", "--user", "ext", "--line", motion.LineMobile)
		assert.True(t, r.OK, "%+v", r)
		assert.Equal(t, motion.LineMobile, r.Line)
		e := newEnv(t)
		code, _, errOut := e.run(t, "Ext-Pass-11\n", "--server", url, "--user", "ext", "--password-stdin", "--line", "desk")
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, "internal, phone or mobile")
	})
	t.Run("text output says how to pick", func(t *testing.T) {
		e := newEnv(t)
		code, _, errOut := e.run(t, "Desk-Pass-1\n", "--server", url, "--trust-fingerprint", fp, "--password-stdin", "--user", "desk")
		assert.Equal(t, 1, code)
		assert.True(t, strings.Contains(errOut, "--phone NAME") && strings.Contains(errOut, "desk-101"), errOut)
	})
}
