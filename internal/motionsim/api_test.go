package motionsim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

func basic(name, pw string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(name+":"+pw))}}
}

func TestLoginAndWhoamiEveryCredentialKind(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Users[2].APIKey = "chloe-api-key-1"
	ts := startServer(t, Options{Config: cfg})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	assert.Equal(t, "Chloé Dubois", lr.User.Fullname)
	assert.Equal(t, motion.TypologyPhonebar, lr.User.Typology)
	assert.False(t, lr.MustChangePassword)

	tests := []struct {
		name   string
		path   string
		header http.Header
	}{
		{"bearer", motion.PathWhoami, bearer(lr.Token)},
		{"bearer, scheme in lower case", motion.PathWhoami, http.Header{"Authorization": {"bearer " + lr.Token}}},
		{"token cookie", motion.PathWhoami, http.Header{"Cookie": {motion.TokenCookie + "=" + lr.Token}}},
		{"basic", motion.PathWhoami, basic("chloe", demoPassword(t, "chloe"))},
		{"basic, name in another case", motion.PathWhoami, basic("CHLOE", demoPassword(t, "chloe"))},
		{"apikey", motion.PathWhoami + "?apikey=chloe-api-key-1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := ts.call(t, http.MethodGet, tt.path, nil, tt.header)
			require.Equal(t, http.StatusOK, status, string(body))
			var u motion.User
			require.NoError(t, json.Unmarshal(body, &u))
			assert.Equal(t, "chloe", u.Name)
			assert.Equal(t, 3, u.ID)
			assert.Equal(t, "1003", u.Internal)
			assert.Nil(t, u.SIP, "no SIP account for a phonebar agent")
		})
	}
}

func TestAuthFailures(t *testing.T) {
	ts := startServer(t, Options{})
	lr := ts.login(t, "bruno", demoPassword(t, "bruno"))
	status, _ := ts.call(t, http.MethodPost, motion.PathLogout, nil, bearer(lr.Token))
	require.Equal(t, http.StatusNoContent, status)

	tests := []struct {
		name       string
		path       string
		header     http.Header
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"no credentials", motion.PathWhoami, nil, 401, motion.CodeUnauthorized, "Authentication required"},
		{"unknown scheme", motion.PathWhoami, http.Header{"Authorization": {"Token abc"}}, 401, "", motion.UnknownAuthorizationFormat},
		{"bare word", motion.PathWhoami, http.Header{"Authorization": {"undefined"}}, 401, "", motion.UnknownAuthorizationFormat},
		{"unknown scheme on login too", motion.PathUsers, http.Header{"Authorization": {"Digest x"}}, 401, "", motion.UnknownAuthorizationFormat},
		{"unknown token", motion.PathWhoami, bearer("nope"), 401, motion.CodeUnauthorized, "Unknown or expired token"},
		{"empty bearer", motion.PathWhoami, http.Header{"Authorization": {"Bearer "}}, 401, motion.CodeUnauthorized, "Authentication required"},
		{"logged-out token", motion.PathWhoami, bearer(lr.Token), 401, motion.CodeSessionEnded, "You logged out"},
		{"bad basic", motion.PathWhoami, http.Header{"Authorization": {"Basic !!!"}}, 400, motion.CodeBadRequest, "base64"},
		{"wrong basic password", motion.PathWhoami, basic("bruno", "nope"), 401, motion.CodeInvalidCredentials, "Wrong login name or password"},
		{"unknown apikey", motion.PathWhoami + "?apikey=nope", nil, 401, motion.CodeUnauthorized, "API key"},
		{"no such route", "/api/nothing", nil, 404, motion.CodeNotFound, "no such route"},
		{"no such page", "/nothing", nil, 404, motion.CodeNotFound, "no such route"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := ts.call(t, http.MethodGet, tt.path, nil, tt.header)
			assert.Equal(t, tt.wantStatus, status, string(body))
			eb := errBody(t, body)
			assert.Equal(t, tt.wantCode, eb.Code)
			assert.Contains(t, eb.Message, tt.wantMsg)
			if tt.wantCode == "" {
				assert.JSONEq(t, `{"message":"Unknown authorization format"}`, string(body), "the exact shape of Motion's answer")
			}
		})
	}
	t.Run("wrong method", func(t *testing.T) {
		status, body := ts.call(t, http.MethodDelete, motion.PathAuthLocal, nil, nil)
		assert.Equal(t, http.StatusMethodNotAllowed, status)
		assert.Equal(t, motion.CodeMethodNotAllowed, errBody(t, body).Code)
	})
}

