package station

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/instance"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// TestHandoffAndScreenPopOnTheDemoPBX drives links handed over by later starts through the
// station of a WebRTC agent on the demo server and its PBX: refused input dials nothing and says
// why; a link clicked before the login waits for the phone and is then dialled; a call from a
// customer opens the screen pop's page with the caller's values escaped.
func TestHandoffAndScreenPopOnTheDemoPBX(t *testing.T) {
	log := logrus.New()
	log.SetLevel(logrus.WarnLevel)
	opened := make(chan string, 4)
	shown := make(chan struct{}, 8)
	dir := t.TempDir()
	where := instance.Options{Dir: filepath.Join(dir, "run")}
	srv, err := instance.Claim(where)
	require.NoError(t, err)
	s, err := New(Options{SettingsPath: filepath.Join(dir, "phonebar", "settings.json"), Keyring: memKeyring{credstore.NewMemory()},
		Demo: true, Logger: log, OpenURL: func(u string) error { opened <- u; return nil },
		Launch: Launch{Instance: srv, Link: "tel:%2A43"}, Hooks: Hooks{Show: func() { shown <- struct{}{} }}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.NoError(t, s.Settings().Update(func(st *config.Settings) error {
		st.ScreenPop.URL = "https://crm.example/search?phone={callerNumber}&name={callerName}&agent={agent}"
		return nil
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	send := func(r instance.Request) instance.Reply {
		rep, err := instance.Send(ctx, where, r)
		require.NoError(t, err)
		return rep
	}

	tests := []struct {
		name string
		req  instance.Request
		code string
		msg  string
	}{
		{"letters", instance.Request{Dial: "tel:1800FLOWERS", Show: true}, "BAD_TARGET", `Not dialled: "tel:1800FLOWERS" is refused: a number must not contain letters`},
		{"control characters", instance.Request{Dial: "tel:12%0d%0aBYE", Show: true}, "BAD_TARGET", "control characters"},
		{"malformed", instance.Request{Dial: "sip:alice:secret@pbx.example.com", Show: true}, "BAD_TARGET", "a SIP address with a password is not dialled"},
		{"dial while logged out", instance.Request{Dial: "*43"}, "NOT_LOGGED_IN", "Not dialled: *43 because the Phonebar is not logged in: log in, then try again."},
		{"link while logged out", instance.Request{Dial: "tel:*43", Show: true}, "NOT_LOGGED_IN", "The Phonebar is not logged in: log in, and it dials *43 once the phone is registered."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := send(tt.req)
			assert.False(t, rep.OK)
			assert.Equal(t, tt.code, rep.Code)
			assert.Contains(t, rep.Message, tt.msg)
		})
	}
	assert.Len(t, shown, 4, "each link clicked brought the window to the front; phonebar dial did not")

	var alice motionsim.DemoLogin
	for _, l := range s.Demo().Logins {
		if l.Typology == motion.TypologyWebRTC {
			alice = l
			break
		}
	}
	require.NotEmpty(t, alice.Name)
	require.NoError(t, s.Login(ctx, agent.LoginInput{Server: s.Demo().Server, User: alice.Name, Password: alice.Password}))
	calls := func() []desk.CallView {
		if p := s.Phone(); p.Desk != nil {
			return p.Desk.Calls
		}
		return nil
	}
	require.Eventually(t, func() bool {
		c := calls()
		return len(c) == 1 && c[0].Remote != "" && strings.Contains(c[0].Remote, "*43")
	}, 30*time.Second, 50*time.Millisecond, "the link clicked before the login is dialled once the phone registered")
	for _, n := range s.Status().Notices {
		assert.NotEqual(t, NoticeDial, n.ID, "a dialled link leaves no notice")
	}
	d := s.Desk()
	require.NoError(t, d.Hangup(ctx, calls()[0].ID))
	require.Eventually(t, func() bool { return len(calls()) == 0 }, 10*time.Second, 50*time.Millisecond)

	rep := send(instance.Request{Dial: "tel:1800FLOWERS", Show: true})
	assert.Equal(t, "BAD_TARGET", rep.Code)
	require.Eventually(t, func() bool {
		for _, n := range s.Status().Notices {
			if n.ID == NoticeDial && strings.Contains(n.Text, "must not contain letters") {
				return true
			}
		}
		return false
	}, time.Second, 10*time.Millisecond, "the bar says why a link was not dialled")
	s.DismissNotice(NoticeDial)
	for _, n := range s.Status().Notices {
		assert.NotEqual(t, NoticeDial, n.ID, "dismissed")
	}

	rep = send(instance.Request{Dial: "tel:+39 06 123"})
	require.True(t, rep.OK, rep.Message)
	assert.Equal(t, "Dialling +3906123.", rep.Message)
	assert.NotEmpty(t, rep.CallID)
	require.Eventually(t, func() bool { return len(calls()) == 1 }, 10*time.Second, 50*time.Millisecond)
	require.NoError(t, d.Hangup(ctx, calls()[0].ID))
	require.Eventually(t, func() bool { return len(calls()) == 0 }, 10*time.Second, 50*time.Millisecond)

	// A customer calls: the screen pop opens the CRM's page for the caller.
	ringFromAdmin(t, s.Demo(), `{"agent":"`+alice.Name+`","callerName":"Dana & Co <VIP>","callerNumber":"+390212345","seconds":10}`)
	select {
	case u := <-opened:
		p, err := url.Parse(u)
		require.NoError(t, err)
		assert.Equal(t, "crm.example", p.Host)
		assert.Equal(t, "/search", p.Path)
		q := p.Query()
		assert.Equal(t, "+390212345", q.Get("phone"), u)
		assert.Equal(t, "Dana & Co <VIP>", q.Get("name"), u)
		assert.Equal(t, alice.Name, q.Get("agent"))
		assert.Len(t, q, 3)
	case <-ctx.Done():
		t.Fatal("no screen pop for the incoming call")
	}
}

// ringFromAdmin makes a customer of the demo PBX call an agent (the admin API; body as it takes it).
func ringFromAdmin(t *testing.T, d *Demo, body string) {
	t.Helper()
	u, err := url.Parse(d.Server)
	require.NoError(t, err)
	tr := &http.Transport{TLSClientConfig: tlspin.ClientConfig(u.Hostname(), nil, d.Fingerprint)}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodPost, d.Server+motion.PathAdminCalls, strings.NewReader(body))
	require.NoError(t, err)
	req.SetBasicAuth("admin", "Demo-Admin-0000")
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
}

// TestQueuedLinkWithoutSoftphone: the link the window was started with, for an agent whose calls
// ring on another phone (a Phonebar-typology agent, an external agent on the internal line), does
// not wait for a registration that never comes: once logged in, the bar says why it is not dialled.
func TestQueuedLinkWithoutSoftphone(t *testing.T) {
	tests := []struct {
		name, user, password string
	}{
		{"phonebar typology", "chloe", "Demo-Chloe-1003"},
		{"external agent", "bruno", "Demo-Bruno-1002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := logrus.New()
			log.SetLevel(logrus.WarnLevel)
			s, err := New(Options{SettingsPath: filepath.Join(t.TempDir(), "phonebar", "settings.json"), Keyring: memKeyring{credstore.NewMemory()},
				Demo: true, Logger: log, Launch: Launch{Link: "tel:*43"}})
			require.NoError(t, err)
			t.Cleanup(s.Close)
			dialNotice := func() string {
				for _, n := range s.Status().Notices {
					if n.ID == NoticeDial {
						return n.Text
					}
				}
				return ""
			}
			pending := func() string {
				s.mu.Lock()
				defer s.mu.Unlock()
				return s.link.pending
			}
			require.Equal(t, "*43", pending(), "queued before the login")
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			require.NoError(t, s.Login(ctx, agent.LoginInput{Server: s.Demo().Server, User: tt.user, Password: tt.password}))
			want := "Not dialled: *43 because this account has no softphone in the Phonebar: its calls ring on another phone"
			require.Eventually(t, func() bool { return dialNotice() == want }, 10*time.Second, 10*time.Millisecond,
				"the bar says why the queued link is not dialled; it says %q", dialNotice())
			assert.Nil(t, s.Desk(), "no softphone for this agent")
			assert.Empty(t, pending(), "nothing is left to dial later")
		})
	}
}
