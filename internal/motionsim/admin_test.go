package motionsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

func TestExampleConfigSetsEveryKey(t *testing.T) {
	cfg, err := LoadConfig("testdata/example-config.json")
	require.NoError(t, err)
	// Every top-level key has a value, so that the example documents them all.
	v := reflect.ValueOf(*cfg)
	for i := range v.NumField() {
		if v.Type().Field(i).Name == "PhonebarMultiLogin" {
			continue // false is its documented value
		}
		assert.False(t, v.Field(i).IsZero(), "example-config.json leaves %s empty", v.Type().Field(i).Name)
	}
	ts := startServer(t, Options{Config: cfg})
	lr := ts.login(t, "chloe", "Demo-Chloe-1003")
	assert.Equal(t, motion.TypologyPhonebar, lr.User.Typology)
	status, body := ts.call(t, http.MethodGet, motion.PathWhoami, nil, basic("oscar", "Demo-Oscar-1006"))
	assert.Equal(t, http.StatusOK, status, "the passwordHash user logs in: %s", body)
}

func TestAdminAPIValidation(t *testing.T) {
	ts := startServer(t, Options{})
	admin := bearer(ts.login(t, "admin", demoPassword(t, "admin")).Token)
	agent := bearer(ts.login(t, "chloe", demoPassword(t, "chloe")).Token)
	tests := []struct {
		name       string
		method     string
		path       string
		body       any
		header     http.Header
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"no credentials", "GET", motion.PathAdminSettings, nil, nil, 401, motion.CodeUnauthorized, "Authentication required"},
		{"an agent", "GET", motion.PathAdminSettings, nil, agent, 403, motion.CodeForbidden, "Only administrators"},
		{"an agent on a user", "POST", motion.PathAdminUsers + "/bruno/unlock", nil, agent, 403, motion.CodeForbidden, "Only administrators"},
		{"unknown authorization format", "GET", motion.PathAdminUsers, nil, http.Header{"Authorization": {"undefined"}}, 401, "", motion.UnknownAuthorizationFormat},
		{"admin by basic", "GET", motion.PathAdminSettings, nil, basic("admin", demoPassword(t, "admin")), 200, "", ""},
		{"negative attempts", "PUT", motion.PathAdminSettings, `{"maxLoginAttempts":-1}`, admin, 400, motion.CodeBadRequest, "maxLoginAttempts: must be 0 or more"},
		{"history too long", "PUT", motion.PathAdminSettings, `{"passwordHistory":13}`, admin, 400, motion.CodeBadRequest, "passwordHistory: must be at most 12"},
		{"license not a time", "PUT", motion.PathAdminSettings, `{"licenseExpiresAt":"soon"}`, admin, 400, motion.CodeBadRequest, "licenseExpiresAt"},
		{"unknown provider", "PUT", motion.PathAdminSettings, `{"ssoProviders":["facebook"]}`, admin, 400, motion.CodeBadRequest, `"facebook" is not one of`},
		{"provider twice", "PUT", motion.PathAdminSettings, `{"ssoProviders":["google","google"]}`, admin, 400, motion.CodeBadRequest, "listed twice"},
		{"unknown key", "PUT", motion.PathAdminSettings, `{"maxAttempts":3}`, admin, 400, motion.CodeBadRequest, `unknown field "maxAttempts"`},
		{"wrong type", "PUT", motion.PathAdminSettings, `{"securitySuite":"yes"}`, admin, 400, motion.CodeBadRequest, "securitySuite"},
		{"not an object", "PUT", motion.PathAdminSettings, `[]`, admin, 400, motion.CodeBadRequest, "JSON object"},
		{"pause type id 0", "PUT", motion.PathAdminSettings, `{"pauseTypes":[{"id":0,"name":"Lunch"}]}`, admin, 400, motion.CodeBadRequest, "pauseTypes[0].id: must be 1 or more"},
		{"pause type id twice", "PUT", motion.PathAdminSettings, `{"pauseTypes":[{"id":1,"name":"Lunch"},{"id":1,"name":"Break"}]}`, admin, 400, motion.CodeBadRequest, "pauseTypes[1].id: 1 is already"},
		{"pause type name twice", "PUT", motion.PathAdminSettings, `{"pauseTypes":[{"id":1,"name":"Lunch"},{"id":2,"name":"lunch"}]}`, admin, 400, motion.CodeBadRequest, "pauseTypes[1].name"},
		{"pause type blank", "PUT", motion.PathAdminSettings, `{"pauseTypes":[{"id":1,"name":" "}]}`, admin, 400, motion.CodeBadRequest, "pauseTypes[0].name"},
		{"pause type control character", "PUT", motion.PathAdminSettings, `{"pauseTypes":[{"id":1,"name":"Lu\u0007nch"}]}`, admin, 400, motion.CodeBadRequest, "control characters"},
		{"remote control for an admin", "PUT", motion.PathAdminUsers + "/admin", `{"remoteControl":true}`, admin, 400, motion.CodeBadRequest, "only agents have Remote Control"},
		{"delete settings", "DELETE", motion.PathAdminSettings, nil, admin, 405, motion.CodeMethodNotAllowed, "GET, PUT"},
		{"unknown user", "PUT", motion.PathAdminUsers + "/nobody", `{}`, admin, 404, motion.CodeNotFound, `"nobody"`},
		{"unknown user unlock", "POST", motion.PathAdminUsers + "/nobody/unlock", nil, admin, 404, motion.CodeNotFound, `"nobody"`},
		{"bad user name", "PUT", motion.PathAdminUsers + "/a%20b", `{}`, admin, 404, motion.CodeNotFound, "no such route"},
		{"unknown action", "POST", motion.PathAdminUsers + "/bruno/delete", nil, admin, 404, motion.CodeNotFound, "no such route"},
		{"unlock by GET", "GET", motion.PathAdminUsers + "/bruno/unlock", nil, admin, 405, motion.CodeMethodNotAllowed, "use POST"},
		{"hot desk for webrtc", "PUT", motion.PathAdminUsers + "/alice", `{"hotDesk":true}`, admin, 400, motion.CodeBadRequest, "hotDesk is only for external agents"},
		{"typology of an admin", "PUT", motion.PathAdminUsers + "/admin", `{"typology":"external"}`, admin, 400, motion.CodeBadRequest, "only agents have a typology"},
		{"unknown typology", "PUT", motion.PathAdminUsers + "/bruno", `{"typology":"fax"}`, admin, 400, motion.CodeBadRequest, "typology must be one of"},
		{"webrtc without SIP", "PUT", motion.PathAdminUsers + "/bruno", `{"typology":"webrtc"}`, admin, 400, motion.CodeBadRequest, "no SIP password"},
		{"bad email", "PUT", motion.PathAdminUsers + "/bruno", `{"email":"bruno"}`, admin, 400, motion.CodeBadRequest, "not an email address"},
		{"bad date", "PUT", motion.PathAdminUsers + "/bruno", `{"passwordChangedAt":"yesterday"}`, admin, 400, motion.CodeBadRequest, "RFC 3339"},
		{"unknown user key", "PUT", motion.PathAdminUsers + "/bruno", `{"role":"admin"}`, admin, 400, motion.CodeBadRequest, `unknown field "role"`},
		{"unknown phone", "PUT", motion.PathAdminPhones + "/Nope", `{"busy":true}`, admin, 404, motion.CodeNotFound, `"Nope"`},
		{"phone by POST", "POST", motion.PathAdminPhones + "/Desk 1 (SIP/2001)", `{}`, admin, 405, motion.CodeMethodNotAllowed, "use PUT"},
		{"phone wrong type", "PUT", motion.PathAdminPhones + "/Desk 1 (SIP/2001)", `{"busy":1}`, admin, 400, motion.CodeBadRequest, "busy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if u, err := url.Parse(path); err == nil {
				path = u.EscapedPath()
			}
			status, body := ts.call(t, tt.method, path, tt.body, tt.header)
			assert.Equal(t, tt.wantStatus, status, string(body))
			if tt.wantStatus == 200 {
				return
			}
			eb := errBody(t, body)
			assert.Equal(t, tt.wantCode, eb.Code)
			assert.Contains(t, eb.Message, tt.wantMsg)
		})
	}
	// Nothing refused changed anything.
	assert.Equal(t, AdminSettings{
		SecuritySuite: true, MaxLoginAttempts: 5, UnlockAfterMinutes: 15, PasswordMaxAgeDays: 90, PasswordHistory: 5,
		SSOProviders: []string{}, PauseTypes: DefaultConfig().PauseTypes, LoginPaused: true,
	}, ts.srv.Settings())
	assert.Equal(t, motion.TypologyExternal, ts.srv.Users()[1].Typology)
	assert.False(t, ts.srv.Users()[1].HotDesk)
}

