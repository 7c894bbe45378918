package credstore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/testenv"
)

// childEnv is set in the test binary's children: it names the child test's case.
const childEnv = "PHONEBAR_CREDSTORE_CHILD"

// runChild runs the test named run in a child process of this test binary with env added.
func runChild(t *testing.T, run string, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+run+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child failed:\n%s", out)
	require.Contains(t, string(out), "--- PASS: "+run, "the child test ran:\n%s", out)
	return string(out)
}

// privateSecretService starts a D-Bus session bus and an unlocked gnome-keyring Secret Service on
// it, both private to the test and stopped at its end, and returns the bus address and the keyring
// daemon's process ID.
func privateSecretService(t *testing.T) (string, int) {
	t.Helper()
	dbusDaemon := testenv.NeedCommand(t, "dbus-daemon")
	gkd := testenv.NeedCommand(t, "gnome-keyring-daemon")
	dir := t.TempDir()
	addr := "unix:path=" + filepath.Join(dir, "bus")
	bus := exec.Command(dbusDaemon, "--session", "--nofork", "--print-address=1", "--address="+addr)
	stdout, err := bus.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, bus.Start())
	t.Cleanup(func() { _ = bus.Process.Kill(); _ = bus.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "dbus-daemon prints its address once it listens")
	require.True(t, strings.HasPrefix(line, addr), "bus address %q", line)

	home := filepath.Join(dir, "home")
	require.NoError(t, os.MkdirAll(home, 0o700))
	kr := exec.Command(gkd, "--foreground", "--unlock", "--components=secrets")
	kr.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_RUNTIME_DIR="+dir, "DBUS_SESSION_BUS_ADDRESS="+addr)
	kr.Stdin = strings.NewReader("private-test-keyring")
	require.NoError(t, kr.Start())
	t.Cleanup(func() {
		_ = kr.Process.Signal(syscall.SIGCONT)
		_ = kr.Process.Kill()
		_ = kr.Wait()
	})
	return addr, kr.Process.Pid
}

// TestKeyringFrozenSecretService stops a real gnome-keyring daemon with SIGSTOP: the keyring call
// ends with a *TimeoutError at the deadline, repeated calls start no goroutine while it hangs, and
// the keyring works again once the daemon runs on.
func TestKeyringFrozenSecretService(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("already the child")
	}
	addr, pid := privateSecretService(t)
	out := runChild(t, "TestKeyringFrozenChild", childEnv+"=frozen", "DBUS_SESSION_BUS_ADDRESS="+addr,
		"PHONEBAR_KEYRING_PID="+strconv.Itoa(pid))
	t.Log(out)
}

func TestKeyringFrozenChild(t *testing.T) {
	if os.Getenv(childEnv) != "frozen" {
		t.Skip("run by TestKeyringFrozenSecretService")
	}
	pid, err := strconv.Atoi(os.Getenv("PHONEBAR_KEYRING_PID"))
	require.NoError(t, err)
	const timeout = 500 * time.Millisecond
	k := NewKeyringOptions(KeyringOptions{Timeout: timeout})
	ctx := context.Background()
	// The daemon takes the Secret Service name a moment after it starts.
	require.Eventually(t, func() bool { return k.Probe(ctx) == nil }, 20*time.Second, 50*time.Millisecond,
		"the private Secret Service answers")
	require.NoError(t, k.Set(ctx, "https://frozen.test", "agent", secret))
	// The D-Bus connection stays open for the process: not a leak of the frozen calls.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	require.NoError(t, syscall.Kill(pid, syscall.SIGSTOP))
	defer syscall.Kill(pid, syscall.SIGCONT)

	start := time.Now()
	_, err = k.Get(ctx, "https://frozen.test", "agent")
	took := time.Since(start)
	require.ErrorIs(t, err, ErrTimeout)
	assert.ErrorIs(t, err, ErrUnavailable)
	assert.GreaterOrEqual(t, took, timeout, "the deadline, not an earlier failure")
	assert.Less(t, took, 10*time.Second, "the deadline fires, the call does not hang")
	t.Logf("frozen keyring: Get returned after %s: %v", took.Round(time.Millisecond), err)

	before := runtime.NumGoroutine()
	for range 100 {
		_, err := k.Get(ctx, "https://frozen.test", "agent")
		var te *TimeoutError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.Pending, "sent nowhere while the first call hangs")
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "no goroutine pile-up over 100 calls")

	require.NoError(t, syscall.Kill(pid, syscall.SIGCONT))
	var got string
	require.Eventually(t, func() bool {
		got, err = k.Get(ctx, "https://frozen.test", "agent")
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "the keyring answers again once the daemon runs")
	assert.Equal(t, secret, got)
	require.NoError(t, k.Delete(ctx, "https://frozen.test", "agent"))
}

