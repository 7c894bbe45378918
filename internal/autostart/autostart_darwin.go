package autostart

import (
	"fmt"
	"os"
)

// Path is where the entry of e lives on this system.
func Path(e Entry) (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("autostart: no home folder: %w", err)
	}
	return DarwinPath(e.ID, home), nil
}

// Enable writes the LaunchAgent of e, replacing one that differs. launchd reads it at the next login.
func Enable(e Entry) error {
	if err := e.check(); err != nil {
		return err
	}
	p, err := Path(e)
	if err != nil {
		return err
	}
	if err := writeFile(p, LaunchAgent(e)); err != nil {
		return &Error{Op: "enable", Where: p, Err: err}
	}
	return nil
}

// Disable removes the LaunchAgent of e; none is fine.
func Disable(e Entry) error {
	p, err := Path(e)
	if err != nil {
		return err
	}
	if err := removeFile(p); err != nil {
		return &Error{Op: "disable", Where: p, Err: err}
	}
	return nil
}

// Enabled says whether the LaunchAgent of e is there as Enable writes it.
func Enabled(e Entry) (bool, error) {
	p, err := Path(e)
	if err != nil {
		return false, err
	}
	return fileHolds(p, LaunchAgent(e))
}
