package motionsim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/motion"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testServer is a started server and a client pinned to its certificate.
type testServer struct {
	srv    *Server
	ep     Endpoint
	client *http.Client
	clock  *fakeClock
}

// startServer starts a server on 127.0.0.1:0 with a fast bcrypt and a fake clock (unless opts sets
// one), closed at the end of the test.
func startServer(t *testing.T, opts Options) *testServer {
	t.Helper()
	ts := &testServer{}
	if opts.Now == nil {
		ts.clock = newFakeClock()
		opts.Now = ts.clock.Now
	}
	if opts.BcryptCost == 0 {
		opts.BcryptCost = bcrypt.MinCost
	}
	srv, err := New(opts)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ep, err := srv.Start(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	ts.srv, ts.ep, ts.client = srv, ep, ep.Client()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, srv.Close())
		ts.client.CloseIdleConnections()
	})
	return ts
}

// call makes one request; body is JSON-encoded unless it is a string or nil.
func (ts *testServer) call(t *testing.T, method, path string, body any, header http.Header) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		rd = strings.NewReader(string(data))
	}
	req, err := http.NewRequest(method, ts.ep.URL+path, rd)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := ts.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, data
}

// login logs in by POST PathAuthLocal and returns the token.
func (ts *testServer) login(t *testing.T, name, password string) motion.LoginResponse {
	t.Helper()
	status, body := ts.call(t, http.MethodPost, motion.PathAuthLocal, motion.LoginRequest{Name: name, Password: password}, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	var lr motion.LoginResponse
	require.NoError(t, json.Unmarshal(body, &lr))
	require.NotEmpty(t, lr.Token)
	return lr
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

func errBody(t *testing.T, data []byte) motion.ErrorBody {
	t.Helper()
	var eb motion.ErrorBody
	require.NoError(t, json.Unmarshal(data, &eb), string(data))
	require.NotEmpty(t, eb.Message, string(data))
	return eb
}

// demoPassword is the seed password of a built-in user.
func demoPassword(t *testing.T, name string) string {
	t.Helper()
	for _, d := range DemoLogins() {
		if d.Name == name {
			return d.Password
		}
	}
	t.Fatalf("no demo user %q", name)
	return ""
}