// markedProcesses lists the processes whose environment holds marker, with their command names.
func markedProcesses(t *testing.T, marker string) map[int]string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	require.NoError(t, err)
	found := map[int]string{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil || !bytes.Contains(env, []byte(marker)) {
			continue
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		found[pid] = strings.TrimSpace(string(comm))
	}
	return found
}

// TestKeyringNoBusStartsNothing runs keyring calls in a child process with no session bus in its
// environment, and looks for any process left behind that inherited the child's environment (a
// dbus-daemon from dbus-launch, a gnome-keyring-daemon it activated). The control case calls the
// keyring library directly, without the check, and must find them: the search works.
func TestKeyringNoBusStartsNothing(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("already the child")
	}
	tests := []struct {
		name      string
		child     string
		wantProcs bool
	}{
		{"keyring", "nobus", false},
		{"control: the library alone autolaunches", "nobus-raw", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantProcs {
				testenv.NeedCommand(t, "dbus-launch")
			}
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			marker := "PHONEBAR_NOBUS_MARK=" + hex.EncodeToString(b)
			env := []string{childEnv + "=" + tt.child, marker, "XDG_RUNTIME_DIR=" + t.TempDir(), "DISPLAY=", "WAYLAND_DISPLAY="}
			// No session bus at all: not in the environment, none to discover.
			cmd := exec.Command(os.Args[0], "-test.run=^TestKeyringNoBusChild$", "-test.v", "-test.count=1")
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, env...)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "child failed:\n%s", out)
			require.Contains(t, string(out), "--- PASS: TestKeyringNoBusChild", "%s", out)
			procs := markedProcesses(t, marker)
			t.Logf("processes carrying the child's environment: %v", procs)
			for pid := range procs {
				_ = syscall.Kill(pid, syscall.SIGTERM) // never leave them running, even on failure
			}
			if tt.wantProcs {
				assert.NotEmpty(t, procs, "the control case starts a bus: the search finds what it looks for")
				return
			}
			assert.Empty(t, procs, "processes left behind by a keyring call without a session bus")
		})
	}
}

func TestKeyringNoBusChild(t *testing.T) {
	mode := os.Getenv(childEnv)
	if mode != "nobus" && mode != "nobus-raw" {
		t.Skip("run by TestKeyringNoBusStartsNothing")
	}
	require.Empty(t, os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	ctx := context.Background()
	if mode == "nobus-raw" {
		_, _ = osBackend{}.Get(Service, "probe@https://phonebar.invalid")
		return
	}
	k := NewKeyring()
	errs := map[string]error{"probe": k.Probe(ctx), "set": k.Set(ctx, "https://h", "u", secret), "delete": k.Delete(ctx, "https://h", "u")}
	_, errs["get"] = k.Get(ctx, "https://h", "u")
	for name, err := range errs {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, err, ErrUnavailable)
			assert.NotErrorIs(t, err, ErrTimeout)
			assert.Contains(t, err.Error(), "no D-Bus session bus")
			assert.Contains(t, err.Error(), "dbus-run-session")
			assert.NotContains(t, err.Error(), secret)
		})
	}
}