func TestBasicLoginAndQueryParameters(t *testing.T) {
	ts := startServer(t, Options{})
	pw := demoPassword(t, "alice")
	status, body := ts.call(t, http.MethodPost, motion.PathLogin, nil, basic("alice", pw))
	require.Equal(t, http.StatusOK, status, string(body))
	var lr motion.LoginResponse
	require.NoError(t, json.Unmarshal(body, &lr))
	assert.NotEmpty(t, lr.Token)

	status, body = ts.call(t, http.MethodPost, motion.PathLogin, nil, basic("alice", pw))
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, motion.CodeSessionExists, errBody(t, body).Code)

	status, _ = ts.call(t, http.MethodPost, motion.PathLogin+"?client=web", nil, basic("alice", pw))
	assert.Equal(t, http.StatusOK, status, "a web session does not conflict with a phonebar one")
	status, _ = ts.call(t, http.MethodPost, motion.PathLogin+"?force=true", nil, basic("alice", pw))
	assert.Equal(t, http.StatusOK, status)
	status, body = ts.call(t, http.MethodPost, motion.PathLogin+"?force=maybe", nil, basic("alice", pw))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, errBody(t, body).Message, "force")
	status, body = ts.call(t, http.MethodPost, motion.PathLogin+"?client=fax", nil, basic("alice", pw))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, errBody(t, body).Message, "client")
	status, body = ts.call(t, http.MethodPost, motion.PathLogin, nil, nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, motion.CodeUnauthorized, errBody(t, body).Code)

	vias := map[string]int{}
	for _, s := range ts.srv.Sessions() {
		vias[s.Via]++
		assert.Equal(t, "alice", s.User)
		assert.Equal(t, "127.0.0.1", s.RemoteAddr)
		assert.Contains(t, s.UserAgent, "Go-http-client")
	}
	assert.Equal(t, map[string]int{ViaBasic: 3}, vias)
}

func TestWhoamiOfAWebRTCAgentCarriesSIP(t *testing.T) {
	cfg := DefaultConfig()
	ts := startServer(t, Options{Config: cfg})
	lr := ts.login(t, "alice", demoPassword(t, "alice"))
	status, body := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status)
	var u motion.User
	require.NoError(t, json.Unmarshal(body, &u))
	require.NotNil(t, u.SIP)
	assert.Equal(t, motion.SIPAccount{Username: "1001", AuthUser: "1001", Password: "sip-Alice-1001", Domain: "127.0.0.1", WSURI: "wss://" + ts.ep.Addr.String() + PathSIPWebSocket}, *u.SIP, "the default wsUri is the demo PBX on the same listener")
	assert.Nil(t, lr.User.SIP, "the SIP account is on whoami only")

	cfg = DefaultConfig()
	cfg.SIP = SIPConfig{WSURI: "wss://pbx.example/ws", Domain: "pbx.example", ICEServers: []motion.ICEServer{{URLs: []string{"stun:stun.example:3478"}}}}
	ts = startServer(t, Options{Config: cfg})
	lr = ts.login(t, "alice", demoPassword(t, "alice"))
	_, body = ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	require.NoError(t, json.Unmarshal(body, &u))
	require.NotNil(t, u.SIP)
	assert.Equal(t, "pbx.example", u.SIP.Domain)
	assert.Equal(t, "wss://pbx.example/ws", u.SIP.WSURI)
	assert.Equal(t, cfg.SIP.ICEServers, u.SIP.ICEServers)
}

