package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leftBehind lists the processes (pid: command) whose environment holds PHONEBAR_TEST_ENV=dir: the
// ones a .ci/with-services run started.
func leftBehind(t *testing.T, dir string) map[int]string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	require.NoError(t, err)
	want := []byte("\x00PHONEBAR_TEST_ENV=" + dir + "\x00")
	found := map[int]string{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(append([]byte{0}, env...), want) {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + e.Name() + "/comm")
		found[pid] = strings.TrimSpace(string(comm))
	}
	return found
}

// TestWithServicesLeavesNothing runs .ci/with-services twice and checks that each run's Xvfb,
// D-Bus, keyring and PulseAudio processes and its temporary folder are gone afterwards, and that
// the command's exit status comes through.
func TestWithServicesLeavesNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip(".ci/with-services is the Linux CI's")
	}
	for _, c := range []string{"Xvfb", "dbus-run-session", "gnome-keyring-daemon", "pulseaudio", "pactl"} {
		NeedCommand(t, c)
	}
	script, err := filepath.Abs(filepath.Join("..", "..", ".ci", "with-services"))
	require.NoError(t, err)
	for run := range 2 {
		cmd := exec.Command(script, "sh", "-c", `echo "$PHONEBAR_TEST_ENV"; pactl info >/dev/null && echo pulse; exit 3`)
		// A run of its own, even inside `make test`'s.
		cmd.Env = append(os.Environ(), "PHONEBAR_USE_DISPLAY=0")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "run %d: %s", run, errb.String())
		assert.Equal(t, 3, ee.ExitCode(), "the command's exit status comes through")
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		require.Len(t, lines, 2, "run %d: %q %s", run, out.String(), errb.String())
		dir := lines[0]
		require.True(t, strings.HasPrefix(dir, os.TempDir()), "the run's folder: %q", dir)
		assert.Equal(t, "pulse", lines[1], "the services were up during the run")
		_, err = os.Stat(dir)
		assert.True(t, os.IsNotExist(err), "run %d left its folder %s", run, dir)
		assert.Empty(t, leftBehind(t, dir), "run %d left processes behind", run)
	}
}
