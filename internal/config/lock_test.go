package config

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// writesPerWriter is how many changes each concurrent writer makes.
const writesPerWriter = 150

// writeKeys makes writesPerWriter changes of its own keys through a Store of its own: a line per
// write and, each time, the auto-answer flag flipped by a read-modify-write of the other writers'
// state (so that a lost update shows as a missing key).
func writeKeys(path, writer string) error {
	s := NewStore(path)
	for i := range writesPerWriter {
		err := s.Update(func(st *Settings) error {
			if st.Lines == nil {
				st.Lines = map[string]string{}
			}
			st.Lines[LineKey("https://h", fmt.Sprintf("%s-%d", writer, i))] = "internal"
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// checkAllKeys fails unless every writer's every key is in the file.
func checkAllKeys(t *testing.T, path string, writers []string) {
	t.Helper()
	st, err := NewStore(path).Load()
	require.NoError(t, err)
	missing := 0
	for _, w := range writers {
		for i := range writesPerWriter {
			if _, ok := st.Lines[LineKey("https://h", fmt.Sprintf("%s-%d", w, i))]; !ok {
				missing++
			}
		}
	}
	assert.Zero(t, missing, "writes lost out of %d", len(writers)*writesPerWriter)
	assert.Equal(t, len(writers)*writesPerWriter, len(st.Lines))
}

// TestConcurrentStoresLoseNothing: separate Store instances in one process (separate lock files
// handles, as in two processes) writing different keys at once.
func TestConcurrentStoresLoseNothing(t *testing.T) {
	defer goleak.VerifyNone(t)
	path := filepath.Join(t.TempDir(), "phonebar", FileName)
	writers := []string{"a", "b", "c"}
	errs := make(chan error, len(writers))
	var wg sync.WaitGroup
	for _, w := range writers {
		wg.Go(func() { errs <- writeKeys(path, w) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	checkAllKeys(t, path, writers)
}

// TestConcurrentProcessesLoseNothing: two real processes (this test binary run twice) writing
// different keys into one settings file at once, as the window and a command do.
func TestConcurrentProcessesLoseNothing(t *testing.T) {
	if os.Getenv("PHONEBAR_CONFIG_WRITER") != "" {
		t.Skip("already a writer")
	}
	path := filepath.Join(t.TempDir(), "phonebar", FileName)
	writers := []string{"window", "cli"}
	cmds := make([]*exec.Cmd, 0, len(writers))
	start := time.Now()
	for _, w := range writers {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSettingsWriterChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "PHONEBAR_CONFIG_WRITER="+w, "PHONEBAR_CONFIG_PATH="+path)
		cmds = append(cmds, cmd)
	}
	outs := make([][]byte, len(cmds))
	errs := make([]error, len(cmds))
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		wg.Go(func() { outs[i], errs[i] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for i := range cmds {
		require.NoError(t, errs[i], "writer %s:\n%s", writers[i], outs[i])
		require.Contains(t, string(outs[i]), "--- PASS: TestSettingsWriterChild")
	}
	t.Logf("%d writes by %d processes in %s", len(writers)*writesPerWriter, len(writers), time.Since(start).Round(time.Millisecond))
	checkAllKeys(t, path, writers)
}

func TestSettingsWriterChild(t *testing.T) {
	w := os.Getenv("PHONEBAR_CONFIG_WRITER")
	if w == "" {
		t.Skip("run by TestConcurrentProcessesLoseNothing")
	}
	require.NoError(t, writeKeys(os.Getenv("PHONEBAR_CONFIG_PATH"), w))
}

// TestLockHeldGivesLockedError: a writer that cannot get the lock reports it rather than writing
// around it.
func TestLockHeldGivesLockedError(t *testing.T) {
	s := newStore(t)
	s.lockWait = 300 * time.Millisecond
	require.NoError(t, s.Save(Default()))
	release, err := NewStore(s.Path()).lock()
	require.NoError(t, err)
	defer release()
	err = s.Update(func(st *Settings) error { st.Username = "x"; return nil })
	require.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), s.Path())
	assert.Contains(t, err.Error(), "close the other Phonebar")
	st, err := s.Load()
	require.NoError(t, err)
	assert.Empty(t, st.Username, "nothing written")
}

// TestUnreadableFile: a settings path that cannot be read is reported with its own error and never
// written over.
func TestUnreadableFile(t *testing.T) {
	s := newStore(t)
	require.NoError(t, os.MkdirAll(s.Path(), 0o700)) // a folder where the file should be
	_, err := s.Load()
	require.ErrorIs(t, err, ErrUnreadable)
	assert.NotErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), s.Path())
	assert.ErrorIs(t, s.Update(func(*Settings) error { return nil }), ErrUnreadable)
	fi, err := os.Stat(s.Path())
	require.NoError(t, err)
	assert.True(t, fi.IsDir(), "left as it was")
}

// TestSaveWhileAnotherReads: a save while another process has the file open for reading (on
// Windows, Go opens files without FILE_SHARE_DELETE, so replacing one then fails for a moment) waits
// for the reader instead of failing.
func TestSaveWhileAnotherReads(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.Save(Default()))
	f, err := os.Open(s.Path())
	require.NoError(t, err)
	released := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond) // the reader's time with the file
		f.Close()
		close(released)
	}()
	require.NoError(t, s.Update(func(st *Settings) error { st.Username = "reader.waited"; return nil }))
	<-released
	st, err := s.Load()
	require.NoError(t, err)
	assert.Equal(t, "reader.waited", st.Username)
}
