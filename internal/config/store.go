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
	"time"
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

// LockTimeout is how long a write waits for another process to release the settings file.
const LockTimeout = 10 * time.Second

// Store reads and writes one settings file. Writes are atomic (a temporary file renamed over the old
// one), so a crash never leaves a half-written file, and readers never see one. Every write (Save,
// Update, Recover) runs under an OS file lock on LockPath (flock on Unix, LockFileEx on Windows) and
// reads the file again under it, so that the window and a command writing at once, or two Stores in
// one process, never lose each other's changes.
type Store struct {
	path string
	mu   sync.Mutex
	// lockWait is LockTimeout (tests shorten it).
	lockWait time.Duration
	overlay  Overlay
}

// Overlay changes what a Store reads and writes: a machine-wide policy (internal/policy) sets some
// settings over the user's and refuses changes to the ones it locks.
type Overlay interface {
	// Apply turns the settings read from the file into the ones in force. It must copy a map
	// before changing it (the caller's copy shares it).
	Apply(*Settings)
	// Save turns wanted (the settings in force, as changed by the program) into the ones to write;
	// file is what the file holds, inForce what Apply made of it. An error refuses the save.
	Save(file, inForce, wanted Settings) (Settings, error)
}

// SetOverlay makes every Load return the settings as o applies them, and every Save and Update go
// through o. Call it before the store is used.
func (s *Store) SetOverlay(o Overlay) { s.overlay = o }

// CheckServer reports whether the settings may name the server at origin: the overlay refuses
// another server than the one a machine policy locks. The session asks before logging in.
func (s *Store) CheckServer(origin string) error {
	if g, ok := s.overlay.(interface{ CheckServer(string) error }); ok {
		return g.CheckServer(origin)
	}
	return nil
}

// inForce returns the settings of the file as the overlay applies them.
func (s *Store) inForce(file Settings) Settings {
	if s.overlay != nil {
		s.overlay.Apply(&file)
	}
	return file
}

// toWrite passes wanted through the overlay.
func (s *Store) toWrite(file, wanted Settings) (Settings, error) {
	if s.overlay == nil {
		return wanted, nil
	}
	return s.overlay.Save(file, s.inForce(file), wanted)
}

// NewStore returns a Store for the file at path (usually DefaultPath()). Nothing is read yet.
func NewStore(path string) *Store { return &Store{path: path, lockWait: LockTimeout} }

// Path is the settings file.
func (s *Store) Path() string { return s.path }

// LockPath is the lock file beside the settings (kept: removing a lock file races with its users).
func (s *Store) LockPath() string { return s.path + ".lock" }

// BackupPath is where Recover keeps a damaged file.
func (s *Store) BackupPath() string { return s.path + ".bak" }

// Load reads the settings, with defaults filled in. A missing file gives Default() and no error. A
// file that cannot be parsed or fails validation gives a *CorruptError (errors.Is ErrCorrupt); the
// file is left untouched.
func (s *Store) Load() (Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load()
	if err != nil {
		return st, err
	}
	return s.inForce(st), nil
}

func (s *Store) load() (Settings, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return Settings{}, &UnreadableError{Path: s.path, Cause: err}
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
	release, err := s.lock()
	if err != nil {
		return err
	}
	defer release()
	file, err := s.load()
	if err != nil {
		return err
	}
	if st, err = s.toWrite(file, st); err != nil {
		return err
	}
	return s.write(st)
}

// Update loads the settings, lets fn change them, and saves them, all under the file lock, so that
// a change made meanwhile by another process is kept. If fn returns an error nothing is written.
func (s *Store) Update(fn func(*Settings) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	release, err := s.lock()
	if err != nil {
		return err
	}
	defer release()
	file, err := s.load()
	if err != nil {
		return err
	}
	st := s.inForce(file)
	if err := fn(&st); err != nil {
		return err
	}
	if st, err = s.toWrite(file, st); err != nil {
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
	release, err := s.lock()
	if err != nil {
		return "", err
	}
	defer release()
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

// lock takes the OS lock on LockPath, waiting up to LockTimeout, and returns its release.
func (s *Store) lock() (func(), error) {
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the settings folder %s: %w", dir, err)
	}
	f, err := os.OpenFile(s.LockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the settings lock %s: %w", s.LockPath(), err)
	}
	deadline := time.Now().Add(s.lockWait)
	wait := time.Millisecond
	for {
		err := tryLock(f)
		if err == nil {
			return func() { _ = unlock(f); _ = f.Close() }, nil
		}
		if !errors.Is(err, errLockBusy) {
			f.Close()
			return nil, fmt.Errorf("cannot lock the settings file %s: %w", s.LockPath(), err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, &LockedError{Path: s.path, Wait: s.lockWait}
		}
		time.Sleep(wait)
		wait = min(2*wait, 50*time.Millisecond)
	}
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
	if err := replaceFile(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("cannot replace the settings file %s: %w", s.path, err)
	}
	return nil
}
