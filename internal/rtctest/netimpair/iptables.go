package netimpair

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// rule is one iptables rule of the INPUT chain, added by a test and removed at its end.
type rule []string

func iptables(t testing.TB, op string, r rule) {
	t.Helper()
	args := append([]string{op, "INPUT"}, r...)
	if out, err := exec.Command("iptables", args...).CombinedOutput(); err != nil {
		t.Fatalf("iptables %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// install adds rules at the head of INPUT and returns a function that removes them (once; it runs
// at cleanup too) and returns when it did.
func install(t testing.TB, rules ...rule) func() time.Time {
	t.Helper()
	for _, r := range rules {
		iptables(t, "-I", r)
	}
	var once sync.Once
	var at time.Time
	remove := func() time.Time {
		once.Do(func() {
			// The first rule removed lets traffic through: that is when the network is back.
			at = time.Now()
			for _, r := range rules {
				iptables(t, "-D", r)
			}
		})
		return at
	}
	t.Cleanup(func() { remove() })
	return remove
}

// CutTCPPort drops every TCP packet to or from port on this namespace's interfaces (a connection
// that goes silent, as when a Wi-Fi link or a VPN drops: no reset, no close), until the returned
// function is called; it returns the moment it began removing them (the network is back from then
// on). On one machine both ends of a
// connection to the port see the cut.
func CutTCPPort(t testing.TB, port string) (restore func() time.Time) {
	t.Helper()
	return install(t,
		rule{"-p", "tcp", "--dport", port, "-j", "DROP"},
		rule{"-p", "tcp", "--sport", port, "-j", "DROP"},
	)
}

// Loss drops percent % of the UDP packets at random (iptables -m statistic --mode random), until
// the returned function is called. Every UDP packet crosses INPUT once on this machine, so the
// media of a call loses percent % in each direction.
func Loss(t testing.TB, percent float64) (restore func() time.Time) {
	t.Helper()
	if percent <= 0 {
		return func() time.Time { return time.Now() }
	}
	return install(t, rule{"-p", "udp", "-m", "statistic", "--mode", "random",
		"--probability", fmt.Sprintf("%.4f", percent/100), "-j", "DROP"})
}
