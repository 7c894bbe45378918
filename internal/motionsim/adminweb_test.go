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

func TestAdminPage(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxLoginAttempts, cfg.UnlockAfterMinutes = 1, 0
	ts := startServer(t, Options{Config: cfg})

	// Who may open it.
	b := newBrowser(t, ts).get(motion.PathWebAdmin)
	assert.Equal(t, http.StatusSeeOther, b.status)
	assert.Equal(t, motion.PathWebLogin, b.loc, "no session: the login page")
	c := newBrowser(t, ts).login("chloe", demoPassword(t, "chloe"))
	c.get(motion.PathWebAdmin)
	assert.Equal(t, http.StatusForbidden, c.status)
	assert.Equal(t, motion.CodeForbidden, errBody(t, []byte(c.body)).Code)

	a := newBrowser(t, ts).login("admin", demoPassword(t, "admin"))
	a.get(motion.PathWebAdmin)
	require.Equal(t, http.StatusOK, a.status)
	assert.Equal(t, "Dana Okafor", byID(t, a.body, "admin-name"))
	assert.Contains(t, a.body, `id="maxLoginAttempts" value="1"`)
	assert.Contains(t, a.body, `data-phone="Desk 3 (SIP/2003)"`)

	// Lock alice, then unlock her from the page.
	status, _ := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "alice", Password: "Wrong-Pass-1"}, nil)
	require.Equal(t, http.StatusLocked, status)
	a.get(motion.PathWebAdmin)
	assert.Equal(t, "Locked", byID(t, a.body, "state-alice"))
	check := a.hidden("check")
	require.NotEmpty(t, check)

	settings := func(over map[string]string) url.Values {
		v := url.Values{"check": {check}, "securitySuite": {"on"}, "maxLoginAttempts": {"1"}, "unlockAfterMinutes": {"0"},
			"passwordMaxAgeDays": {"90"}, "passwordHistory": {"5"}, "disconnectionTimeoutMinutes": {"0"}, "licenseExpiresAt": {""}}
		for k, x := range over {
			v.Set(k, x)
		}
		return v
	}
	tests := []struct {
		name       string
		path       string
		form       url.Values
		wantStatus int
		wantLoc    string
		wantError  string
	}{
		{"a forged form", "/admin/users/alice/unlock", url.Values{"check": {"forged"}}, 400, "", "The form expired"},
		{"unlock an unknown user", "/admin/users/nobody/unlock", url.Values{"check": {check}}, 404, "", `No user is named &#34;nobody&#34;`},
		{"unlock", "/admin/users/alice/unlock", url.Values{"check": {check}}, 303, "/admin?m=unlocked#users", ""},
		{"a number that is not one", "/admin/settings", settings(map[string]string{"maxLoginAttempts": "many"}), 400, "", `maxLoginAttempts must be a whole number, not &#34;many&#34;`},
		{"a bad license date", "/admin/settings", settings(map[string]string{"licenseExpiresAt": "Monday"}), 400, "", "licenseExpiresAt"},
		{"settings", "/admin/settings", settings(map[string]string{"maxLoginAttempts": "3", "sso_google": "on"}), 303, "/admin?m=settings", ""},
		{"hot desk for a webrtc agent", "/admin/users/alice", url.Values{"check": {check}, "typology": {"webrtc"}, "hotDesk": {"on"}}, 400, "", "hotDesk is only for external agents"},
		{"bruno to hot desk", "/admin/users/bruno", url.Values{"check": {check}, "typology": {"external"}, "hotDesk": {"on"}, "email": {"b@x.test"}}, 303, "/admin?m=user#users", ""},
		{"a telephone", "/admin/phones/Desk 3 (SIP/2003)", url.Values{"check": {check}, "registered": {"on"}}, 303, "/admin?m=phone#phones", ""},
		{"an unknown telephone", "/admin/phones/Desk 9", url.Values{"check": {check}}, 404, "", "No telephone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := url.URL{Path: tt.path}
			a.do(http.MethodPost, u.EscapedPath(), tt.form)
			require.Equal(t, tt.wantStatus, a.status)
			if tt.wantLoc != "" {
				assert.Equal(t, tt.wantLoc, a.loc)
			} else {
				assert.Contains(t, byID(t, a.body, "admin-error"), tt.wantError)
			}
		})
	}
	a.get(motion.PathWebAdmin + "?m=unlocked")
	assert.Equal(t, "Account unlocked.", byID(t, a.body, "admin-notice"))
	ts.login(t, "alice", demoPassword(t, "alice"))
	st := ts.srv.Settings()
	assert.Equal(t, 3, st.MaxLoginAttempts)
	assert.Equal(t, []string{"google"}, st.SSOProviders)
	assert.True(t, ts.srv.Users()[1].HotDesk)
	assert.Equal(t, "b@x.test", ts.srv.Users()[1].Email)
	assert.True(t, ts.srv.Phones()[2].Registered)
	assert.False(t, ts.srv.Phones()[2].Busy, "an unticked box clears the flag")
	a.get("/admin/settings")
	assert.Equal(t, http.StatusMethodNotAllowed, a.status)
}

