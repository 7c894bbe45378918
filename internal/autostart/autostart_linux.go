package autostart

import (
	"fmt"
	"os"
)

// Path is where the entry of e lives on this system.
func Path(e Entry) (string, error) {
	home, err := os.UserHomeDir()
	if err != nil && os.Getenv("XDG_CONFIG_HOME") == "" {
		return "", fmt.Errorf("autostart: no home folder: %w", err)
	}
	return LinuxPath(e.ID, os.Getenv("XDG_CONFIG_HOME"), home), nil
}

// Enable writes the XDG autostart entry of e, replacing one that differs.
func Enable(e Entry) error {
	if err := e.check(); err != nil {
		return err
	}
	p, err := Path(e)
	if err != nil {
		return err
	}
	if err := writeFile(p, DesktopEntry(e)); err != nil {
		return &Error{Op: "enable", Where: p, Err: err}
	}
	return nil
}

// Disable removes the autostart entry of e; none is fine.
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

// Enabled says whether the entry of e is there as Enable writes it.
func Enabled(e Entry) (bool, error) {
	p, err := Path(e)
	if err != nil {
		return false, err
	}
	return fileHolds(p, DesktopEntry(e))
}
