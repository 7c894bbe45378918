package logging

import (
	"errors"
	"os"
	"path/filepath"
)

// DefaultDir is the Phonebar's log folder: %LOCALAPPDATA%\phonebar\logs. Logs stay on this computer
// (Local, not the Roaming profile that follows the user, where the settings live). Windows names are
// not case-sensitive: this is the folder the installer's documentation calls %LOCALAPPDATA%\Phonebar\logs.
func DefaultDir() (string, error) {
	base := os.Getenv("LOCALAPPDATA")
	if base == "" {
		return "", errors.New("logging: %LOCALAPPDATA% is not set")
	}
	return filepath.Join(base, "phonebar", "logs"), nil
}