func TestAdminPagePauseTypesAndAgentStatus(t *testing.T) {
	ts := startServer(t, Options{})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	status, body := ts.call(t, http.MethodPut, motion.PathAgentStatus, motion.AgentStatusRequest{PauseTypeID: 2}, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status, string(body))

	a := newBrowser(t, ts).login("admin", demoPassword(t, "admin"))
	a.get(motion.PathWebAdmin)
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, byID(t, a.body, "status-chloe"), "Paused: Lunch")
	assert.Contains(t, a.body, `data-pause-type="2"`)
	assert.Contains(t, a.body, `id="loginPaused" checked`)
	assert.Contains(t, a.body, "Break\nLunch\nTraining\nBack office\n</textarea>")
	assert.Contains(t, a.body, `aria-label="Remote Control for chloe" checked`)

	// The administrator renames nothing, drops Break, adds Coaching and lets agents log in ready;
	// then turns Remote Control off for chloe.
	form := url.Values{"check": {a.hidden("check")}, "securitySuite": {"on"}, "maxLoginAttempts": {"5"}, "unlockAfterMinutes": {"15"},
		"passwordMaxAgeDays": {"90"}, "passwordHistory": {"5"}, "disconnectionTimeoutMinutes": {"0"},
		"pauseTypes": {"Lunch\r\nTraining\r\nCoaching\r\nBack office\r\n"}}
	a.do(http.MethodPost, "/admin/settings", form)
	require.Equal(t, http.StatusSeeOther, a.status, a.body)
	st := ts.srv.Settings()
	assert.Equal(t, []motion.PauseType{{ID: 2, Name: "Lunch"}, {ID: 3, Name: "Training"}, {ID: 5, Name: "Coaching"}, {ID: 4, Name: "Back office"}}, st.PauseTypes)
	assert.False(t, st.LoginPaused)
	a.do(http.MethodPost, "/admin/users/chloe", url.Values{"check": {form.Get("check")}, "typology": {"phonebar"}, "email": {"chloe@demo.phonebar.test"}})
	require.Equal(t, http.StatusSeeOther, a.status, a.body)
	assert.False(t, ts.srv.Users()[2].RemoteControl)
	a.do(http.MethodPost, "/admin/users/admin", url.Values{"check": {form.Get("check")}, "email": {"admin@demo.phonebar.test"}})
	require.Equal(t, http.StatusSeeOther, a.status, "an admin's form has no Remote Control box: %s", a.body)

	a.do(http.MethodPost, "/admin/settings", url.Values{"check": {form.Get("check")}, "maxLoginAttempts": {"5"}, "unlockAfterMinutes": {"15"},
		"passwordMaxAgeDays": {"90"}, "passwordHistory": {"5"}, "disconnectionTimeoutMinutes": {"0"}, "pauseTypes": {"Lunch\nlunch\n"}})
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, byID(t, a.body, "admin-error"), "pauseTypes[1].name")
}

// TestAgentLine: an external agent without Hot Desk changes the line of the session (the numbers
// that ring are in whoami); others are refused with what the line is for.
func TestAgentLine(t *testing.T) {
	ts := startServer(t, Options{})
	lr := ts.login(t, "bruno", demoPassword(t, "bruno"))
	status, body := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status, string(body))
	var who motion.User
	require.NoError(t, json.Unmarshal(body, &who))
	assert.Equal(t, [2]string{"+39 06 5550 1002", "+39 333 555 1002"}, [2]string{who.PhoneNumber, who.MobileNumber})
	line := func() string {
		for _, s := range ts.srv.Sessions() {
			if s.User == "bruno" && s.EndedAt.IsZero() {
				return s.Line
			}
		}
		return ""
	}
	assert.Equal(t, motion.LineInternal, line())

	tests := []struct {
		name, user, line string
		status           int
		says             string
	}{
		{"mobile", "bruno", motion.LineMobile, http.StatusNoContent, ""},
		{"phone", "bruno", motion.LinePhone, http.StatusNoContent, ""},
		{"unknown line", "bruno", "desk", http.StatusBadRequest, `not "desk"`},
		{"not external", "alice", motion.LinePhone, http.StatusBadRequest, "only for external agents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := lr.Token
			if tt.user != "bruno" {
				tok = ts.login(t, tt.user, demoPassword(t, tt.user)).Token
			}
			was := line()
			status, body := ts.call(t, http.MethodPut, motion.PathAgentLine, motion.AgentLineRequest{Line: tt.line}, bearer(tok))
			require.Equal(t, tt.status, status, string(body))
			if tt.says != "" {
				assert.Contains(t, errBody(t, body).Message, tt.says)
				assert.Equal(t, was, line(), "a refused change changes nothing")
				return
			}
			assert.Equal(t, tt.line, line())
		})
	}
}