func TestUsersList(t *testing.T) {
	ts := startServer(t, Options{})
	admin := ts.login(t, "admin", demoPassword(t, "admin")).Token
	agent := ts.login(t, "chloe", demoPassword(t, "chloe")).Token

	status, body := ts.call(t, http.MethodGet, motion.PathUsers, nil, bearer(agent))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, motion.CodeForbidden, errBody(t, body).Code)

	names := func(body []byte) (int, []string) {
		var l motion.UserList
		require.NoError(t, json.Unmarshal(body, &l), string(body))
		var out []string
		for _, u := range l.Rows {
			out = append(out, u.Name)
		}
		return l.Count, out
	}
	tests := []struct {
		name      string
		query     string
		wantCount int
		wantNames []string
	}{
		{"all by id", "", 4, []string{"alice", "bruno", "chloe", "admin"}},
		{"sorted by name", "?sort=name", 4, []string{"admin", "alice", "bruno", "chloe"}},
		{"sorted by name, descending", "?sort=-name", 4, []string{"chloe", "bruno", "alice", "admin"}},
		{"a page", "?sort=name&limit=2&offset=1", 4, []string{"alice", "bruno"}},
		{"past the end", "?offset=10", 4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := ts.call(t, http.MethodGet, motion.PathUsers+tt.query, nil, bearer(admin))
			require.Equal(t, http.StatusOK, status, string(body))
			count, got := names(body)
			assert.Equal(t, tt.wantCount, count)
			assert.Equal(t, tt.wantNames, got)
		})
	}
	t.Run("fields", func(t *testing.T) {
		status, body := ts.call(t, http.MethodGet, motion.PathUsers+"?fields=id,name&limit=1", nil, bearer(admin))
		require.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, `{"count":4,"rows":[{"id":1,"name":"alice"}]}`, string(body))
	})
	for _, q := range []string{"?limit=0", "?limit=x", "?limit=1001", "?offset=-1", "?sort=password", "?fields=id,hash"} {
		t.Run("bad "+q, func(t *testing.T) {
			status, body := ts.call(t, http.MethodGet, motion.PathUsers+q, nil, bearer(admin))
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, motion.CodeBadRequest, errBody(t, body).Code)
		})
	}
}

func TestLockoutAndUnlockOverTheWire(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxLoginAttempts = 3
	cfg.UnlockAfterMinutes = 10
	ts := startServer(t, Options{Config: cfg})
	wrong := motion.LoginRequest{Name: "bruno", Password: "Wrong-Pass-1"}
	for left := 2; left >= 1; left-- {
		status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, wrong, nil)
		require.Equal(t, http.StatusUnauthorized, status)
		eb := errBody(t, body)
		assert.Equal(t, motion.CodeInvalidCredentials, eb.Code)
		require.NotNil(t, eb.AttemptsLeft)
		assert.Equal(t, left, *eb.AttemptsLeft)
	}
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, wrong, nil)
	require.Equal(t, http.StatusLocked, status)
	eb := errBody(t, body)
	assert.Equal(t, motion.CodeAccountLocked, eb.Code)
	require.NotNil(t, eb.UnlockAt)
	assert.True(t, ts.clock.Now().Add(10*time.Minute).Equal(*eb.UnlockAt))
	assert.Contains(t, eb.Message, "wait 10 minutes")

	right := motion.LoginRequest{Name: "bruno", Password: demoPassword(t, "bruno")}
	status, _ = ts.call(t, http.MethodPost, motion.PathAuthLocal, right, nil)
	assert.Equal(t, http.StatusLocked, status, "the right password is refused while locked")
	status, _ = ts.call(t, http.MethodGet, motion.PathWhoami, nil, basic("bruno", right.Password))
	assert.Equal(t, http.StatusLocked, status, "Basic is refused while locked")

	ts.clock.Advance(10 * time.Minute)
	status, _ = ts.call(t, http.MethodPost, motion.PathAuthLocal, right, nil)
	assert.Equal(t, http.StatusOK, status, "unlocked by itself")

	// Basic counts too, and the lock reached by Basic holds for logins.
	for range 3 {
		ts.call(t, http.MethodGet, motion.PathWhoami, nil, basic("bruno", "nope"))
	}
	status, body = ts.call(t, http.MethodPost, motion.PathAuthLocal, right, nil)
	assert.Equal(t, http.StatusLocked, status)
	assert.Equal(t, motion.CodeAccountLocked, errBody(t, body).Code)
}

