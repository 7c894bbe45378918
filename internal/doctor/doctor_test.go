package doctor

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/rtctest/netimpair"
	"github.com/phonebar/phonebar/internal/tlspin"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startTURN runs a real TURN server (pion/turn, which answers STUN bindings too) on loopback that
// impairs nothing; it returns its host:port. Its one account is netimpair.Username/Password.
func startTURN(t *testing.T) string {
	t.Helper()
	return netimpair.StartRelay(t, netimpair.Impairment{}).Addr()
}

// demoServer runs the real demo server (internal/motionsim) with its PBX, handing out ice as the
// WebRTC agents' ICE servers; it returns its URL, certificate fingerprint and alice's password.
func demoServer(t *testing.T, ice []motion.ICEServer) (string, tlspin.Fingerprint, string) {
	t.Helper()
	cfg := motionsim.DefaultConfig()
	cfg.SIP.ICEServers = ice
	var pw string
	for _, l := range cfg.DemoLogins() {
		if l.Name == "alice" {
			pw = l.Password
		}
	}
	require.NotEmpty(t, pw)
	srv, err := motionsim.New(motionsim.Options{Config: cfg, BcryptCost: 4, DataDir: t.TempDir()})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ep, err := srv.Start(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { cancel(); _ = srv.Close() })
	return ep.URL, ep.Fingerprint, pw
}

func names(r Report) []string {
	var out []string
	for _, c := range r.Checks {
		out = append(out, c.Name)
	}
	return out
}

func check(t *testing.T, r Report, name string) Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s check in %v", name, names(r))
	return Check{}
}

