package rtctest

import (
	"os/exec"
	"syscall"
	"time"
)

// setDeathSignal puts the server in its own process group (so Stop reaches its forked children
// too) and makes it die with the test binary, so a killed test leaves no server behind.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Children that outlive the main process keep the log pipe open; do not wait on them forever.
	cmd.WaitDelay = 2 * time.Second
}

// signalGroup sends sig to the server's whole process group.
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
