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

// hotDeskConfig is the demo with bruno and eric as hot-desk agents and the given telephones.
func hotDeskConfig(phones ...PhoneConfig) *Config {
	cfg := DefaultConfig()
	cfg.Users[1].HotDesk = true
	cfg.Users = append(cfg.Users, UserConfig{Name: "eric", Fullname: "Eric Blanc", Typology: motion.TypologyExternal, HotDesk: true, Password: "Demo-Eric-1004"})
	cfg.Phones = phones
	return cfg
}

func phoneNames(t *testing.T, body []byte) []string {
	t.Helper()
	var l motion.PhoneList
	require.NoError(t, json.Unmarshal(body, &l), string(body))
	require.Equal(t, len(l.Rows), l.Count)
	out := []string{}
	for _, p := range l.Rows {
		out = append(out, p.Name)
	}
	return out
}

func TestHotDeskPhoneList(t *testing.T) {
	tests := []struct {
		name   string
		phones []PhoneConfig
		ericOn string // the phone eric logs in with first, if any
		want   []string
	}{
		{"registered and free are listed", []PhoneConfig{{Name: "A", Registered: true}, {Name: "B", Registered: true}}, "", []string{"A", "B"}},
		{"unregistered is hidden", []PhoneConfig{{Name: "A", Registered: true}, {Name: "B"}}, "", []string{"A"}},
		{"busy after a failed logout is hidden", []PhoneConfig{{Name: "A", Registered: true, Busy: true}, {Name: "B", Registered: true}}, "", []string{"B"}},
		{"in use by another agent is hidden", []PhoneConfig{{Name: "A", Registered: true}, {Name: "B", Registered: true}}, "A", []string{"B"}},
		{"none connected: all are listed", []PhoneConfig{{Name: "A"}, {Name: "B", Busy: true}}, "", []string{"A", "B"}},
		{"everything taken: empty", []PhoneConfig{{Name: "A", Registered: true}, {Name: "B", Registered: true, Busy: true}}, "A", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, Options{Config: hotDeskConfig(tt.phones...)})
			if tt.ericOn != "" {
				status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "eric", Password: "Demo-Eric-1004", Phone: tt.ericOn}, nil)
				require.Equal(t, http.StatusOK, status, string(body))
			}
			status, body := ts.call(t, http.MethodGet, motion.PathPhones, nil, basic("bruno", demoPassword(t, "bruno")))
			require.Equal(t, http.StatusOK, status, string(body))
			assert.Equal(t, tt.want, phoneNames(t, body))
		})
	}
}

func TestHotDeskLogin(t *testing.T) {
	ts := startServer(t, Options{Config: hotDeskConfig(
		PhoneConfig{Name: "Desk 1", Registered: true}, PhoneConfig{Name: "Desk 2", Registered: true},
		PhoneConfig{Name: "Desk 3", Registered: true, Busy: true}, PhoneConfig{Name: "Desk 4"},
	)})
	pw := demoPassword(t, "bruno")
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "eric", Password: "Demo-Eric-1004", Phone: "Desk 1"}, nil)
	require.Equal(t, http.StatusOK, status, string(body))

	tests := []struct {
		name       string
		req        motion.LoginRequest
		wantStatus int
		wantCode   string
	}{
		{"no phone", motion.LoginRequest{}, 428, motion.CodePhoneRequired},
		{"in use by eric", motion.LoginRequest{Phone: "Desk 1"}, 409, motion.CodePhoneUnavailable},
		{"busy", motion.LoginRequest{Phone: "Desk 3"}, 409, motion.CodePhoneUnavailable},
		{"unregistered", motion.LoginRequest{Phone: "Desk 4"}, 409, motion.CodePhoneUnavailable},
		{"no such phone", motion.LoginRequest{Phone: "Desk 9"}, 409, motion.CodePhoneUnavailable},
		{"a line instead", motion.LoginRequest{Line: motion.LineMobile}, 400, motion.CodeBadRequest},
		{"a free phone, any case", motion.LoginRequest{Phone: "desk 2"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Name, tt.req.Password = "bruno", pw
			status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, tt.req, nil)
			require.Equal(t, tt.wantStatus, status, string(body))
			if tt.wantCode != "" {
				assert.Equal(t, tt.wantCode, errBody(t, body).Code)
			}
		})
	}
	sessions := ts.srv.Sessions()
	require.Len(t, sessions, 2)
	assert.Equal(t, "Desk 1", sessions[0].Phone)
	assert.Equal(t, "Desk 2", sessions[1].Phone, "the canonical name")
	assert.Equal(t, 0, ts.srv.Users()[1].FailedAttempts, "choosing a phone is no failed attempt")

	// The admin sees who holds which telephone, and a telephone freed by a logout comes back.
	for _, p := range ts.srv.Phones() {
		want := map[string]string{"Desk 1": "eric", "Desk 2": "bruno"}[p.Name]
		assert.Equal(t, want, p.InUseBy, p.Name)
	}
	status, body = ts.call(t, http.MethodGet, motion.PathPhones, nil, basic("eric", "Demo-Eric-1004"))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []string{"Desk 1"}, phoneNames(t, body), "eric sees his own telephone, not bruno's")

	// The administrator registers Desk 4 and frees Desk 3.
	admin := basic("admin", demoPassword(t, "admin"))
	for _, name := range []string{"Desk 3", "Desk 4"} {
		status, body = ts.call(t, http.MethodPut, motion.PathAdminPhones+"/"+url.PathEscape(name), `{"registered":true,"busy":false}`, admin)
		require.Equal(t, http.StatusOK, status, string(body))
	}
	status, body = ts.call(t, http.MethodGet, motion.PathPhones, nil, basic("eric", "Demo-Eric-1004"))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []string{"Desk 1", "Desk 3", "Desk 4"}, phoneNames(t, body))
}