// The whole way against the real demo server: its pinned certificate, alice's login, its PBX over
// wss, a real TURN server for STUN and TURN, and a test call to *43 that echoes the tone back.
func TestDoctorAgainstTheDemoServer(t *testing.T) {
	turnAddr := startTURN(t)
	url, fp, pw := demoServer(t, []motion.ICEServer{
		{URLs: []string{"stun:" + turnAddr}},
		{URLs: []string{"turn:" + turnAddr + "?transport=udp"}, Username: netimpair.Username, Credential: netimpair.Password},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var streamed []string
	rep := Run(ctx, Options{Server: url, User: "alice", Password: pw, Pin: fp, EchoTarget: "*43", EchoHold: 3 * time.Second,
		AllowLoopback: true, OnCheck: func(c Check) { streamed = append(streamed, c.Name) }})
	for _, c := range rep.Checks {
		t.Logf("%-10s %v %5d ms %s %s", c.Name, c.OK, c.MS, c.Detail, c.Advice)
	}
	require.True(t, rep.OK)
	assert.Equal(t, []string{"dns", "tcp", "tls", "login", "sip", "stun", "turn", "echo_call"}, names(rep))
	assert.Equal(t, names(rep), streamed, "each check is handed over as it completes")
	assert.Contains(t, check(t, rep, "tls").Detail, "pinned certificate")
	assert.Contains(t, check(t, rep, "login").Detail, "typology webrtc")
	assert.Contains(t, check(t, rep, "stun").Detail, "sees this computer as 127.0.0.1:")
	assert.Contains(t, check(t, rep, "turn").Detail, "relays at 127.0.0.1:")
	echo := check(t, rep, "echo_call")
	assert.Contains(t, echo.Detail, "the tone came back")
	assert.Regexp(t, `MOS [34]\.\d\d`, echo.Detail)
	for _, c := range rep.Checks {
		assert.NotContains(t, c.Detail+c.Advice, pw, "no password in the report")
		assert.Empty(t, c.Advice, "%s passed: no advice", c.Name)
	}
}

func TestDoctorFailures(t *testing.T) {
	turnAddr := startTURN(t)
	url, fp, pw := demoServer(t, []motion.ICEServer{{URLs: []string{"turn:" + turnAddr}, Username: netimpair.Username, Credential: "wrong"}})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadAddr := closed.Addr().String()
	require.NoError(t, closed.Close())
	tests := []struct {
		name   string
		opts   Options
		failed string // the first check that fails
		advice string // a word of its advice
		names  []string
	}{
		{"nothing listens", Options{Server: "https://" + deadAddr, User: "alice", Password: pw}, "tcp", "firewall",
			[]string{"dns", "tcp", "login", "sip"}},
		{"a name that does not resolve", Options{Server: "https://no-such-host.invalid", User: "alice", Password: pw}, "dns", "typos",
			[]string{"dns", "login", "sip"}},
		{"http:// is caught", Options{Server: strings.Replace(url, "https://", "http://", 1), User: "alice", Password: pw}, "tls", "https://127.0.0.1",
			[]string{"dns", "tcp", "tls", "login", "sip"}},
		{"a self-signed certificate nobody trusted", Options{Server: url, User: "alice", Password: pw}, "tls", "--trust-fingerprint " + string(fp),
			[]string{"dns", "tcp", "tls", "login", "sip"}},
		{"a pin that does not match", Options{Server: url, User: "alice", Password: pw, Pin: tlspin.Fingerprint(strings.Repeat("ab", 32))}, "tls", "Do not log in",
			[]string{"dns", "tcp", "tls", "login", "sip"}},
		{"a wrong password", Options{Server: url, User: "alice", Password: "not-" + pw, Pin: fp}, "login", "user name and password",
			[]string{"dns", "tcp", "tls", "login"}},
		{"no login", Options{Server: url, Pin: fp}, "login", "--password-stdin",
			[]string{"dns", "tcp", "tls", "login"}},
		{"a TURN server that refuses the account", Options{Server: url, User: "alice", Password: pw, Pin: fp}, "turn", "TURN",
			[]string{"dns", "tcp", "tls", "login", "sip", "stun", "turn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			rep := Run(ctx, tt.opts)
			assert.False(t, rep.OK)
			assert.Equal(t, tt.names, names(rep))
			var first *Check
			for i := range rep.Checks {
				if !rep.Checks[i].OK {
					first = &rep.Checks[i]
					break
				}
			}
			require.NotNil(t, first)
			assert.Equal(t, tt.failed, first.Name, "%+v", rep.Checks)
			assert.Contains(t, first.Advice, tt.advice)
			for _, c := range rep.Checks {
				assert.NotContains(t, c.Detail+c.Advice, pw)
			}
		})
	}
}

// TestDoctorForASession: while the window is logged in, the doctor reports the session and the
// window's phone as they are, and checks STUN and TURN with the session's ICE servers; it is given
// no user or password to log in with, and leaves the test call out.
func TestDoctorForASession(t *testing.T) {
	turnAddr := startTURN(t)
	url, fp, _ := demoServer(t, nil)
	acc := phone.Account{AOR: "sip:1001@127.0.0.1", WSURL: "wss://127.0.0.1:1/ws", ICEServers: []rtc.ICEServer{
		{URLs: []string{"stun:" + turnAddr}},
		{URLs: []string{"turn:" + turnAddr + "?transport=udp"}, Username: netimpair.Username, Credential: netimpair.Password},
	}}
	tests := []struct {
		name    string
		session Session
		ok      bool
		want    []string
		check   func(t *testing.T, r Report)
	}{
		{"registered", Session{Who: "alice (Alice Agent), typology webrtc", Account: &acc, Registered: true}, true,
			[]string{"dns", "tcp", "tls", "login", "sip", "stun", "turn"}, func(t *testing.T, r Report) {
				assert.Contains(t, check(t, r, "login").Detail, "Logged in as alice (Alice Agent), typology webrtc in this window")
				assert.Contains(t, check(t, r, "login").Detail, "the test call runs from the login screen")
				assert.Contains(t, check(t, r, "sip").Detail, "This window's phone is registered: sip:1001@127.0.0.1")
				assert.Contains(t, check(t, r, "turn").Detail, "relays at 127.0.0.1:")
			}},
		{"not registered", Session{Who: "alice", Account: &acc, Registration: "The SIP server refused the password."}, false,
			[]string{"dns", "tcp", "tls", "login", "sip", "stun", "turn"}, func(t *testing.T, r Report) {
				sip := check(t, r, "sip")
				assert.False(t, sip.OK)
				assert.Contains(t, sip.Detail, "not registered: The SIP server refused the password.")
				assert.Contains(t, sip.Advice, "wss://127.0.0.1:1/ws")
			}},
		{"no softphone", Session{Who: "bob (Bob), typology phone"}, true,
			[]string{"dns", "tcp", "tls", "login"}, func(t *testing.T, r Report) {
				assert.Contains(t, check(t, r, "login").Detail, "this account has no softphone")
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			se := tc.session
			rep := Run(ctx, Options{Server: url, Pin: fp, Session: &se, EchoTarget: "*43", AllowLoopback: true})
			for _, c := range rep.Checks {
				t.Logf("%-10s %v %5d ms %s %s", c.Name, c.OK, c.MS, c.Detail, c.Advice)
			}
			assert.Equal(t, tc.ok, rep.OK)
			assert.Equal(t, tc.want, names(rep))
			tc.check(t, rep)
		})
	}
}