func TestAdminOnlyUnlockHasNoUnlockAt(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxLoginAttempts = 1
	cfg.UnlockAfterMinutes = 0
	ts := startServer(t, Options{Config: cfg})
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "bruno", Password: "x"}, nil)
	require.Equal(t, http.StatusLocked, status)
	assert.NotContains(t, string(body), "unlockAt")
	ts.clock.Advance(1000 * time.Hour)
	status, _ = ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "bruno", Password: demoPassword(t, "bruno")}, nil)
	assert.Equal(t, http.StatusLocked, status)
}

func TestSessionExistsAndForce(t *testing.T) {
	ts := startServer(t, Options{})
	pw := demoPassword(t, "alice")
	first := ts.login(t, "alice", pw)
	req := motion.LoginRequest{Name: "alice", Password: pw}
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, req, nil)
	require.Equal(t, http.StatusConflict, status)
	assert.Equal(t, motion.CodeSessionExists, errBody(t, body).Code)
	status, _ = ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(first.Token))
	assert.Equal(t, http.StatusOK, status, "a refused login leaves the first session alone")

	req.Force = true
	status, body = ts.call(t, http.MethodPost, motion.PathAuthLocal, req, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(first.Token))
	assert.Equal(t, http.StatusUnauthorized, status)
	eb := errBody(t, body)
	assert.Equal(t, motion.CodeSessionEnded, eb.Code)
	assert.Contains(t, eb.Message, "someone logged in with your credentials")

	sessions := ts.srv.Sessions()
	require.Len(t, sessions, 2)
	assert.Equal(t, motion.CodeSessionExists, sessions[0].EndReason)
	assert.False(t, sessions[0].EndedAt.IsZero())
	assert.True(t, sessions[1].EndedAt.IsZero())

	// Phonebar-typology agents follow the setting.
	cfg := DefaultConfig()
	cfg.PhonebarMultiLogin = true
	ts = startServer(t, Options{Config: cfg})
	ts.login(t, "chloe", demoPassword(t, "chloe"))
	ts.login(t, "chloe", demoPassword(t, "chloe"))
	status, _ = ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "alice", Password: pw}, nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "alice", Password: pw}, nil)
	assert.Equal(t, http.StatusConflict, status, "the setting is for phonebar agents only")
}

