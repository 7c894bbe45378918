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

// entryFile is the content of the entry of e on this system.
func entryFile(e Entry) []byte { return LaunchAgent(e) }
