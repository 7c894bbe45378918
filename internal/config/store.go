package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// FileName is the settings file's name inside Dir.
const FileName = "settings.json"

// DirName is the Phonebar's folder inside the user's config directory.
const DirName = "phonebar"

// DefaultPath returns os.UserConfigDir()/phonebar/settings.json.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user's config directory: %w", err)
	}
	return filepath.Join(dir, DirName, FileName), nil
}

// Store reads and writes one settings file. Its methods are safe for concurrent use within the
// process; writes are atomic (a temporary file renamed over the old one), so a crash never leaves a
// half-written file.
type Store struct {
	path string
	mu   sync.Mutex
}

// NewStore returns a Store for the file at path (usually DefaultPath()). Nothing is read yet.
func NewStore(path string) *Store { return &Store{path: path} }

// Path is the settings file.
func (s *Store) Path() string { return s.path }

// BackupPath is where Recover keeps a damaged file.
func (s *Store) BackupPath() string { return s.path + ".bak" }

// Load reads the settings, with defaults filled in. A missing file gives Default() and no error. A
// file that cannot be parsed or fails validation gives a *CorruptError (errors.Is ErrCorrupt); the
// file is left untouched.
func (s *Store) Load() (Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load()
}

func (s *Store) load() (Settings, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("cannot read the settings file %s: %w", s.path, err)
	}
	var st Settings
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&st); err != nil {
		return Settings{}, s.corrupt(err)
	}
	if dec.More() {
		return Settings{}, s.corrupt(errors.New("extra data after the settings"))
	}
	if err := st.Validate(); err != nil {
		return Settings{}, s.corrupt(err)
	}
	st.ApplyDefaults()
	return st, nil
}

func (s *Store) corrupt(cause error) error {
	return &CorruptError{Path: s.path, Backup: s.BackupPath(), Cause: cause}
}

// Save validates st and writes it with mode 0600 (the folder 0700). It refuses, with the
// *CorruptError, to replace a file that exists but is damaged: call Recover first.
func (s *Store) Save(st Settings) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.load(); err != nil {
		return err
	}
	return s.write(st)
}

// Update loads the settings, lets fn change them, and saves them, all under the store's lock. If fn
// returns an error nothing is written.
func (s *Store) Update(fn func(*Settings) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load()
	if err != nil {
		return err
	}
	if err := fn(&st); err != nil {
		return err
	}
	return s.write(st)
}

// Recover moves a damaged settings file aside to BackupPath (an older backup there is replaced by a
// numbered name, never lost) and returns where it went; the next Load gives the defaults. With no
// file, or a readable one, it does nothing and returns "".
func (s *Store) Recover() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.load(); !errors.Is(err, ErrCorrupt) {
		return "", nil
	}
	dst := s.BackupPath()
	for i := 1; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = s.BackupPath() + "." + strconv.Itoa(i)
	}
	if err := os.Rename(s.path, dst); err != nil {
		return "", fmt.Errorf("cannot move the damaged settings file %s aside: %w", s.path, err)
	}
	return dst, nil
}

func (s *Store) write(st Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode the settings: %w", err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the settings folder %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+FileName+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write the settings in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := tmp.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		tmp.Close()
		return fmt.Errorf("cannot protect the settings file: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write the settings file %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write the settings file %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write the settings file %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("cannot replace the settings file %s: %w", s.path, err)
	}
	return nil
}
