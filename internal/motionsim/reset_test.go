package motionsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

// tokenOfLink returns the token of a reset link.
func tokenOfLink(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	require.NoError(t, err)
	require.Equal(t, motion.PathWebResetPassword, u.Path)
	return u.Query().Get("token")
}

func TestForgotPasswordOutboxAndReset(t *testing.T) {
	ts := startServer(t, Options{})
	forgot := func(email string) (int, string) {
		status, body := ts.call(t, http.MethodPost, motion.PathForgotPassword, motion.ForgotPasswordRequest{Email: email}, nil)
		return status, string(body)
	}
	// The same answer for a user's email, another case of it, and an unknown one.
	s1, b1 := forgot("chloe@demo.phonebar.test")
	s2, b2 := forgot("CHLOE@demo.phonebar.test")
	s3, b3 := forgot("nobody@demo.phonebar.test")
	assert.Equal(t, http.StatusAccepted, s1)
	assert.Equal(t, []int{s1, s1}, []int{s2, s3})
	assert.Equal(t, []string{b1, b1}, []string{b2, b3}, "no answer tells whether the email exists")

	out := ts.srv.Outbox()
	require.Len(t, out, 2)
	assert.Equal(t, "chloe@demo.phonebar.test", out[0].To)
	assert.Equal(t, "chloe", out[0].User)
	assert.Contains(t, out[0].Body, out[0].Link)
	assert.Contains(t, out[0].Body, "within one hour")
	assert.True(t, strings.HasPrefix(out[0].Link, ts.ep.URL+motion.PathWebResetPassword+"?token="), out[0].Link)
	admin := basic("admin", demoPassword(t, "admin"))
	status, body := ts.call(t, http.MethodGet, motion.PathAdminOutbox, nil, admin)
	require.Equal(t, http.StatusOK, status)
	var list AdminList[OutboxMessage]
	require.NoError(t, json.Unmarshal(body, &list))
	assert.Equal(t, 2, list.Count)

	first, second := tokenOfLink(t, out[0].Link), tokenOfLink(t, out[1].Link)
	reset := func(tok, pw string) (int, motion.ErrorBody) {
		status, body := ts.call(t, http.MethodPost, motion.PathResetPassword, motion.ResetPasswordRequest{Token: tok, NewPassword: pw}, nil)
		if status == http.StatusNoContent {
			return status, motion.ErrorBody{}
		}
		return status, errBody(t, body)
	}
	tests := []struct {
		name       string
		token, pw  string
		wantStatus int
		wantCode   string
		wantRules  []string
	}{
		{"no token", "", "New-Chloe-1", 400, motion.CodeBadRequest, nil},
		{"unknown token", "nope", "New-Chloe-1", 400, motion.CodeBadRequest, nil},
		{"no password", first, "", 400, motion.CodeBadRequest, nil},
		{"weak password", first, "weak", 422, motion.CodePasswordRules, []string{RuleMinLength, RuleUpper, RuleDigit, RuleSpecial}},
		{"the current password", first, demoPassword(t, "chloe"), 422, motion.CodePasswordRules, []string{RuleNotCurrent}},
		{"a good one", first, "New-Chloe-1", 204, "", nil},
		{"the link again", first, "New-Chloe-2", 400, motion.CodeBadRequest, nil},
		{"the other link, retired by the reset", second, "New-Chloe-3", 400, motion.CodeBadRequest, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, eb := reset(tt.token, tt.pw)
			require.Equal(t, tt.wantStatus, status, eb.Message)
			assert.Equal(t, tt.wantCode, eb.Code)
			assert.Equal(t, tt.wantRules, eb.Rules)
		})
	}
	ts.login(t, "chloe", "New-Chloe-1")

	// A new link refuses the old password (history).
	forgot("chloe@demo.phonebar.test")
	out = ts.srv.Outbox()
	status, eb := reset(tokenOfLink(t, out[len(out)-1].Link), demoPassword(t, "chloe"))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, []string{RuleNotRecent}, eb.Rules)

	// A link older than one hour no longer works.
	forgot("alice@demo.phonebar.test")
	out = ts.srv.Outbox()
	late := tokenOfLink(t, out[len(out)-1].Link)
	ts.clock.Advance(time.Hour)
	status, eb = reset(late, "New-Alice-1")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, eb.Message, "older than one hour")
	ts.login(t, "alice", demoPassword(t, "alice"))
}

