package agent_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
)

const adminPassword = "Admin-Secret-4242"

// TestSimPauseTypesAndTimers: the session reads the server's pause types and the agent's status at
// login, pauses with a reason, refuses an unknown reason without asking the server, and keeps
// what the timers count from.
func TestSimPauseTypesAndTimers(t *testing.T) {
	r := newSimRigWith(t, &motionsim.Config{Users: []motionsim.UserConfig{
		{Name: "bob", Fullname: "Bob Hart", Typology: motion.TypologyPhonebar, Password: bobPassword},
		{Name: "root", Fullname: "Root Admin", Role: motion.RoleAdmin, Password: adminPassword},
	}})
	r.run(t)
	ctx := context.Background()

	// This server has no pause types: the agent pauses without a reason.
	before := time.Now()
	_, err := r.s.Login(ctx, r.ep.URL, "bob", bobPassword, false)
	require.NoError(t, err)
	st := r.s.Status()
	assert.False(t, st.Ready, "agents log in paused when the server does not say otherwise")
	assert.Nil(t, st.PauseType)
	assert.False(t, st.LoggedInAt.Before(before.Add(-time.Second)), "logged in at %s", st.LoggedInAt)
	assert.False(t, st.Since.Before(st.LoggedInAt))
	assert.Empty(t, r.s.PauseTypes())
	err = r.s.Pause(ctx, 3)
	var upt *agent.UnknownPauseTypeError
	require.ErrorAs(t, err, &upt)
	assert.ErrorIs(t, err, agent.ErrUnknownPauseType)
	assert.Contains(t, err.Error(), "the server has none")
	require.NoError(t, r.s.Logout(ctx))
	assert.Equal(t, agent.Status{}, r.s.Status(), "no status without a session")

	// The administrator defines pause types and lets agents log in ready.
	adminPut(t, r, motion.PathAdminSettings, `{"pauseTypes":[{"id":4,"name":"Lunch"},{"id":9,"name":"Coaching"}],"loginPaused":false}`)

	_, err = r.s.Login(ctx, r.ep.URL, "bob", bobPassword, false)
	require.NoError(t, err)
	st = r.s.Status()
	assert.True(t, st.Ready, "the server's setting: log in ready")
	assert.True(t, r.s.Ready())
	assert.Equal(t, []motion.PauseType{{ID: 4, Name: "Lunch"}, {ID: 9, Name: "Coaching"}}, r.s.PauseTypes())
	loggedIn := st.LoggedInAt

	require.NoError(t, r.s.Pause(ctx, 9))
	st = r.s.Status()
	assert.False(t, st.Ready)
	require.NotNil(t, st.PauseType)
	assert.Equal(t, "Coaching", st.PauseType.Name)
	assert.Equal(t, loggedIn, st.LoggedInAt, "a pause does not restart the login timer")
	assert.False(t, st.Since.Before(loggedIn))
	onServer, ok := r.srv.AgentStatus("bob", motion.ClientPhonebar)
	require.True(t, ok)
	require.NotNil(t, onServer.PauseType)
	assert.Equal(t, 9, onServer.PauseType.ID, "the server holds the reason")

	st.PauseType.Name = "changed by the caller"
	assert.Equal(t, "Coaching", r.s.Status().PauseType.Name, "Status returns a copy")

	err = r.s.Pause(ctx, 5)
	require.ErrorAs(t, err, &upt)
	assert.Contains(t, err.Error(), "4 (Lunch), 9 (Coaching)")
	assert.Equal(t, 9, r.s.Status().PauseType.ID, "a refused pause changes nothing")

	require.NoError(t, r.s.SetReady(ctx, true, ""))
	assert.True(t, r.s.Status().Ready)
	assert.Nil(t, r.s.Status().PauseType)
	require.NoError(t, r.s.SetReady(ctx, false, ""))
	assert.Nil(t, r.s.Status().PauseType, "not ready without a reason")
	require.NoError(t, r.s.Logout(ctx))
}

// adminPut changes the demo server as its administrator would, over its admin API.
func adminPut(t *testing.T, r *simRig, path, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, r.ep.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.SetBasicAuth("root", adminPassword)
	cl := r.ep.Client()
	defer cl.CloseIdleConnections()
	resp, err := cl.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(data))
}

func TestStatusFromTheServer(t *testing.T) {
	now := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
	lunch := &motion.PauseType{ID: 2, Name: "Lunch"}
	tests := []struct {
		name string
		in   motion.AgentStatus
		want agent.Status
	}{
		{"as said", motion.AgentStatus{PauseType: lunch, Since: now.Add(-time.Minute), LoggedInAt: now.Add(-time.Hour)},
			agent.Status{PauseType: lunch, Since: now.Add(-time.Minute), LoggedInAt: now.Add(-time.Hour)}},
		{"no times", motion.AgentStatus{Ready: true}, agent.Status{Ready: true, Since: now, LoggedInAt: now}},
		{"a server clock ahead", motion.AgentStatus{Since: now.Add(time.Minute), LoggedInAt: now.Add(time.Minute)},
			agent.Status{Since: now, LoggedInAt: now}},
		{"ready has no pause type", motion.AgentStatus{Ready: true, PauseType: lunch, Since: now, LoggedInAt: now},
			agent.Status{Ready: true, Since: now, LoggedInAt: now}},
		{"logged in after the status began", motion.AgentStatus{Since: now.Add(-time.Hour), LoggedInAt: now},
			agent.Status{Since: now.Add(-time.Hour), LoggedInAt: now.Add(-time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, agent.StatusFrom(tt.in, now))
		})
	}
}
