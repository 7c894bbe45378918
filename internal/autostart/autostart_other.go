//go:build !linux && !darwin && !windows

package autostart

import (
	"fmt"
	"runtime"
)

// Path has no answer on this system.
func Path(Entry) (string, error) { return "", unsupported() }

// Enable is not supported on this system.
func Enable(Entry) error { return unsupported() }

// Disable is not supported on this system.
func Disable(Entry) error { return unsupported() }

// Enabled is not supported on this system.
func Enabled(Entry) (bool, error) { return false, unsupported() }

func unsupported() error { return fmt.Errorf("%w (%s)", ErrUnsupported, runtime.GOOS) }
