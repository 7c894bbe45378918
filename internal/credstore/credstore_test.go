package credstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/testenv"
)

const secret = "S3cret-pass!word"

// exerciseStore runs the Store contract on s.
func exerciseStore(t *testing.T, s Store) {
	ctx := context.Background()
	server := fmt.Sprintf("https://motion-%d.test:8443", time.Now().UnixNano())
	other := server + "0"

	_, err := s.Get(ctx, server, "agent")
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorIs(t, s.Delete(ctx, server, "agent"), ErrNotFound)

	require.NoError(t, s.Set(ctx, server, "agent", secret))
	got, err := s.Get(ctx, server, "agent")
	require.NoError(t, err)
	assert.Equal(t, secret, got)

	// Entries are per server and per user.
	_, err = s.Get(ctx, other, "agent")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = s.Get(ctx, server, "agent2")
	assert.ErrorIs(t, err, ErrNotFound)

	// Replace, with non-ASCII text.
	require.NoError(t, s.Set(ctx, server, "agent", "pässwörd ✓"))
	got, err = s.Get(ctx, server, "agent")
	require.NoError(t, err)
	assert.Equal(t, "pässwörd ✓", got)

	require.NoError(t, s.Delete(ctx, server, "agent"))
	_, err = s.Get(ctx, server, "agent")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestMemory(t *testing.T) {
	m := NewMemory()
	exerciseStore(t, m)
	assert.Equal(t, 2, m.Sets)
	assert.Equal(t, 0, m.Len())

	m.Err = &UnavailableError{Op: "save", Cause: errors.New("locked")}
	assert.ErrorIs(t, m.Set(context.Background(), "s", "u", "p"), ErrUnavailable)
	_, err := m.Get(context.Background(), "s", "u")
	assert.ErrorIs(t, err, ErrUnavailable)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.Err = nil
	assert.ErrorIs(t, m.Set(ctx, "s", "u", "p"), context.Canceled)
}

func TestAccount(t *testing.T) {
	assert.Equal(t, "agent.one@https://motion.example.com", Account("https://motion.example.com", "agent.one"))
}

// TestKeyringRealSecretService runs against the session's Secret Service (gnome-keyring under
// .ci/with-services).
func TestKeyringRealSecretService(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is the Linux keyring")
	}
	testenv.NeedSessionBus(t)
	k := NewKeyring()
	require.NoError(t, k.Probe(context.Background()), "the Secret Service must answer")
	exerciseStore(t, k)
}

// TestKeyringUnavailable runs the keyring in a child process whose session bus address points at a
// socket nobody listens on (the D-Bus connection is cached per process, so it cannot be done here).
func TestKeyringUnavailable(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the D-Bus case is Linux only")
	}
	if os.Getenv("PHONEBAR_CREDSTORE_CHILD") == "1" {
		t.Skip("already the child")
	}
	dead := t.TempDir() + "/dead-bus"
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeyringUnavailableChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "PHONEBAR_CREDSTORE_CHILD=1", "DBUS_SESSION_BUS_ADDRESS=unix:path="+dead)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child failed:\n%s", out)
	assert.Contains(t, string(out), "--- PASS: TestKeyringUnavailableChild")
	assert.NotContains(t, string(out), secret)
}

func TestKeyringUnavailableChild(t *testing.T) {
	if os.Getenv("PHONEBAR_CREDSTORE_CHILD") != "1" {
		t.Skip("run by TestKeyringUnavailable")
	}
	ctx := context.Background()
	k := NewKeyring()
	errs := map[string]error{"probe": k.Probe(ctx), "set": k.Set(ctx, "https://h", "u", secret), "delete": k.Delete(ctx, "https://h", "u")}
	_, errs["get"] = k.Get(ctx, "https://h", "u")
	for name, err := range errs {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, err, ErrUnavailable)
			var ue *UnavailableError
			require.ErrorAs(t, err, &ue)
			assert.Contains(t, err.Error(), "keyring is not available")
			assert.Contains(t, err.Error(), "Secret Service")
			assert.Contains(t, err.Error(), "you can still log in")
			assert.NotContains(t, err.Error(), secret)
		})
	}
}

// fakeBackend plays the OS keyring with chosen errors.
type fakeBackend struct {
	err   error
	block chan struct{}
}

func (f *fakeBackend) wait() {
	if f.block != nil {
		<-f.block
	}
}
func (f *fakeBackend) Get(string, string) (string, error) { f.wait(); return "", f.err }
func (f *fakeBackend) Set(string, string, string) error   { f.wait(); return f.err }
func (f *fakeBackend) Delete(string, string) error        { f.wait(); return f.err }