func TestPasswordHistory(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PasswordHistory = 2
	ts := startServer(t, Options{Config: cfg})
	tok := ts.login(t, "chloe", demoPassword(t, "chloe")).Token
	current := demoPassword(t, "chloe")
	change := func(pw string) (int, []string) {
		status, body := ts.call(t, http.MethodPut, motion.PathChangePassword, motion.ChangePasswordRequest{OldPassword: current, NewPassword: pw}, bearer(tok))
		if status == http.StatusNoContent {
			current = pw
			return status, nil
		}
		return status, errBody(t, body).Rules
	}
	steps := []struct {
		pw         string
		wantStatus int
		wantRules  []string
	}{
		{"Second-Pass-2", 204, nil},
		{"Second-Pass-2", 422, []string{RuleNotCurrent}},
		{demoPassword(t, "chloe"), 422, []string{RuleNotRecent}},
		{"Third-Pass-3", 204, nil},
		{"Second-Pass-2", 422, []string{RuleNotRecent}},
		{"weak", 422, []string{RuleMinLength, RuleUpper, RuleDigit, RuleSpecial}},
		{"Fourth-Pass-4", 204, nil},
		{demoPassword(t, "chloe"), 204, nil}, // three passwords ago: outside a history of 2
	}
	for _, st := range steps {
		status, rules := change(st.pw)
		assert.Equal(t, st.wantStatus, status, st.pw)
		assert.Equal(t, st.wantRules, rules, st.pw)
	}
}

func TestWebForgotAndResetPages(t *testing.T) {
	ts := startServer(t, Options{})
	b := newBrowser(t, ts)
	b.do(http.MethodPost, "/forgot-password", url.Values{"email": {"bruno@demo.phonebar.test"}})
	require.Equal(t, http.StatusOK, b.status)
	known := byID(t, b.body, "forgot-notice")
	b.do(http.MethodPost, "/forgot-password", url.Values{"email": {"who@demo.phonebar.test"}})
	assert.Equal(t, known, byID(t, b.body, "forgot-notice"))
	out := ts.srv.Outbox()
	require.Len(t, out, 1)
	link, err := url.Parse(out[0].Link)
	require.NoError(t, err)

	b.get(link.RequestURI())
	require.Equal(t, http.StatusOK, b.status)
	assert.Contains(t, b.body, `id="reset-form"`)
	tok := b.hidden("token")
	require.NotEmpty(t, tok)
	b.do(http.MethodPost, motion.PathWebResetPassword, url.Values{"token": {tok}, "newPassword": {"New-Bruno-1"}, "confirmPassword": {"New-Bruno-2"}})
	assert.Equal(t, http.StatusBadRequest, b.status)
	assert.Contains(t, byID(t, b.body, "reset-error"), "differ")
	b.do(http.MethodPost, motion.PathWebResetPassword, url.Values{"token": {tok}, "newPassword": {"bruno"}, "confirmPassword": {"bruno"}})
	assert.Equal(t, http.StatusUnprocessableEntity, b.status)
	assert.Contains(t, byID(t, b.body, "reset-error"), "at least 8 characters")
	b.do(http.MethodPost, motion.PathWebResetPassword, url.Values{"token": {tok}, "newPassword": {"New-Bruno-1"}, "confirmPassword": {"New-Bruno-1"}})
	require.Equal(t, http.StatusSeeOther, b.status, b.body)
	assert.Equal(t, motion.PathWebLogin+"?m=reset", b.loc)
	b.get(b.loc)
	assert.Contains(t, byID(t, b.body, "login-notice"), "Your new password is set")
	b.get(link.RequestURI())
	assert.Equal(t, http.StatusBadRequest, b.status, "once")
	assert.NotContains(t, b.body, `id="reset-form"`)

	// The admin's outbox page shows the message; an agent may not see it.
	a := newBrowser(t, ts).login("admin", demoPassword(t, "admin"))
	a.get("/admin/outbox")
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, "bruno@demo.phonebar.test")
	assert.Contains(t, a.body, out[0].Link)
	c := newBrowser(t, ts).login("chloe", demoPassword(t, "chloe"))
	c.get("/admin/outbox")
	assert.Equal(t, http.StatusForbidden, c.status)
}
