//go:build linux

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/phonebar/phonebar/internal/motion"
)

// BenchmarkColdStartToLoginScreen starts the app with a fresh profile until its login screen is drawn
// (the frontend's UIReady call), and samples the resident memory of the whole process tree (WebKit's
// web and network processes included) for two seconds after that.
//
//	make bench BENCH=ColdStart   (or: PHONEBAR_BIN=... .ci/with-services go test -tags webkit2_41 -run '^$' -bench ColdStart ./internal/e2e/)
func BenchmarkColdStartToLoginScreen(b *testing.B) {
	var totalMS, peakKB, pssKB float64
	for b.Loop() {
		home := b.TempDir()
		start := time.Now()
		p := startApp(b, home)
		waitFor(b, "the login screen", 30*time.Second, func() bool { return strings.Contains(p.log.String(), `msg="ui ready"`) })
		totalMS += float64(time.Since(start).Milliseconds())
		peak, peakPSS := 0, 0
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if kb, err := treeRSS(p.cmd.Process.Pid); err == nil && kb > peak {
				peak = kb
			}
			if kb, err := treePSS(p.cmd.Process.Pid); err == nil && kb > peakPSS {
				peakPSS = kb
			}
		}
		peakKB += float64(peak)
		pssKB += float64(peakPSS)
		p.stop()
	}
	b.ReportMetric(totalMS/float64(b.N), "ms-to-login-screen")
	b.ReportMetric(peakKB/float64(b.N)/1024, "MiB-peak-tree-rss")
	b.ReportMetric(pssKB/float64(b.N)/1024, "MiB-peak-tree-pss")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkGlobeToOmniDesktop measures, in the real window, the Ctrl+D press on the logged-in bar to
// the Omni Desktop page served to the agent's authenticated web session (the hand-off done). Between
// rounds the agent logs out (which closes the Omni Desktop and ends its web session) and in again.
func BenchmarkGlobeToOmniDesktop(b *testing.B) {
	d := newDemo(b, motion.TypologyWebRTC)
	p := startApp(b, homeFor(b, d, nil))
	win := p.waitUI(b)

	var totalMS, peakKB float64
	round := 0
	for b.Loop() {
		round++
		key(b, win, "ctrl+a")
		typeText(b, win, d.login.Password)
		key(b, win, "Return")
		waitFor(b, "the Phonebar session", 15*time.Second, func() bool {
			return live(d, d.login.Name, motion.ClientPhonebar) == 1
		})
		p.waitState(b, "the bar drawn", 10*time.Second, func(s uiState) bool { return s.Screen == "home" })
		desk := countDesktop(d, d.login.Name)
		start := time.Now()
		key(b, win, "ctrl+d")
		waitFor(b, "the authenticated Omni Desktop", 30*time.Second, func() bool { return countDesktop(d, d.login.Name) > desk })
		totalMS += float64(time.Since(start).Milliseconds())
		if kb, err := treePSS(p.cmd.Process.Pid); err == nil {
			peakKB += float64(kb)
		}
		p.logout(b, win) // log out: the Omni Desktop closes and logs out too
		waitFor(b, "both sessions to end", 15*time.Second, func() bool {
			return live(d, d.login.Name, motion.ClientPhonebar)+live(d, d.login.Name, motion.ClientWeb) == 0
		})
		p.waitState(b, "the login screen", 10*time.Second, func(s uiState) bool { return s.Screen == "login" && s.Focus != "" })
	}
	b.ReportMetric(totalMS/float64(round), "ms-globe-to-desktop")
	b.ReportMetric(peakKB/float64(round)/1024, "MiB-tree-pss-with-omni")
	b.ReportMetric(0, "ns/op")
}

func live(d *demo, user, client string) int {
	n := 0
	for _, s := range d.sessions(user, client) {
		if s.EndedAt.IsZero() {
			n++
		}
	}
	return n
}

func countDesktop(d *demo, user string) int {
	n := 0
	for _, r := range d.sim.WebRequests() {
		if r.Path == motion.PathWebDesktop && r.User == user {
			n++
		}
	}
	return n
}
