package cli

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/testenv"
)

// BenchmarkCallCPU measures what a call costs the Phonebar as an agent runs it: `phonebar call` in
// a process of its own, logged in to the demo server, its microphone and speaker on PulseAudio,
// calling the demo PBX's echo (*43), so that audio flows both ways through the whole app: devices,
// processing, codec, SRTP, jitter buffer, SIP over WebSocket. The figure is the CPU time of that
// process alone while media flows (its threads' run time from /proc, 5 s from 2 s after it
// registered), in percent of one core; the demo server and its PBX run in this process and are
// not counted. %cpu-pulse is the PulseAudio server's share over the same time, switches/s the
// process's context switches. One op is one call.
//
// Run (on real services): make bench-cpu
func BenchmarkCallCPU(b *testing.B) {
	testenv.NeedPulseAudio(b)
	url, fp, users := startDemoServer(b)
	agent := users["webrtc"]
	require.NotEmpty(b, agent[0])
	for _, codec := range []string{"pcmu", "opus"} {
		for _, proc := range []string{"off", "on"} {
			b.Run(codec+"/processing="+proc, func(b *testing.B) {
				var sum taskUsage
				var pulse time.Duration
				pulseOK := true
				for range b.N {
					u, p, ok := childCallCPU(b, url, fp, agent, codec, proc == "on")
					sum.cpu += u.cpu
					sum.switches += u.switches
					pulse += p
					pulseOK = pulseOK && ok
				}
				secs := callHold.Seconds() * float64(b.N)
				b.ReportMetric(100*sum.cpu.Seconds()/secs, "%cpu/call")
				b.ReportMetric(float64(sum.switches)/secs, "switches/s")
				if pulseOK {
					b.ReportMetric(100*pulse.Seconds()/secs, "%cpu-pulse")
				}
			})
		}
	}
}

// callHold is how long the CPU of a call is measured.
const callHold = 5 * time.Second

func childCallCPU(b *testing.B, url, fp string, agent [2]string, codec string, processing bool) (u taskUsage, pulse time.Duration, pulseOK bool) {
	args := []string{"call", "--server", url, "--user", agent[0], "--password-stdin", "--trust-fingerprint", fp,
		"--to", "*43", "--codec", codec, "--seconds", "8", "--json"}
	if !processing {
		args = append(args, "--no-processing")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdin = strings.NewReader(agent[1] + "\n")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	lines := bufio.NewScanner(out)
	registered := false
	for !registered && lines.Scan() {
		registered = strings.Contains(lines.Text(), `"registered"`)
	}
	require.True(b, registered, "the call never registered")
	time.Sleep(2 * time.Second)
	pid := cmd.Process.Pid
	u0, ok0 := readTaskUsage(pid)
	p0, pok0 := pulseTicks()
	time.Sleep(callHold)
	u1, ok1 := readTaskUsage(pid)
	p1, pok1 := pulseTicks()
	require.True(b, ok0 && ok1, "the call ended before it was measured")
	var last map[string]any
	for lines.Scan() {
		var m map[string]any
		if json.Unmarshal(lines.Bytes(), &m) == nil && m["event"] == "call" {
			last = m
		}
	}
	require.NoError(b, cmd.Wait())
	require.NotNil(b, last, "no call line")
	require.Equal(b, true, last["ok"], "%v", last)
	require.Greater(b, last["rtp_packets_in"], 300.0, "audio came back from the echo")
	return taskUsage{u1.cpu - u0.cpu, u1.switches - u0.switches}, p1 - p0, pok0 && pok1
}

// taskUsage is what a process's threads spent: run time and context switches.
type taskUsage struct {
	cpu      time.Duration
	switches int64
}

// readTaskUsage sums the run time (schedstat, in ns) and the context switches of every thread of
// process pid; ok is false once the process is gone.
func readTaskUsage(pid int) (u taskUsage, ok bool) {
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*")
	if err != nil || len(tasks) == 0 {
		return u, false
	}
	for _, t := range tasks {
		if s, err := os.ReadFile(t + "/schedstat"); err == nil {
			if f := strings.Fields(string(s)); len(f) > 0 {
				ns, _ := strconv.ParseInt(f[0], 10, 64)
				u.cpu += time.Duration(ns)
			}
		}
		st, err := os.ReadFile(t + "/status")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(st), "\n") {
			if k, v, found := strings.Cut(line, ":"); found && strings.HasSuffix(k, "voluntary_ctxt_switches") {
				n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				u.switches += n
			}
		}
	}
	return u, true
}

// pulseTicks is the CPU time of the PulseAudio server of this run (its pid file in
// XDG_RUNTIME_DIR), in clock ticks of 10 ms; ok is false when it cannot be read.
func pulseTicks() (time.Duration, bool) {
	pid, err := os.ReadFile(filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "pulse", "pid"))
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(pid)))
	if err != nil {
		return 0, false
	}
	u, ok := readTaskUsage(n)
	return u.cpu, ok
}
