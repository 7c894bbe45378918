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

// entryFile is the content of the entry of e on this system.
func entryFile(e Entry) []byte { return DesktopEntry(e) }
