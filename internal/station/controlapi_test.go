package station

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/controlapi"
)

// TestControlAPIRunsWithTheSession: the API runs while an agent whose server turns Remote Control
// on is logged in, answers for the window's desk, and stops at logout; a port already taken is
// said with the session and is not fatal.
func TestControlAPIRunsWithTheSession(t *testing.T) {
	s, _ := demoStation(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, s.Settings().Update(func(st *config.Settings) error {
		st.ControlAPI.Listen = "127.0.0.1:0"
		return nil
	}))
	assert.Empty(t, s.ControlAPI().Addr, "off before a login")

	// chloe's server turns Remote Control on; her calls ring elsewhere (no softphone here).
	require.NoError(t, s.Login(ctx, agent.LoginInput{Server: s.Demo().Server, User: "chloe", Password: "Demo-Chloe-1003"}))
	addr := s.ControlAPI().Addr
	require.NotEmpty(t, addr)
	assert.Equal(t, "Control API on "+addr, s.Status().ControlAPI)
	resp, err := http.Get("http://" + addr + "/api/calls")
	require.NoError(t, err)
	var e controlapi.ErrorBody
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	resp.Body.Close()
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	assert.Equal(t, "NO_PHONE", e.Code)

	require.NoError(t, s.Logout(ctx, false))
	assert.Empty(t, s.ControlAPI().Addr)
	_, err = http.Get("http://" + addr + "/api/calls")
	assert.Error(t, err, "closed with the session")
	http.DefaultClient.CloseIdleConnections()

	// The port is taken by another program: the login goes on and the bar says why.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	require.NoError(t, s.Settings().Update(func(st *config.Settings) error {
		st.ControlAPI.Listen = taken.Addr().String()
		return nil
	}))
	require.NoError(t, s.Login(ctx, agent.LoginInput{Server: s.Demo().Server, User: "chloe", Password: "Demo-Chloe-1003"}))
	msg := s.Status().ControlAPI
	assert.True(t, strings.HasPrefix(msg, "The control API for your CRM does not run: "+taken.Addr().String()+" is taken by another program"), msg)
	require.NoError(t, s.Logout(ctx, false))
	assert.Empty(t, s.Status().ControlAPI)
}
