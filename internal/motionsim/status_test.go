package motionsim

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

func decodeStatus(t *testing.T, body []byte) motion.AgentStatus {
	t.Helper()
	var st motion.AgentStatus
	require.NoError(t, json.Unmarshal(body, &st), string(body))
	return st
}

func TestAgentStatusWithPauseTypes(t *testing.T) {
	ts := startServer(t, Options{})
	lr := ts.login(t, "chloe", demoPassword(t, "chloe"))
	tok := bearer(lr.Token)
	loggedIn := ts.clock.Now().UTC()
	assert.True(t, lr.User.RemoteControl, "the demo agents have Remote Control on")

	status, body := ts.call(t, http.MethodGet, motion.PathPauseTypes, nil, tok)
	require.Equal(t, http.StatusOK, status, string(body))
	var list motion.PauseTypeList
	require.NoError(t, json.Unmarshal(body, &list))
	assert.Equal(t, 4, list.Count)
	assert.Equal(t, DefaultConfig().PauseTypes, list.Rows)

	status, body = ts.call(t, http.MethodGet, motion.PathAgentStatus, nil, tok)
	require.Equal(t, http.StatusOK, status, string(body))
	st := decodeStatus(t, body)
	assert.False(t, st.Ready, "the demo server's agents log in paused")
	assert.Nil(t, st.PauseType)
	assert.True(t, loggedIn.Equal(st.LoggedInAt), "logged in at %s, said %s", loggedIn, st.LoggedInAt)
	assert.True(t, loggedIn.Equal(st.Since))

	ts.clock.Advance(90 * time.Second)
	status, body = ts.call(t, http.MethodPut, motion.PathAgentStatus, motion.AgentStatusRequest{PauseTypeID: 2}, tok)
	require.Equal(t, http.StatusOK, status, string(body))
	st = decodeStatus(t, body)
	require.NotNil(t, st.PauseType)
	assert.Equal(t, motion.PauseType{ID: 2, Name: "Lunch"}, *st.PauseType)
	assert.True(t, loggedIn.Add(90*time.Second).Equal(st.Since), "a new pause type is a new status")
	assert.True(t, loggedIn.Equal(st.LoggedInAt))

	row := ts.srv.Users()[2]
	require.Equal(t, "chloe", row.Name)
	require.NotNil(t, row.Status, "the admin view shows the agent's status")
	assert.Equal(t, "Lunch", row.Status.PauseType.Name)

	tests := []struct {
		name string
		req  string
		msg  string
	}{
		{"unknown pause type", `{"ready":false,"pauseTypeId":9}`, "no pause type 9: the pause types are 1 (Break), 2 (Lunch), 3 (Training), 4 (Back office)"},
		{"ready with a pause type", `{"ready":true,"pauseTypeId":1}`, "a ready agent has no pause type"},
		{"not a number", `{"ready":false,"pauseTypeId":"lunch"}`, "pauseTypeId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := ts.call(t, http.MethodPut, motion.PathAgentStatus, tt.req, tok)
			assert.Equal(t, http.StatusBadRequest, status)
			eb := errBody(t, body)
			assert.Equal(t, motion.CodeBadRequest, eb.Code)
			assert.Contains(t, eb.Message, tt.msg)
		})
	}
	st, ok := ts.srv.AgentStatus("chloe", motion.ClientPhonebar)
	require.True(t, ok)
	assert.Equal(t, 2, st.PauseType.ID, "a refused change changes nothing")

	ts.clock.Advance(time.Minute)
	status, body = ts.call(t, http.MethodPut, motion.PathAgentStatus, motion.AgentStatusRequest{Ready: true}, tok)
	require.Equal(t, http.StatusOK, status, string(body))
	st = decodeStatus(t, body)
	assert.True(t, st.Ready)
	assert.Nil(t, st.PauseType)
	assert.True(t, loggedIn.Add(150*time.Second).Equal(st.Since))
}

func TestLoginPausedSetting(t *testing.T) {
	ts := startServer(t, Options{})
	admin := basic("admin", demoPassword(t, "admin"))
	status, body := ts.call(t, http.MethodPut, motion.PathAdminSettings, `{"loginPaused":false}`, admin)
	require.Equal(t, http.StatusOK, status, string(body))
	lr := ts.login(t, "bruno", demoPassword(t, "bruno"))
	status, body = ts.call(t, http.MethodGet, motion.PathAgentStatus, nil, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status, string(body))
	assert.True(t, decodeStatus(t, body).Ready, "with log in paused off, agents log in ready")

	status, body = ts.call(t, http.MethodPut, motion.PathAdminSettings, `{"loginPaused":true,"pauseTypes":[]}`, admin)
	require.Equal(t, http.StatusOK, status, string(body))
	lr = ts.login(t, "chloe", demoPassword(t, "chloe"))
	status, body = ts.call(t, http.MethodGet, motion.PathAgentStatus, nil, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status, string(body))
	assert.False(t, decodeStatus(t, body).Ready)
	status, body = ts.call(t, http.MethodPut, motion.PathAgentStatus, motion.AgentStatusRequest{PauseTypeID: 1}, bearer(lr.Token))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, errBody(t, body).Message, "this server has no pause types")
}

func TestPauseTypesFromTheAdminForm(t *testing.T) {
	ts := startServer(t, Options{})
	got := ts.srv.pauseTypesFromLines("Lunch\n\n  Coaching \r\nbreak\n")
	assert.Equal(t, []motion.PauseType{{ID: 2, Name: "Lunch"}, {ID: 5, Name: "Coaching"}, {ID: 1, Name: "break"}}, got,
		"known names keep their ID, new ones take the next free one")
}

// The status is the agent's: what the Phonebar's session sets, the Omni Desktop's session says,
// and a session opened later starts with it.
func TestAgentStatusIsTheAgentsInEverySession(t *testing.T) {
	ts := startServer(t, Options{})
	pw := demoPassword(t, "chloe")
	login := func(client string) http.Header {
		status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: "chloe", Password: pw, Client: client}, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		var lr motion.LoginResponse
		require.NoError(t, json.Unmarshal(body, &lr))
		return bearer(lr.Token)
	}
	get := func(tok http.Header) motion.AgentStatus {
		status, body := ts.call(t, http.MethodGet, motion.PathAgentStatus, nil, tok)
		require.Equal(t, http.StatusOK, status, string(body))
		return decodeStatus(t, body)
	}
	bar := login(motion.ClientPhonebar)
	require.False(t, get(bar).Ready, "the demo agents log in paused")

	status, body := ts.call(t, http.MethodPut, motion.PathAgentStatus, motion.AgentStatusRequest{Ready: true}, bar)
	require.Equal(t, http.StatusOK, status, string(body))
	web := login(motion.ClientWeb) // the Omni Desktop, opened once the agent is ready
	assert.True(t, get(web).Ready, "a new session starts with the agent's status")

	ts.clock.Advance(time.Minute)
	status, body = ts.call(t, http.MethodPut, motion.PathAgentStatus, motion.AgentStatusRequest{PauseTypeID: 2}, web)
	require.Equal(t, http.StatusOK, status, string(body))
	st := get(bar)
	assert.False(t, st.Ready, "a pause in the Omni Desktop shows in the Phonebar")
	require.NotNil(t, st.PauseType)
	assert.Equal(t, "Lunch", st.PauseType.Name)
	assert.Equal(t, get(web).Since, st.Since)
}
