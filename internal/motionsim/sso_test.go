package motionsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

func ssoConfig(providers ...string) *Config {
	cfg := DefaultConfig()
	cfg.SSOProviders = providers
	return cfg
}

// ssoSignIn goes through the provider page and returns the callback address it ends at.
func ssoSignIn(t *testing.T, b *browser, provider, client, account, pw string) *url.URL {
	t.Helper()
	path := motion.PathSSOAuthorizePrefix + provider + motion.PathSSOAuthorizeSuffix + "?client=" + client + "&state=st-1"
	b.get(path)
	require.Equal(t, http.StatusOK, b.status, b.body)
	b.do(http.MethodPost, path, url.Values{"check": {b.hidden("check")}, "client": {b.hidden("client")}, "state": {b.hidden("state")}, "account": {account}, "password": {pw}})
	require.Equal(t, http.StatusSeeOther, b.status, b.body)
	u, err := url.Parse(b.loc)
	require.NoError(t, err)
	require.Equal(t, motion.PathSSOCallback, u.Path)
	assert.Equal(t, "st-1", u.Query().Get(motion.QueryState))
	return u
}

func TestSSOProvidersAndLoginPage(t *testing.T) {
	tests := []struct {
		name      string
		providers []string
		want      []string
	}{
		{"none", nil, []string{}},
		{"google", []string{"google"}, []string{"google"}},
		{"both", []string{"activedirectory", "google"}, []string{"activedirectory", "google"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, Options{Config: ssoConfig(tt.providers...)})
			status, body := ts.call(t, http.MethodGet, motion.PathAuthProviders, nil, nil)
			require.Equal(t, http.StatusOK, status)
			var pr motion.ProvidersResponse
			require.NoError(t, json.Unmarshal(body, &pr))
			assert.Equal(t, tt.want, pr.Providers)
			page := newBrowser(t, ts).get(motion.PathWebLogin).body
			for _, p := range []string{"google", "activedirectory"} {
				enabled := len(tt.providers) > 0 && (tt.providers[0] == p || len(tt.providers) > 1)
				if enabled {
					assert.Contains(t, page, `id="sso-`+p+`"`)
					assert.Contains(t, page, `href="/sso/`+p+`/authorize?client=web"`)
				} else {
					assert.NotContains(t, page, `id="sso-`+p+`"`)
					b := newBrowser(t, ts).get("/sso/" + p + "/authorize")
					assert.Equal(t, http.StatusNotFound, b.status, "a disabled provider has no page")
				}
			}
		})
	}
}

