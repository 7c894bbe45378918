package policy

import (
	"os"
	"path/filepath"
)

// Path is the system's policy file: %ProgramData%\Phonebar\policy.json (writable by administrators
// only).
func Path() string {
	dir := os.Getenv("ProgramData")
	if dir == "" {
		dir = `C:\ProgramData`
	}
	return filepath.Join(dir, "Phonebar", "policy.json")
}
