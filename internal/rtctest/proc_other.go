//go:build !linux

package rtctest

import (
	"os"
	"os/exec"
)

var terminate = os.Kill

func setDeathSignal(*exec.Cmd) {}
