package agent

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
)

const (
	server   = "https://motion.test:8443"
	password = "Pw-known-S3cret!"
)

// fakeClient plays a Motion client. Login accepts password unless loginErr is set.
type fakeClient struct {
	mu        sync.Mutex
	opts      motion.Options
	loginErr  error
	loginResp motion.LoginResponse
	whoami    motion.User
	whoamiErr error
	logoutErr error
	changeErr error
	logins    []motion.LoginRequest
	logouts   int
	changes   int
	dial      func(ctx context.Context) (Realtime, error)
	dials     int
	forgot    []string
	loggedIn  bool
	phones    []motion.Phone
	providers []string
	// status is the agent's status; pauseTypes the server's pause types.
	status     motion.AgentStatus
	pauseTypes []motion.PauseType
	// line is the last SetLine.
	line string
}

func (f *fakeClient) Login(_ context.Context, req motion.LoginRequest) (motion.LoginResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logins = append(f.logins, req)
	if f.loginErr != nil {
		return motion.LoginResponse{}, f.loginErr
	}
	if req.Password != password {
		return motion.LoginResponse{}, &motion.APIError{Op: "login", Status: 401, Code: motion.CodeInvalidCredentials, Message: "Invalid credentials"}
	}
	f.loggedIn = true
	r := f.loginResp
	r.Token = "tok"
	if r.User.Name == "" {
		r.User = motion.User{Name: req.Name}
	}
	return r, nil
}

func (f *fakeClient) Whoami(context.Context) (motion.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.whoamiErr != nil {
		return motion.User{}, f.whoamiErr
	}
	w := f.whoami
	if w.Name == "" {
		w = motion.User{ID: 3, Name: "agent", Fullname: "Agent Three", Role: motion.RoleAgent, Typology: motion.TypologyWebRTC,
			SIP: &motion.SIPAccount{Username: "1003", Password: "sip-secret", Domain: "motion.test"}}
	}
	return w, nil
}

func (f *fakeClient) Logout(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logouts++
	f.loggedIn = false
	return f.logoutErr
}

func (f *fakeClient) ChangePassword(context.Context, string, string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changes++
	return f.changeErr
}

func (f *fakeClient) ForgotPassword(_ context.Context, email string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forgot = append(f.forgot, email)
	return nil
}

func (f *fakeClient) DialRealtime(ctx context.Context) (Realtime, error) {
	f.mu.Lock()
	f.dials++
	dial := f.dial
	f.mu.Unlock()
	if dial == nil {
		return newFakeRealtime(motion.Event{Type: motion.EventHello, HeartbeatMS: 1000}), nil
	}
	return dial(ctx)
}

func (f *fakeClient) CloseIdleConnections() {}

func (f *fakeClient) dialCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dials
}

// fakeRealtime returns its events, then blocks until closed or fail is called.
type fakeRealtime struct {
	events chan motion.Event
	failc  chan error
	closed chan struct{}
	once   sync.Once
}

func newFakeRealtime(evs ...motion.Event) *fakeRealtime {
	r := &fakeRealtime{events: make(chan motion.Event, 16), failc: make(chan error, 1), closed: make(chan struct{})}
	for _, e := range evs {
		r.events <- e
	}
	return r
}

func (r *fakeRealtime) Next(ctx context.Context) (motion.Event, error) {
	select {
	case ev := <-r.events:
		return ev, nil
	default:
	}
	select {
	case ev := <-r.events:
		return ev, nil
	case err := <-r.failc:
		return motion.Event{}, err
	case <-r.closed:
		return motion.Event{}, motion.ErrRealtimeClosed
	case <-ctx.Done():
		return motion.Event{}, ctx.Err()
	}
}

func (r *fakeRealtime) Close() error { r.once.Do(func() { close(r.closed) }); return nil }

func (r *fakeRealtime) isClosed() bool {
	select {
	case <-r.closed:
		return true
	default:
		return false
	}
}

// rig is a session over fakes, with a real settings file in a temporary folder.
type rig struct {
	s       *Session
	client  *fakeClient
	creds   *credstore.Memory
	cfg     *config.Store
	mu      sync.Mutex
	changes []Change
	clients int
	opts    []motion.Options
}

func newRig(t *testing.T, mod func(*Deps)) *rig {
	t.Helper()
	r := &rig{client: &fakeClient{}, creds: credstore.NewMemory(), cfg: config.NewStore(filepath.Join(t.TempDir(), "phonebar", "settings.json"))}
	d := Deps{
		NewClient: func(o motion.Options) (Client, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.clients++
			r.opts = append(r.opts, o)
			return r.client, nil
		},
		Creds:   r.creds,
		Config:  r.cfg,
		Backoff: Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond},
		OnChange: func(c Change) {
			r.mu.Lock()
			r.changes = append(r.changes, c)
			r.mu.Unlock()
		},
	}
	if mod != nil {
		mod(&d)
	}
	s, err := New(d)
	require.NoError(t, err)
	r.s = s
	t.Cleanup(func() { _ = s.Close() })
	return r
}

func (r *rig) states() []State {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []State{}
	for _, c := range r.changes {
		out = append(out, c.To)
	}
	return out
}

func (r *rig) lastChange() Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.changes) == 0 {
		return Change{}
	}
	return r.changes[len(r.changes)-1]
}

// waitState waits until the session is in want.
func waitState(t *testing.T, s *Session, want State) {
	t.Helper()
	require.Eventually(t, func() bool { return s.State() == want }, 5*time.Second, time.Millisecond,
		"state stays %s, want %s", s.State(), want)
}

var errNet = errors.New("network down")

func (f *fakeClient) PhonesFor(_ context.Context, name, pw string) (motion.PhoneList, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if pw != password {
		return motion.PhoneList{}, &motion.APIError{Op: "the phone list", Status: 401, Code: motion.CodeUnauthorized}
	}
	return motion.PhoneList{Count: len(f.phones), Rows: f.phones}, nil
}

func (f *fakeClient) Providers(context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.providers, nil
}

// The fake has no provider sign-in: sim_test.go covers it against the demo server.
func (f *fakeClient) LoginSSO(context.Context, motion.SSOLoginRequest) (motion.LoginResponse, error) {
	return motion.LoginResponse{}, &motion.APIError{Op: "login", Status: 401, Code: motion.CodeInvalidCredentials, Message: "no sign-in in the fake"}
}

func (f *fakeClient) PhonesForCode(context.Context, string) (motion.PhoneList, error) {
	return motion.PhoneList{}, nil
}

func (f *fakeClient) WebCode(context.Context) (string, error) { return "", motion.ErrNotLoggedIn }

func (f *fakeClient) SetStatus(_ context.Context, req motion.AgentStatusRequest) (motion.AgentStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = motion.AgentStatus{Ready: req.Ready}
	for _, pt := range f.pauseTypes {
		if pt.ID == req.PauseTypeID {
			f.status.PauseType = &pt
		}
	}
	return f.status, nil
}

func (f *fakeClient) SetLine(_ context.Context, line string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.line = line
	return nil
}

func (f *fakeClient) Status(context.Context) (motion.AgentStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status, nil
}

func (f *fakeClient) PauseTypes(context.Context) ([]motion.PauseType, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pauseTypes, nil
}
