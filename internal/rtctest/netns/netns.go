package netns

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/phonebar/phonebar/internal/testenv"
)

// childEnv names, in the re-run process, the test it was started for.
const childEnv = "PHONEBAR_NETNS_TEST"

// Inside reports whether this process runs a test that Isolate moved into its own namespace.
func Inside() bool { return os.Getenv(childEnv) != "" }

// Isolate runs the calling top-level test in a network namespace of its own, in which only the
// loopback interface is up, and reports whether the caller is that run: true inside the namespace,
// where the test goes on; false in the calling process, after the run inside ended (its output is
// copied to t's log, its failure fails t, its skip skips t), where the test returns at once:
//
//	if !netns.Isolate(t) {
//		return
//	}
//
// timeout bounds the run inside; past it the process is killed and t fails.
func Isolate(t *testing.T, timeout time.Duration) bool {
	t.Helper()
	if strings.Contains(t.Name(), "/") {
		t.Fatalf("netns.Isolate is for top-level tests; %s is a subtest", t.Name())
	}
	if os.Getenv(childEnv) == t.Name() {
		Run(t, "ip", "link", "set", "lo", "up")
		return true
	}
	need(t)
	args := []string{
		"-test.run=^" + regexp.QuoteMeta(t.Name()) + "$", "-test.count=1", "-test.v",
		fmt.Sprintf("-test.timeout=%s", timeout),
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start(cmd)
	err := cmd.Run()
	t.Logf("run inside a network namespace of its own (%s):\n%s", args[0], out.String())
	switch {
	case strings.Contains(out.String(), "--- SKIP: "+t.Name()+" "):
		t.Skip("skipped inside the namespace (see above)")
	case err != nil:
		t.Fatalf("%s failed inside its network namespace: %v", t.Name(), err)
	case !strings.Contains(out.String(), "--- PASS: "+t.Name()+" "):
		t.Fatalf("%s did not run inside its network namespace", t.Name())
	}
	return false
}

// Run runs a command (ip, iptables) and fails the test when it fails.
func Run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func need(t *testing.T) {
	t.Helper()
	testenv.Need(t, supported, "Linux network namespaces")
	testenv.Need(t, os.Geteuid() == 0, "root, to make network namespaces")
	testenv.NeedCommand(t, "ip")
	testenv.NeedCommand(t, "iptables")
}
