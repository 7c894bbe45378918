package logging

import (
	"fmt"
	"os"
	"path/filepath"
)

// FileName is the log file's name inside the log folder.
const FileName = "phonebar.log"

// MaxFileBytes is the size past which OpenFile starts a new log, keeping one previous file
// (FileName + ".1").
const MaxFileBytes = 10 << 20

// OpenFile opens dir/FileName for appending, creating dir (private to the user) when missing. A file
// already MaxFileBytes long is first renamed to FileName.1 (replacing an older one).
func OpenFile(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("logging: log folder: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if st, err := os.Stat(path); err == nil && st.Size() >= MaxFileBytes {
		_ = os.Remove(path + ".1")
		if err := os.Rename(path, path+".1"); err != nil {
			return nil, fmt.Errorf("logging: rotate the log: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("logging: open the log: %w", err)
	}
	return f, nil
}
