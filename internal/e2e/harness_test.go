//go:build linux

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/testenv"
)

// shotsDir is where screenshots go: PHONEBAR_SHOTS if set (to keep them), else a temp dir.
func shotsDir(t testing.TB) string {
	if d := os.Getenv("PHONEBAR_SHOTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

// binary returns the built app, or stops the test.
func binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("PHONEBAR_BIN")
	testenv.Need(t, bin != "", "the built app (PHONEBAR_BIN, set by `make test`)")
	_, err := os.Stat(bin)
	require.NoError(t, err, "PHONEBAR_BIN=%s", bin)
	return bin
}

// appProc is one running Phonebar with its own config dir.
type appProc struct {
	t      testing.TB
	cmd    *exec.Cmd
	log    *syncBuffer
	done   chan struct{}
	config string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startApp starts the binary in the test's display with configHome as XDG_CONFIG_HOME.
func startApp(t testing.TB, configHome string, args ...string) *appProc {
	t.Helper()
	testenv.NeedDisplay(t)
	testenv.NeedCommand(t, "xdotool")
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+configHome)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &appProc{t: t, cmd: cmd, log: &syncBuffer{}, done: make(chan struct{}), config: configHome}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	require.NoError(t, cmd.Start())
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("app log:\n%s", p.log.String())
		}
	})
	return p
}

// stop ends the app and every process it started (the Omni window, WebKit's helpers).
func (p *appProc) stop() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// xdo runs xdotool and returns its trimmed output.
func xdo(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("xdotool", args...).CombinedOutput()
	require.NoError(t, err, "xdotool %s: %s", strings.Join(args, " "), out)
	return strings.TrimSpace(string(out))
}

// waitWindow waits for a visible window whose name matches the regexp and returns its id.
func waitWindow(t testing.TB, name string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", name).Output()
		if err == nil {
			if ids := strings.Fields(string(out)); len(ids) > 0 {
				return ids[len(ids)-1]
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no window named %q within %s", name, timeout)
	return ""
}

// typeText focuses the window and types into its focused widget, as real key presses (XTEST):
// GTK ignores events sent to a window directly.
func typeText(t testing.TB, win, text string) {
	t.Helper()
	xdo(t, "windowfocus", "--sync", win)
	xdo(t, "type", "--delay", "15", text)
}

// key focuses the window and presses keys (xdotool names: Tab, Return, ctrl+d).
func key(t testing.TB, win string, keys ...string) {
	t.Helper()
	xdo(t, "windowfocus", "--sync", win)
	xdo(t, append([]string{"key", "--delay", "40"}, keys...)...)
}

// screenshot saves the whole screen as name.png and returns the path.
func screenshot(t testing.TB, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name+".png")
	out, err := exec.Command("import", "-window", "root", path).CombinedOutput()
	require.NoError(t, err, "import: %s", out)
	t.Logf("screenshot %s", path)
	return path
}

// treeRSS returns the resident memory, in KiB, of pid and every process below it (shared pages are
// counted in every process that maps them).
func treeRSS(pid int) (int, error) {
	total := 0
	for _, p := range treePids(pid) {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
				total += kb
			}
		}
	}
	return total, nil
}

// treePSS returns the proportional set size, in KiB, of pid and every process below it: shared pages
// (the WebKit and GTK libraries mapped by every process) are counted once across the tree, so this is
// the figure that says what the app costs the machine.
func treePSS(pid int) (int, error) {
	total := 0
	for _, p := range treePids(pid) {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "smaps_rollup"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "Pss:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
				total += kb
			}
		}
	}
	return total, nil
}

// treePids returns pid and its descendants.
func treePids(pid int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// stat: pid (comm) state ppid ...; comm may hold spaces, so split after the last ')'.
		i := strings.LastIndexByte(string(b), ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 {
			ppid, _ := strconv.Atoi(f[1])
			children[ppid] = append(children[ppid], p)
		}
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		if cond() {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// logout opens the bar's menu (F10: "Log out" focused, whatever has the focus and whatever the
// agent's typology shows) and presses "Log out"; forget goes one item down to "Log out and forget
// me". Each step waits for the focus the window publishes.
func (p *appProc) logout(t testing.TB, win string) {
	t.Helper()
	key(t, win, "F10")
	p.waitState(t, "the menu's Log out focused", 10*time.Second, func(s uiState) bool { return s.Focus == "logout" })
	key(t, win, "Return")
}

func (p *appProc) forget(t testing.TB, win string) {
	t.Helper()
	key(t, win, "F10")
	p.waitState(t, "the menu's Log out focused", 10*time.Second, func(s uiState) bool { return s.Focus == "logout" })
	key(t, win, "Down")
	p.waitState(t, "the menu's Log out and forget me focused", 10*time.Second, func(s uiState) bool { return s.Focus == "forget" })
	key(t, win, "Return")
}

// micCheck opens the settings (Ctrl+,: the microphone list focused) and presses "Check".
func (p *appProc) micCheck(t testing.TB, win string) {
	t.Helper()
	key(t, win, "ctrl+comma")
	p.waitState(t, "the settings with the microphone list focused", 10*time.Second, func(s uiState) bool { return s.Focus == "mic-select" })
	p.press(t, win, "mic-check", "Return")
}

// waitUI waits for the app's first screen: the window is mapped and the frontend has drawn its first
// view (its UIReady call is logged), so typed keys reach the form.
func (p *appProc) waitUI(t testing.TB) string {
	t.Helper()
	win := waitWindow(t, "^Phonebar$", 20*time.Second)
	// The first screen is drawn and a field has the focus, so typed keys reach the form.
	p.waitState(t, "the first screen with a focused field", 20*time.Second, func(s uiState) bool { return s.Screen != "" && s.Focus != "" })
	return win
}