func TestAdminSettingsTakeEffect(t *testing.T) {
	ts := startServer(t, Options{})
	admin := basic("admin", demoPassword(t, "admin")) // a session would end with the timeout below
	put := func(t *testing.T, path string, body any) []byte {
		t.Helper()
		status, data := ts.call(t, http.MethodPut, path, body, admin)
		require.Equal(t, http.StatusOK, status, string(data))
		return data
	}
	wrong := func(name string) (int, motion.ErrorBody) {
		status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: name, Password: "Wrong-Pass-1"}, nil)
		return status, errBody(t, body)
	}

	t.Run("lockout with administrator-only unlock, then unlock", func(t *testing.T) {
		var got AdminSettings
		require.NoError(t, json.Unmarshal(put(t, motion.PathAdminSettings, `{"maxLoginAttempts":2,"unlockAfterMinutes":0}`), &got))
		assert.Equal(t, 2, got.MaxLoginAttempts)
		assert.Equal(t, 0, got.UnlockAfterMinutes)
		assert.True(t, got.SecuritySuite, "keys not sent keep their value")
		status, eb := wrong("chloe")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Equal(t, 1, *eb.AttemptsLeft)
		status, eb = wrong("chloe")
		assert.Equal(t, http.StatusLocked, status)
		assert.Nil(t, eb.UnlockAt, "only an administrator unlocks")
		assert.Contains(t, eb.Message, "ask your administrator")

		status, body := ts.call(t, http.MethodGet, motion.PathAdminUsers, nil, admin)
		require.Equal(t, http.StatusOK, status)
		var users AdminList[AdminUser]
		require.NoError(t, json.Unmarshal(body, &users))
		require.Equal(t, 4, users.Count)
		assert.True(t, users.Rows[2].Locked)
		assert.Equal(t, 2, users.Rows[2].FailedAttempts)

		status, body = ts.call(t, http.MethodPost, motion.PathAdminUsers+"/chloe/unlock", nil, admin)
		require.Equal(t, http.StatusOK, status, string(body))
		var u AdminUser
		require.NoError(t, json.Unmarshal(body, &u))
		assert.False(t, u.Locked)
		assert.Zero(t, u.FailedAttempts)
		ts.login(t, "chloe", demoPassword(t, "chloe"))
	})
	t.Run("automatic unlock after the configured minutes", func(t *testing.T) {
		put(t, motion.PathAdminSettings, `{"maxLoginAttempts":1,"unlockAfterMinutes":3}`)
		status, eb := wrong("alice")
		require.Equal(t, http.StatusLocked, status)
		require.NotNil(t, eb.UnlockAt)
		assert.Equal(t, ts.clock.Now().Add(3*time.Minute), *eb.UnlockAt)
		ts.clock.Advance(3 * time.Minute)
		assert.False(t, ts.srv.Users()[0].Locked)
		ts.login(t, "alice", demoPassword(t, "alice"))
	})
	t.Run("disconnection timeout changed at run time", func(t *testing.T) {
		tok := ts.login(t, "bruno", demoPassword(t, "bruno")).Token
		ts.clock.Advance(10 * time.Minute)
		status, _ := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(tok))
		require.Equal(t, http.StatusOK, status, "0: never")
		put(t, motion.PathAdminSettings, `{"disconnectionTimeoutMinutes":1}`)
		ts.clock.Advance(time.Minute)
		status, body := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(tok))
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Equal(t, motion.CodeSessionEnded, errBody(t, body).Code)
		put(t, motion.PathAdminSettings, `{"disconnectionTimeoutMinutes":0}`)
	})
	t.Run("per user: first login, expiry date, email", func(t *testing.T) {
		put(t, motion.PathAdminUsers+"/chloe", map[string]any{"mustChangePassword": true, "email": "c@x.test"})
		lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
		assert.True(t, lr.MustChangePassword)
		assert.Equal(t, "c@x.test", lr.User.Email)
		put(t, motion.PathAdminUsers+"/chloe", map[string]any{"mustChangePassword": false,
			"passwordChangedAt": ts.clock.Now().Add(-80 * 24 * time.Hour).Format(time.RFC3339)})
		status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "chloe", Password: demoPassword(t, "chloe"), Force: true}, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		var lr2 motion.LoginResponse
		require.NoError(t, json.Unmarshal(body, &lr2))
		assert.False(t, lr2.MustChangePassword)
		require.NotNil(t, lr2.PasswordExpiresInDays)
		assert.Equal(t, 10, *lr2.PasswordExpiresInDays)
	})
	t.Run("license notice", func(t *testing.T) {
		put(t, motion.PathAdminSettings, map[string]any{"licenseExpiresAt": ts.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)})
		lr := ts.login(t, "admin", demoPassword(t, "admin"))
		require.NotNil(t, lr.License)
		assert.Equal(t, 2, lr.License.DaysLeft)
		put(t, motion.PathAdminSettings, `{"licenseExpiresAt":""}`)
		status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "admin", Password: demoPassword(t, "admin"), Force: true}, nil)
		require.Equal(t, http.StatusOK, status)
		assert.NotContains(t, string(body), "license")
	})
	t.Run("sso providers follow the settings", func(t *testing.T) {
		providers := func() []string {
			status, body := ts.call(t, http.MethodGet, motion.PathAuthProviders, nil, nil)
			require.Equal(t, http.StatusOK, status)
			var pr motion.ProvidersResponse
			require.NoError(t, json.Unmarshal(body, &pr))
			return pr.Providers
		}
		assert.Equal(t, []string{}, providers())
		put(t, motion.PathAdminSettings, `{"ssoProviders":["google","activedirectory"]}`)
		assert.Equal(t, []string{"google", "activedirectory"}, providers())
		put(t, motion.PathAdminSettings, `{"ssoProviders":[]}`)
		assert.Equal(t, []string{}, providers())
	})
}
