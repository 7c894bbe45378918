package logging

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultDir is the Phonebar's log folder: ~/Library/Logs/Phonebar, where Console.app looks.
func DefaultDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("logging: no home folder: %w", err)
	}
	return filepath.Join(home, "Library", "Logs", "Phonebar"), nil
}
