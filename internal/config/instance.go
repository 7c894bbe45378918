package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
)

// InstanceFileName is the file next to the settings that keeps this installation's instance ID.
const InstanceFileName = "instance-id"

// InstanceID returns this installation's ID, an RFC 4122 UUID URN ("urn:uuid:..."), made the first
// time it is asked for and kept in InstanceFileName beside the settings file. It is the phone's
// RFC 5626 +sip.instance: the same across connections and restarts, so that after a reconnection or
// a restart the registrar replaces this desk's registration instead of keeping a stale one beside
// it. It identifies the installation, not the user, and is not a secret.
//
// The file is created whole or not at all (a temporary file linked into place), so two processes
// starting at once agree on one ID. A file that holds no UUID (damaged by hand) is replaced by a new
// ID: all it costs is one stale registration that expires.
func (s *Store) InstanceID() (string, error) {
	dir := filepath.Dir(s.path)
	path := filepath.Join(dir, InstanceFileName)
	if id, err := readInstanceID(path); err == nil {
		return id, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		_ = os.Remove(path) // damaged: start again below
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("config: instance ID: %w", err)
	}
	id := uuid.New().URN()
	tmp, err := os.CreateTemp(dir, InstanceFileName+".*")
	if err != nil {
		return "", fmt.Errorf("config: instance ID: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(id + "\n")
	if err := errors.Join(werr, tmp.Sync(), tmp.Close()); err != nil {
		return "", fmt.Errorf("config: instance ID: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("config: instance ID: %w", err)
	}
	// Ours, or the one another process linked first.
	return readInstanceID(path)
}

func readInstanceID(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	u, err := uuid.Parse(strings.TrimSpace(string(b)))
	if err != nil {
		return "", fmt.Errorf("config: %s holds no UUID", path)
	}
	return u.URN(), nil
}
