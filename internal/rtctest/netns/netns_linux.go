package netns

import (
	"os/exec"
	"syscall"
)

const supported = true

// start puts the process in a new network namespace and kills it with the test binary.
func start(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
}