func TestMustChangePasswordFlow(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Users[2].MustChangePassword = true
	ts := startServer(t, Options{Config: cfg})
	old := demoPassword(t, "chloe")
	lr := ts.login(t, "chloe", old)
	require.True(t, lr.MustChangePassword)

	status, body := ts.call(t, http.MethodGet, motion.PathUsers, nil, bearer(lr.Token))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, motion.CodePasswordExpired, errBody(t, body).Code)
	status, _ = ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	assert.Equal(t, http.StatusOK, status, "whoami stays allowed")

	tests := []struct {
		name       string
		req        any
		wantStatus int
		wantCode   string
		wantRules  []string
	}{
		{"wrong old password", motion.ChangePasswordRequest{OldPassword: "x", NewPassword: "New-Pass-2027"}, 401, motion.CodeInvalidCredentials, nil},
		{"same as current", motion.ChangePasswordRequest{OldPassword: old, NewPassword: old}, 422, motion.CodePasswordRules, []string{RuleNotCurrent}},
		{"weak", motion.ChangePasswordRequest{OldPassword: old, NewPassword: "weakpass"}, 422, motion.CodePasswordRules, []string{RuleUpper, RuleDigit, RuleSpecial}},
		{"missing new", motion.ChangePasswordRequest{OldPassword: old}, 400, motion.CodeBadRequest, nil},
		{"not JSON", "oldPassword=x", 400, motion.CodeBadRequest, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := ts.call(t, http.MethodPut, motion.PathChangePassword, tt.req, bearer(lr.Token))
			assert.Equal(t, tt.wantStatus, status, string(body))
			eb := errBody(t, body)
			assert.Equal(t, tt.wantCode, eb.Code)
			assert.Equal(t, tt.wantRules, eb.Rules)
		})
	}
	status, body = ts.call(t, http.MethodPut, motion.PathChangePassword, motion.ChangePasswordRequest{OldPassword: old, NewPassword: "New-Pass-2027"}, bearer(lr.Token))
	require.Equal(t, http.StatusNoContent, status, string(body))
	status, _ = ts.call(t, http.MethodGet, motion.PathUsers, nil, bearer(lr.Token))
	assert.Equal(t, http.StatusForbidden, status, "still no admin, but no longer PASSWORD_EXPIRED")
	status, _ = ts.call(t, http.MethodGet, motion.PathWhoami, nil, basic("chloe", "New-Pass-2027"))
	assert.Equal(t, http.StatusOK, status, "the new password works")
	status, _ = ts.call(t, http.MethodGet, motion.PathWhoami, nil, basic("chloe", old))
	assert.Equal(t, http.StatusUnauthorized, status, "the old one does not")
	status, _ = ts.call(t, http.MethodPost, motion.PathLogout, nil, bearer(lr.Token))
	require.Equal(t, http.StatusNoContent, status)
	lr = ts.login(t, "chloe", "New-Pass-2027")
	assert.False(t, lr.MustChangePassword)
}

func TestLoginNotices(t *testing.T) {
	clock := newFakeClock()
	cfg := DefaultConfig()
	cfg.LicenseExpiresAt = clock.Now().Add(5 * 24 * time.Hour).Format(time.RFC3339)
	cfg.Users[1].PasswordChangedAt = clock.Now().Add(-80 * 24 * time.Hour).Format(time.RFC3339)
	cfg.Users[0].PasswordChangedAt = clock.Now().Add(-91 * 24 * time.Hour).Format(time.RFC3339)
	ts := startServer(t, Options{Config: cfg, Now: clock.Now})
	lr := ts.login(t, "bruno", demoPassword(t, "bruno"))
	require.NotNil(t, lr.PasswordExpiresInDays)
	assert.Equal(t, 10, *lr.PasswordExpiresInDays)
	require.NotNil(t, lr.License)
	assert.Equal(t, 5, lr.License.DaysLeft)
	lr = ts.login(t, "alice", demoPassword(t, "alice"))
	assert.True(t, lr.MustChangePassword, "expired after 90 days")
	lr = ts.login(t, "chloe", demoPassword(t, "chloe"))
	assert.Nil(t, lr.PasswordExpiresInDays)
	assert.False(t, lr.MustChangePassword)
}

func TestForgotPasswordAlwaysAccepts(t *testing.T) {
	ts := startServer(t, Options{})
	for _, email := range []string{"alice@demo.phonebar.test", "nobody@example.com"} {
		status, body := ts.call(t, http.MethodPost, motion.PathForgotPassword, motion.ForgotPasswordRequest{Email: email}, nil)
		assert.Equal(t, http.StatusAccepted, status, string(body))
	}
	status, body := ts.call(t, http.MethodPost, motion.PathForgotPassword, motion.ForgotPasswordRequest{Email: "not-an-address"}, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, errBody(t, body).Message, "email")
}

