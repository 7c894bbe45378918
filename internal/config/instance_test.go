package config

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInstanceIDIsMadeOnceAndKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "phonebar")
	s := NewStore(filepath.Join(dir, FileName))

	// Several processes (here goroutines with their own stores) asking at once agree on one ID.
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := NewStore(s.Path()).InstanceID()
			assert.NoError(t, err)
			ids[i] = id
		}()
	}
	wg.Wait()
	first := ids[0]
	require.True(t, strings.HasPrefix(first, "urn:uuid:"), first)
	require.Len(t, first, len("urn:uuid:")+36)
	for _, id := range ids {
		assert.Equal(t, first, id)
	}
	again, err := s.InstanceID()
	require.NoError(t, err)
	assert.Equal(t, first, again, "kept across restarts")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")

	// A damaged file is replaced by a new ID.
	require.NoError(t, os.WriteFile(filepath.Join(dir, InstanceFileName), []byte("not a uuid\n"), 0o600))
	fresh, err := s.InstanceID()
	require.NoError(t, err)
	assert.NotEqual(t, first, fresh)
	assert.True(t, strings.HasPrefix(fresh, "urn:uuid:"))

	// Another installation (another config folder) has another ID.
	other, err := NewStore(filepath.Join(t.TempDir(), FileName)).InstanceID()
	require.NoError(t, err)
	assert.NotEqual(t, fresh, other)
}