func TestSSOPhonebarCodeExchange(t *testing.T) {
	ts := startServer(t, Options{Config: ssoConfig("google", "activedirectory")})
	b := newBrowser(t, ts)

	// Wrong password on the provider page: its own message, and a failed attempt counted.
	path := "/sso/google/authorize?client=phonebar"
	b.get(path)
	b.do(http.MethodPost, path, url.Values{"check": {b.hidden("check")}, "client": {"phonebar"}, "account": {"chloe@demo.phonebar.test"}, "password": {"Wrong-1"}})
	assert.Equal(t, http.StatusUnauthorized, b.status)
	assert.Equal(t, "Wrong account or password.", byID(t, b.body, "sso-error"))
	assert.Equal(t, 1, ts.srv.Users()[2].FailedAttempts)
	b.do(http.MethodPost, path, url.Values{"check": {"forged"}, "client": {"phonebar"}, "account": {"chloe@demo.phonebar.test"}, "password": {"x"}})
	assert.Equal(t, http.StatusBadRequest, b.status)
	b.do(http.MethodPost, path, url.Values{"check": {b.cookie(checkCookie)}, "client": {"fax"}})
	assert.Equal(t, http.StatusBadRequest, b.status)

	cb := ssoSignIn(t, b, "google", "phonebar", "CHLOE@demo.phonebar.test", demoPassword(t, "chloe"))
	code := cb.Query().Get(motion.QueryCode)
	require.NotEmpty(t, code)
	b.get(cb.RequestURI())
	require.Equal(t, http.StatusOK, b.status)
	assert.Equal(t, "Signed in with Google as chloe", byID(t, b.body, "sso-done"))
	assert.Empty(t, b.cookie(motion.TokenCookie), "the Phonebar's sign-in makes no web session")

	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"no code", `{}`, 400, motion.CodeBadRequest},
		{"bad client", motion.SSOLoginRequest{Code: code, Client: "fax"}, 400, motion.CodeBadRequest},
		{"unknown code", motion.SSOLoginRequest{Code: "nope"}, 401, motion.CodeUnauthorized},
		{"a line for a phonebar agent", motion.SSOLoginRequest{Code: code, Line: "mobile"}, 400, motion.CodeBadRequest},
		{"the code", motion.SSOLoginRequest{Code: code}, 200, ""},
		{"the code again", motion.SSOLoginRequest{Code: code}, 401, motion.CodeUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := ts.call(t, http.MethodPost, motion.PathAuthSSO, tt.body, nil)
			require.Equal(t, tt.wantStatus, status, string(body))
			if status != 200 {
				assert.Equal(t, tt.wantCode, errBody(t, body).Code)
				return
			}
			var lr motion.LoginResponse
			require.NoError(t, json.Unmarshal(body, &lr))
			assert.Equal(t, "chloe", lr.User.Name)
			status, _ = ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
			assert.Equal(t, http.StatusOK, status)
		})
	}
	s := ts.srv.Sessions()
	require.Len(t, s, 1)
	assert.Equal(t, ViaSSO, s[0].Via)
	assert.Equal(t, motion.ClientPhonebar, s[0].Client)

	// A second sign-in conflicts; the code survives the 409 so that the agent can confirm.
	cb = ssoSignIn(t, b, "activedirectory", "phonebar", "chloe", demoPassword(t, "chloe"))
	code = cb.Query().Get(motion.QueryCode)
	status, body := ts.call(t, http.MethodPost, motion.PathAuthSSO, motion.SSOLoginRequest{Code: code}, nil)
	require.Equal(t, http.StatusConflict, status)
	assert.Equal(t, motion.CodeSessionExists, errBody(t, body).Code)
	status, body = ts.call(t, http.MethodPost, motion.PathAuthSSO, motion.SSOLoginRequest{Code: code, Force: true}, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, motion.CodeSessionExists, ts.srv.Sessions()[0].EndReason)

	// A code not exchanged within two minutes expires.
	cb = ssoSignIn(t, b, "activedirectory", "phonebar", "alice", demoPassword(t, "alice"))
	ts.clock.Advance(ssoCodeTTL)
	status, _ = ts.call(t, http.MethodPost, motion.PathAuthSSO, motion.SSOLoginRequest{Code: cb.Query().Get(motion.QueryCode)}, nil)
	assert.Equal(t, http.StatusUnauthorized, status)
}

