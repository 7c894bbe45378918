package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

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
// The file is created whole or not at all (a temporary file put in place by placeNew, which never
// replaces one), so two processes starting at once agree on one ID. A file that holds no UUID
// (damaged by hand) is replaced by a new ID: all it costs is one stale registration that expires.
// A file another process holds for a moment (Windows' sharing violations while it is put in
// place) is read again for up to half a second, never taken for a damaged one.
func (s *Store) InstanceID() (string, error) {
	var (
		id  string
		err error
	)
	for range 50 {
		if id, err = s.instanceID(); err == nil || !busyFile(err) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		return "", fmt.Errorf("config: instance ID: %w", err)
	}
	return id, nil
}

func (s *Store) instanceID() (string, error) {
	dir := filepath.Dir(s.path)
	path := filepath.Join(dir, InstanceFileName)
	id, err := readInstanceID(path)
	switch {
	case err == nil:
		return id, nil
	case errors.Is(err, errNoUUID):
		_ = os.Remove(path) // damaged: start again below
	case !errors.Is(err, fs.ErrNotExist):
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, InstanceFileName+".*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(uuid.New().URN() + "\n")
	if err := errors.Join(werr, tmp.Sync(), tmp.Close()); err != nil {
		return "", err
	}
	if err := placeNew(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	// Ours, or the one another process placed first.
	return readInstanceID(path)
}

// errNoUUID is a damaged instance ID file's error.
var errNoUUID = errors.New("holds no UUID")

func readInstanceID(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	u, err := uuid.Parse(strings.TrimSpace(string(b)))
	if err != nil {
		return "", fmt.Errorf("%s %w", path, errNoUUID)
	}
	return u.URN(), nil
}
