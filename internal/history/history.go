// Package history keeps the agent's recent calls in a small JSON file in the user config dir: who,
// which way, when, how long, how it ended. It never holds a secret (no SIP credentials, no tokens,
// no audio), only what the agent saw on the bar.
package history

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/phonebar/phonebar/internal/quality"
)

// MaxEntries bounds the file: older calls are dropped first.
const MaxEntries = 100

// Entry is one call.
type Entry struct {
	// Remote is the other party as the phone showed it (a number or a SIP address).
	Remote string `json:"remote"`
	// Name is the other party's display name as the phone showed it; "" when it sent none (and in
	// entries written before it was kept).
	Name string `json:"name,omitempty"`
	// Direction is "in" or "out".
	Direction string    `json:"direction"`
	Started   time.Time `json:"started"`
	// Seconds is how long the call was answered; 0 for a call never answered.
	Seconds int `json:"seconds"`
	// Outcome is "answered", "transferred" (answered, then handed to someone else), "missed",
	// "rejected", "failed" or "cancelled".
	Outcome string `json:"outcome"`
	// Quality summarises how the call sounded (MOS, loss, jitter, round trip, the warnings
	// raised); nil for a call that carried no audio, and in entries written before it was kept.
	Quality *quality.Summary `json:"quality,omitempty"`
}

// Store reads and appends the history file. It is safe for concurrent use.
type Store struct {
	path string
	mu   sync.Mutex
	// now stamps the name of a damaged file kept aside (tests set it).
	now func() time.Time
}

// NewStore keeps the history at path (its folder is made on the first Add).
func NewStore(path string) *Store { return &Store{path: path, now: time.Now} }

// List returns the calls, newest first. A missing file is an empty history; a damaged one gives a
// *CorruptError (errors.Is ErrCorrupt) and is left as it is.
func (s *Store) List() ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load()
}

func (s *Store) load() ([]Entry, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return []Entry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("call history %s cannot be read: %w", s.path, err)
	}
	var out []Entry
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, &CorruptError{Path: s.path, Cause: err}
	}
	return out, nil
}

// KeptName is the name a damaged history file gets when it is moved aside at t:
// history.json.damaged-20261206T101500Z.
func KeptName(path string, t time.Time) string {
	return path + ".damaged-" + t.UTC().Format("20060102T150405Z")
}

// Add puts a call first and keeps at most MaxEntries. A damaged file is never overwritten: it is
// renamed to KeptName, a new history holding e is started, and a *CorruptError with KeptAs says
// so (the call is recorded all the same).
func (s *Store) Add(e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := s.load()
	var damaged *CorruptError
	switch {
	case errors.As(err, &damaged):
		kept := KeptName(s.path, s.now())
		for i := 1; ; i++ {
			if _, err := os.Lstat(kept); errors.Is(err, os.ErrNotExist) {
				break
			}
			kept = KeptName(s.path, s.now()) + "." + strconv.Itoa(i)
		}
		if err := os.Rename(s.path, kept); err != nil {
			return fmt.Errorf("call history %s is damaged and cannot be moved aside (%v): the call was not recorded", s.path, err)
		}
		damaged.KeptAs = kept
		list = nil
	case err != nil:
		return err
	}
	list = append([]Entry{e}, list...)
	if len(list) > MaxEntries {
		list = list[:MaxEntries]
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("call history: %w", err)
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("call history: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("call history: %w", err)
	}
	if damaged != nil {
		return damaged
	}
	return nil
}
