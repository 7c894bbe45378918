package netimpair

import (
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// rule is one iptables rule of the INPUT chain, added by a test and removed at its end; one that
// starts with "-6" is an ip6tables rule.
type rule []string

func iptables(t testing.TB, op string, r rule) {
	t.Helper()
	bin := "iptables"
	if len(r) > 0 && r[0] == "-6" {
		bin, r = "ip6tables", r[1:]
	}
	args := append([]string{op, "INPUT"}, r...)
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
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

// BlockUDP drops every UDP packet from or to the addresses of prefixes (IPv4 or IPv6), until the
// returned function is called: media that cannot take those addresses, as when the far end is on
// another machine and loopback leads nowhere. Signalling over TCP is not touched.
func BlockUDP(t testing.TB, prefixes ...netip.Prefix) (restore func() time.Time) {
	t.Helper()
	var rules []rule
	for _, p := range prefixes {
		var r []string
		if !p.Addr().Is4() {
			r = append(r, "-6")
		}
		rules = append(rules,
			append(slices.Clone(r), "-p", "udp", "-s", p.String(), "-j", "DROP"),
			append(slices.Clone(r), "-p", "udp", "-d", p.String(), "-j", "DROP"))
	}
	return install(t, rules...)
}

// ResetTCPPort kills every TCP connection to or from port in this namespace at once (ss -K: each
// end's socket is destroyed and the other end gets a reset), as when a NAT router or a VPN
// forgets its connections: both ends see their connection end and must make new ones. Run it only
// in a network namespace of the test's own (netns.Isolate): elsewhere it would cut other
// programs' connections too.
func ResetTCPPort(t testing.TB, port string) {
	t.Helper()
	filter := fmt.Sprintf("dport = :%s or sport = :%s", port, port)
	out, err := exec.Command("ss", "-K", "-t", "-n", filter).CombinedOutput()
	if err != nil {
		t.Fatalf("ss -K %s: %v\n%s", filter, err, out)
	}
	t.Logf("connections reset (ss -K %s):\n%s", filter, out)
}
