package rtctest

import (
	"os/exec"
	"syscall"
)

var terminate = syscall.SIGTERM

// setDeathSignal makes the child die with the test binary, so a killed test leaves no server behind.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
