package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/cli"
	"github.com/phonebar/phonebar/internal/testenv"
)

func runArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// TestUnknownCommand: a word that names no command says so, lists the commands and exits 2; it
// never opens the window.
func TestUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"logn", "--server", "x"}, {"Login"}} {
		code, _, errOut := runArgs(args...)
		assert.Equal(t, 2, code, "%v", args)
		assert.Contains(t, errOut, `unknown command "`+args[0]+`"`)
		for _, c := range []string{"login", "call", "answer", "mic-check", "demo-server", "version"} {
			assert.Contains(t, errOut, "  "+c+" ", "the list of commands")
		}
	}
	code, _, errOut := runArgs("--demo", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unexpected argument "extra"`)
}

// TestNoDesktop: without a display the window is not tried; the message says why and lists the
// headless commands, and the exit status is not 0.
func TestNoDesktop(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the display check is Linux only")
	}
	tests := []struct {
		name, display, wayland, want string
	}{
		{"nothing set", "", "", "no display is set"},
		{"X display nobody serves", ":987", "", `the X display ":987" does not answer`},
		{"Wayland display nobody serves", "", "wayland-87", `the Wayland display "wayland-87" does not answer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DISPLAY", tt.display)
			t.Setenv("WAYLAND_DISPLAY", tt.wayland)
			t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
			code, out, errOut := runArgs()
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, "the window needs a desktop session")
			assert.Contains(t, errOut, tt.want)
			assert.Contains(t, errOut, "these commands run headless")
			assert.Contains(t, errOut, "  login ")
			assert.NotContains(t, errOut, "goroutine", "no stack trace")
		})
	}
}

// TestDesktopFound: an X server that answers (the test's Xvfb) passes the check.
func TestDesktopFound(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the display check is Linux only")
	}
	testenv.NeedDisplay(t)
	d := os.Getenv("DISPLAY")
	assert.Empty(t, desktopProblem(), "DISPLAY=%s", d)
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(t.TempDir(), "none"))
	assert.Empty(t, desktopProblem())
}

// TestGoVersionAgrees: the README and .ci/deps ask for the Go version go.mod names.
func TestGoVersionAgrees(t *testing.T) {
	mod, err := os.ReadFile("go.mod")
	assert.NoError(t, err)
	var want string
	for _, line := range strings.Split(string(mod), "\n") {
		if v, ok := strings.CutPrefix(line, "go "); ok {
			want = strings.TrimSpace(v)
		}
	}
	assert.NotEmpty(t, want)
	readme, err := os.ReadFile("README.md")
	assert.NoError(t, err)
	assert.Contains(t, string(readme), "Prerequisites: Go "+want+" or newer")
	deps, err := os.ReadFile(filepath.Join(".ci", "deps"))
	assert.NoError(t, err)
	assert.Contains(t, string(deps), `"Go $go_want or newer is needed`, ".ci/deps reads go.mod")
	assert.NotContains(t, string(deps), "Go 1.", "no version written by hand")
}