func TestJSONValidation(t *testing.T) {
	ts := startServer(t, Options{MaxBodyBytes: 1024})
	pw := demoPassword(t, "chloe")
	tests := []struct {
		name    string
		body    string
		ctype   string
		wantMsg string
	}{
		{"empty body", "", "", "empty"},
		{"malformed", `{"name": "chloe",`, "", "cut short"},
		{"syntax error", `{"name" "chloe"}`, "", "malformed JSON"},
		{"unknown field", `{"name":"chloe","password":"x","admin":true}`, "", `unknown field "admin"`},
		{"wrong type", `{"name":"chloe","password":1234}`, "", `field "password" must be a JSON string, not a JSON number`},
		{"wrong type for force", `{"name":"chloe","password":"x","force":"yes"}`, "", `field "force" must be a JSON boolean`},
		{"array instead of object", `[1,2]`, "", "must be a JSON object"},
		{"two objects", `{"name":"chloe","password":"` + pw + `"}{}`, "", "nothing after it"},
		{"too big", `{"name":"` + strings.Repeat("a", 2000) + `"}`, "", "larger than the limit of 1 KiB"},
		{"too big with trailing data", `{"name":"chloe"}` + strings.Repeat(" ", 2000), "", "larger than the limit"},
		{"form content type", `name=chloe`, "application/x-www-form-urlencoded", "must be JSON"},
		{"missing name", `{"password":"x"}`, "", "name is required"},
		{"missing password", `{"name":"chloe"}`, "", "password is required"},
		{"bad name", `{"name":"chloe dubois","password":"x"}`, "", "letters, digits"},
		{"bad client", `{"name":"chloe","password":"x","client":"tv"}`, "", "client must be"},
		{"null", `null`, "", "name is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.ctype != "" {
				h.Set("Content-Type", tt.ctype)
			}
			status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, tt.body, h)
			assert.Equal(t, http.StatusBadRequest, status, string(body))
			eb := errBody(t, body)
			assert.Equal(t, motion.CodeBadRequest, eb.Code)
			assert.Contains(t, eb.Message, tt.wantMsg)
		})
	}
	status, _ := ts.call(t, http.MethodPost, motion.PathAuthLocal, `{"name":"chloe","password":"`+pw+`"}`, http.Header{"Content-Type": {"application/json; charset=utf-8"}})
	assert.Equal(t, http.StatusOK, status, "a charset parameter is fine")
}

func TestRecordsAreDeliveredInOrder(t *testing.T) {
	var got []Record
	ts := startServer(t, Options{Hooks: Hooks{OnRecord: func(r Record) { got = append(got, r) }}})
	ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "bruno", Password: "nope"}, nil)
	lr := ts.login(t, "bruno", demoPassword(t, "bruno"))
	ts.call(t, http.MethodPost, motion.PathLogout, nil, bearer(lr.Token))
	require.Len(t, got, 3)
	assert.Equal(t, []RecordKind{RecordLoginFailed, RecordSessionCreated, RecordSessionEnded}, []RecordKind{got[0].Kind, got[1].Kind, got[2].Kind})
	assert.Equal(t, LoginFailure{Name: "bruno", Code: motion.CodeInvalidCredentials, Via: ViaAPI}, got[0].Login)
	assert.Equal(t, EndLogout, got[2].Session.EndReason)
	for i, r := range got {
		assert.Equal(t, i+1, r.Seq)
	}
	assert.Equal(t, got, ts.srv.Records())
}

func TestDisconnectionTimeoutEndsIdleSessions(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DisconnectionTimeoutMinutes = 3
	ts := startServer(t, Options{Config: cfg})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	ts.clock.Advance(2 * time.Minute)
	status, _ := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status)
	ts.clock.Advance(time.Minute)
	status, body := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, motion.CodeSessionEnded, errBody(t, body).Code)
	s := ts.srv.Sessions()
	require.Len(t, s, 1)
	assert.Equal(t, motion.CodeSessionEnded, s[0].EndReason)
}

func TestNoClearPasswordIsKept(t *testing.T) {
	ts := startServer(t, Options{})
	ts.login(t, "alice", demoPassword(t, "alice"))
	ts.srv.mu.Lock()
	dump := fmt.Sprintf("%+v", ts.srv.st)
	for _, a := range ts.srv.st.accounts {
		dump += fmt.Sprintf("%+v %s", *a, a.hash)
	}
	ts.srv.mu.Unlock()
	for _, d := range DemoLogins() {
		assert.NotContains(t, dump, d.Password, d.Name)
	}
	assert.Contains(t, dump, "$2a$04$", "bcrypt hashes at the configured cost")
}
