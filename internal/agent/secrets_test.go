package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
)

// TestNoSecretAnywhere goes through logins that work, fail, cannot remember and are refused when
// saved, with every log level on, and checks that the password and the SIP password appear in no log
// line, error, change message or profile.
func TestNoSecretAnywhere(t *testing.T) {
	var logs bytes.Buffer
	logger := logrus.New()
	logger.SetOutput(&logs)
	logger.SetLevel(logrus.TraceLevel)
	logger.SetFormatter(&logrus.JSONFormatter{})
	r := newRig(t, func(d *Deps) { d.Logger = logger })

	var texts []string
	note := func(v any, err error) {
		if err != nil {
			texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
		}
		b, jerr := json.Marshal(v)
		require.NoError(t, jerr)
		texts = append(texts, string(b))
	}
	note(r.s.Login(ctx, server, "agent", password, true))
	note(r.s.Profile(), r.s.Logout(ctx))
	note(r.s.Login(ctx, server, "agent", "wrong-"+password, true))
	r.creds.Err = &credstore.UnavailableError{Op: "save", Cause: errors.New("refused")}
	note(r.s.Login(ctx, server, "agent", password, true))
	note(r.s.Profile(), r.s.Logout(ctx))
	r.creds.Err = nil
	require.NoError(t, r.creds.Set(ctx, server, "agent", password))
	note(r.s.AutoLogin(ctx))
	note(r.s.Profile(), r.s.Logout(ctx))
	r.client.loginErr = &motion.APIError{Op: "login", Status: 401, Code: motion.CodeInvalidCredentials}
	note(r.s.AutoLogin(ctx))

	r.mu.Lock()
	for _, c := range r.changes {
		texts = append(texts, fmt.Sprintf("%+v", c))
	}
	r.mu.Unlock()
	require.NotEmpty(t, logs.String(), "the session must log, or this test proves nothing")
	texts = append(texts, logs.String())
	for _, s := range texts {
		assert.NotContains(t, s, password)
		assert.NotContains(t, s, "sip-secret")
	}
}