func TestHotDeskWithoutPhonesIsNotEnforced(t *testing.T) {
	ts := startServer(t, Options{Config: hotDeskConfig()})
	pw := demoPassword(t, "bruno")
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "bruno", Password: pw, Phone: "desk-102"}, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "desk-102", ts.srv.Sessions()[0].Phone)
}

func TestLineChoice(t *testing.T) {
	ts := startServer(t, Options{})
	tests := []struct {
		name       string
		user       string
		line       string
		wantStatus int
		wantLine   string
	}{
		{"external, no line: internal", "bruno", "", 200, motion.LineInternal},
		{"external, mobile", "bruno", motion.LineMobile, 200, motion.LineMobile},
		{"external, phone", "bruno", motion.LinePhone, 200, motion.LinePhone},
		{"external, unknown line", "bruno", "fax", 400, ""},
		{"a phonebar agent has no line", "chloe", motion.LineMobile, 400, ""},
		{"a phone for a non-hot-desk agent", "chloe", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(ts.srv.Sessions())
			status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: tt.user, Password: demoPassword(t, tt.user), Line: tt.line, Force: true}, nil)
			require.Equal(t, tt.wantStatus, status, string(body))
			if status != 200 {
				assert.Equal(t, motion.CodeBadRequest, errBody(t, body).Code)
				assert.Len(t, ts.srv.Sessions(), n)
				return
			}
			sessions := ts.srv.Sessions()
			assert.Equal(t, tt.wantLine, sessions[len(sessions)-1].Line)
		})
	}
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "chloe", Password: demoPassword(t, "chloe"), Phone: "Desk 1 (SIP/2001)", Force: true}, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, errBody(t, body).Message, "only for external agents with Hot Desk")
}

func TestWebHotDeskAndLineQuestions(t *testing.T) {
	ts := startServer(t, Options{Config: hotDeskConfig(
		PhoneConfig{Name: "Desk 1", Registered: true}, PhoneConfig{Name: "Desk 2", Registered: true}, PhoneConfig{Name: "Desk 3"},
	)})
	b := newBrowser(t, ts).loginOnly("bruno", demoPassword(t, "bruno"))
	require.Equal(t, http.StatusPreconditionRequired, b.status)
	assert.Contains(t, byID(t, b.body, "phone-question"), "choose the telephone")
	assert.Contains(t, b.body, `value="Desk 1"`)
	assert.Contains(t, b.body, `value="Desk 2"`)
	assert.NotContains(t, b.body, `value="Desk 3"`, "unregistered")
	assert.NotContains(t, b.body, `id="login-error"`)
	ticket := b.hidden("ticket")
	require.NotEmpty(t, ticket)

	// Someone takes Desk 2 meanwhile: the page says so and asks again.
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "eric", Password: "Demo-Eric-1004", Phone: "Desk 2"}, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	b.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {b.hidden("check")}, "ticket": {ticket}, "phone": {"Desk 2"}})
	require.Equal(t, http.StatusConflict, b.status)
	assert.Contains(t, byID(t, b.body, "login-error"), "not available any more")
	assert.NotContains(t, b.body, `value="Desk 2"`)
	b.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {b.hidden("check")}, "ticket": {b.hidden("ticket")}, "phone": {"Desk 1"}})
	require.Equal(t, http.StatusSeeOther, b.status, b.body)
	assert.Equal(t, motion.PathWebDesktop, b.loc)
	sessions := ts.srv.Sessions()
	assert.Equal(t, "Desk 1", sessions[len(sessions)-1].Phone)
	assert.Equal(t, ViaWebForm, sessions[len(sessions)-1].Via)

	// A ticket works once; a form without one starts again.
	b.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {b.cookie(checkCookie)}, "ticket": {ticket}, "phone": {"Desk 1"}})
	assert.Equal(t, http.StatusBadRequest, b.status)

	// Without Hot Desk, the line question; the answer goes with the session.
	ts2 := startServer(t, Options{})
	b = newBrowser(t, ts2).loginOnly("bruno", demoPassword(t, "bruno"))
	require.Equal(t, http.StatusPreconditionRequired, b.status)
	assert.Equal(t, "Where should your calls ring?", byID(t, b.body, "line-question"))
	b.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {b.hidden("check")}, "ticket": {b.hidden("ticket")}, "line": {"fax"}})
	assert.Equal(t, http.StatusBadRequest, b.status)
	b = newBrowser(t, ts2).loginOnly("bruno", demoPassword(t, "bruno"))
	b.do(http.MethodPost, motion.PathWebLogin, url.Values{"check": {b.hidden("check")}, "ticket": {b.hidden("ticket")}, "line": {motion.LinePhone}})
	require.Equal(t, http.StatusSeeOther, b.status, b.body)
	assert.Equal(t, motion.LinePhone, ts2.srv.Sessions()[0].Line)
}