func TestKeyringClassify(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		is     error
		notMsg string
	}{
		{"not found", errNotFoundFromLib(), ErrNotFound, ""},
		{"too big", errTooBigFromLib(), ErrTooBig, ""},
		{"dbus down", errors.New(`exec: "dbus-launch": executable file not found in $PATH`), ErrUnavailable, ""},
		{"locked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ErrUnavailable, ""},
		{"secret echoed", errors.New("refused value " + secret), ErrUnavailable, secret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := NewKeyringWith(&fakeBackend{err: tt.err})
			err := k.Set(context.Background(), "https://h", "u", secret)
			require.ErrorIs(t, err, tt.is)
			assert.NotContains(t, err.Error(), secret)
			if tt.notMsg != "" {
				assert.Contains(t, err.Error(), "<redacted>")
			}
		})
	}
}

func TestKeyringContextEnds(t *testing.T) {
	// The D-Bus connection of earlier tests is a process-wide cache: not this test's leak.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	fb := &fakeBackend{block: make(chan struct{})}
	k := NewKeyringWith(fb)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := k.Get(ctx, "https://h", "u")
	require.ErrorIs(t, err, ErrTimeout, "a caller's deadline passing is the keyring's timeout")
	var te *TimeoutError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "read", te.Op)

	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	_, err = k.Get(cctx, "https://h", "u")
	assert.ErrorIs(t, err, context.Canceled, "a cancellation is the caller's")
	assert.NotErrorIs(t, err, ErrUnavailable)
	close(fb.block) // lets the abandoned keyring call finish
	require.Eventually(t, func() bool { _, err := k.Get(context.Background(), "https://h", "u"); return err == nil }, 5*time.Second, 5*time.Millisecond)
}

// countingBackend blocks every call until release is closed and counts the calls that reached it.
type countingBackend struct {
	release chan struct{}
	calls   atomic.Int32
}

func (c *countingBackend) Get(string, string) (string, error) {
	c.calls.Add(1)
	<-c.release
	return "", keyringNotFound
}
func (c *countingBackend) Set(string, string, string) error { c.calls.Add(1); <-c.release; return nil }
func (c *countingBackend) Delete(string, string) error      { c.calls.Add(1); <-c.release; return nil }

var keyringNotFound = errNotFoundFromLib()

// TestKeyringTimeoutNoPileUp: a keyring that never answers gives KEYRING_TIMEOUT's error after the
// Keyring's own deadline (no deadline from the caller), and later calls fail at once without
// starting another goroutine, until the hung call returns.
func TestKeyringTimeoutNoPileUp(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	cb := &countingBackend{release: make(chan struct{})}
	k := NewKeyringOptions(KeyringOptions{Backend: cb, Timeout: 100 * time.Millisecond})
	ctx := context.Background()
	_, err := k.Get(ctx, "https://h", "u")
	require.ErrorIs(t, err, ErrTimeout)
	require.ErrorIs(t, err, ErrUnavailable, "a timeout is also 'the keyring cannot be used': the login goes on")
	assert.Contains(t, err.Error(), "did not answer within 100ms")
	assert.Contains(t, err.Error(), "typing your password")

	before := runtime.NumGoroutine()
	for range 50 {
		err := k.Set(ctx, "https://h", "u", secret)
		require.ErrorIs(t, err, ErrTimeout)
		var te *TimeoutError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.Pending)
		assert.NotContains(t, err.Error(), secret)
	}
	assert.Equal(t, int32(1), cb.calls.Load(), "no call reaches the keyring while one hangs")
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "no goroutine piles up")

	close(cb.release)
	require.Eventually(t, func() bool { return k.Probe(ctx) == nil }, 5*time.Second, 5*time.Millisecond,
		"once the hung call returns, the keyring is used again")
}

func TestSizeLimits(t *testing.T) {
	acct := Account("https://motion.example.com:8443", "agent.one")
	macMax := macMaxSecret(Service, acct)
	require.Greater(t, macMax, 2500)
	require.Less(t, macMax, 3100)
	tests := []struct {
		name  string
		check func(string, string, string) error
		size  int
		ok    bool
	}{
		{"windows at limit", checkWindowsSize, WindowsMaxSecret, true},
		{"windows over limit", checkWindowsSize, WindowsMaxSecret + 1, false},
		{"mac at limit", checkMacSize, macMax, true},
		{"mac over limit", checkMacSize, macMax + 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := strings.Repeat("x", tt.size)
			err := tt.check(Service, acct, s)
			if tt.ok {
				assert.NoError(t, err)
				// The command go-keyring would write stays under its limit.
				cmd := fmt.Sprintf("add-generic-password -U -s %s -a %s -w %s\n", Service, acct, "go-keyring-base64:"+b64(s))
				assert.LessOrEqual(t, len(cmd), macMaxCommand)
				return
			}
			require.ErrorIs(t, err, ErrTooBig)
			assert.Contains(t, err.Error(), "too long")
			assert.Contains(t, err.Error(), fmt.Sprint(tt.size))
			assert.NotContains(t, err.Error(), s)
		})
	}
}
