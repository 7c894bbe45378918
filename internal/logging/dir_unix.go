//go:build !windows && !darwin

package logging

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultDir is the Phonebar's log folder: $XDG_STATE_HOME/phonebar/logs, by default
// ~/.local/state/phonebar/logs. Logs are state in the XDG Base Directory sense (kept across
// restarts, not worth backing up), so neither the config folder, which holds the settings, nor the
// cache, which may be wiped at any time.
func DefaultDir() (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(base) { // the specification says to ignore a relative path
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("logging: no home folder: %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "phonebar", "logs"), nil
}