func TestSSOWebLoginAndHotDeskPhones(t *testing.T) {
	cfg := hotDeskConfig(PhoneConfig{Name: "Desk 1", Registered: true})
	cfg.SSOProviders = []string{"activedirectory"}
	ts := startServer(t, Options{Config: cfg})
	b := newBrowser(t, ts)
	cb := ssoSignIn(t, b, "activedirectory", "web", "alice", demoPassword(t, "alice"))
	b.get(cb.RequestURI())
	require.Equal(t, http.StatusSeeOther, b.status, b.body)
	assert.Equal(t, motion.PathWebDesktop, b.loc)
	b.get(motion.PathWebDesktop)
	require.Equal(t, http.StatusOK, b.status)
	assert.Equal(t, "Alice Martin", byID(t, b.body, "agent-fullname"))
	b.get(cb.RequestURI())
	assert.Equal(t, http.StatusBadRequest, b.status, "a code works once")

	// A hot-desk agent signed in for the Phonebar lists the telephones with the code, then picks.
	cb = ssoSignIn(t, newBrowser(t, ts), "activedirectory", "phonebar", "bruno", demoPassword(t, "bruno"))
	code := cb.Query().Get(motion.QueryCode)
	status, body := ts.call(t, http.MethodPost, motion.PathAuthSSO, motion.SSOLoginRequest{Code: code}, nil)
	require.Equal(t, http.StatusPreconditionRequired, status)
	assert.Equal(t, motion.CodePhoneRequired, errBody(t, body).Code)
	status, body = ts.call(t, http.MethodGet, motion.PathPhones+"?code="+url.QueryEscape(code), nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, []string{"Desk 1"}, phoneNames(t, body))
	status, _ = ts.call(t, http.MethodGet, motion.PathPhones+"?code=nope", nil, nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	status, body = ts.call(t, http.MethodPost, motion.PathAuthSSO, motion.SSOLoginRequest{Code: code, Phone: "Desk 1"}, nil)
	require.Equal(t, http.StatusOK, status, string(body))
}

// TestWebCodeLogsABrowserInOnce: the Phonebar of an agent who signed in with a provider opens the
// Omni Desktop with a one-time code from PathAuthWebCode instead of a password.
func TestWebCodeLogsABrowserInOnce(t *testing.T) {
	ts := startServer(t, Options{Config: ssoConfig("google")})
	status, body := ts.call(t, http.MethodPost, motion.PathAuthWebCode, nil, nil)
	require.Equal(t, http.StatusUnauthorized, status, string(body))

	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	status, body = ts.call(t, http.MethodPost, motion.PathAuthWebCode, nil, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status, string(body))
	var wc motion.WebCodeResponse
	require.NoError(t, json.Unmarshal(body, &wc))
	require.NotEmpty(t, wc.Code)
	b := newBrowser(t, ts)
	b.get(motion.PathSSOCallback + "?" + url.Values{motion.QueryCode: {wc.Code}}.Encode())
	require.Contains(t, []int{http.StatusOK, http.StatusSeeOther}, b.status, b.body)
	assert.NotEmpty(t, b.cookie(motion.TokenCookie), "the browser is logged in")
	b2 := newBrowser(t, ts)
	b2.get(motion.PathSSOCallback + "?" + url.Values{motion.QueryCode: {wc.Code}}.Encode())
	assert.Equal(t, http.StatusBadRequest, b2.status, "a code is good once")
	assert.Empty(t, b2.cookie(motion.TokenCookie))
}

// TestAgentStatus: a session starts not ready; PUT makes it ready; another session or a request
// without a session cannot.
func TestAgentStatus(t *testing.T) {
	ts := startServer(t, Options{})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	status, body := ts.call(t, http.MethodGet, motion.PathAgentStatus, nil, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status, string(body))
	var st motion.AgentStatus
	require.NoError(t, json.Unmarshal(body, &st))
	assert.False(t, st.Ready)
	assert.False(t, st.Since.IsZero())

	status, body = ts.call(t, http.MethodPut, motion.PathAgentStatus, motion.AgentStatusRequest{Ready: true}, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status, string(body))
	require.NoError(t, json.Unmarshal(body, &st))
	assert.True(t, st.Ready)
	assert.True(t, ts.srv.AgentReady("chloe", motion.ClientPhonebar))
	assert.False(t, ts.srv.AgentReady("chloe", motion.ClientWeb))

	status, _ = ts.call(t, http.MethodPut, motion.PathAgentStatus, `{"ready":"yes"}`, bearer(lr.Token))
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = ts.call(t, http.MethodPut, motion.PathAgentStatus, motion.AgentStatusRequest{Ready: true}, nil)
	assert.Equal(t, http.StatusUnauthorized, status)
}
