//go:build !linux

package rtctest

import (
	"os"
	"os/exec"
	"time"
)

func setDeathSignal(cmd *exec.Cmd) { cmd.WaitDelay = 2 * time.Second }

func signalGroup(cmd *exec.Cmd, _ bool) { _ = cmd.Process.Signal(os.Kill) }
