package history

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddKeepsNewestFirstAndBounded(t *testing.T) {
	s := NewStore(filepath.Join(t.TempDir(), "sub", "history.json"))
	list, err := s.List()
	require.NoError(t, err)
	assert.Empty(t, list)
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	for i := range MaxEntries + 5 {
		require.NoError(t, s.Add(Entry{Remote: "100" + string(rune('0'+i%10)), Direction: "in", Started: t0.Add(time.Duration(i) * time.Minute), Outcome: "answered"}))
	}
	list, err = s.List()
	require.NoError(t, err)
	require.Len(t, list, MaxEntries)
	assert.True(t, list[0].Started.After(list[1].Started), "newest first")
	assert.Equal(t, t0.Add(time.Duration(MaxEntries+4)*time.Minute), list[0].Started)
	fi, err := os.Stat(s.path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func TestDamagedFileIsReportedThenReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.json")
	require.NoError(t, os.WriteFile(path, []byte("{not json"), 0o600))
	s := NewStore(path)
	_, err := s.List()
	assert.ErrorContains(t, err, "damaged")
	require.NoError(t, s.Add(Entry{Remote: "1002", Direction: "out", Outcome: "missed"}))
	list, err := s.List()
	require.NoError(t, err)
	assert.Len(t, list, 1)
}
