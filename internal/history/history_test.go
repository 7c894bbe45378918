package history

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/quality"
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

func TestDamagedFileIsKeptAsideAndReported(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"not json", "{not json"},
		{"truncated", `[{"remote":"1001"`},
		{"wrong shape", `{"remote":"1001"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "history.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			s := NewStore(path)
			at := time.Date(2026, 12, 6, 10, 15, 0, 0, time.UTC)
			s.now = func() time.Time { return at }

			_, err := s.List()
			require.ErrorIs(t, err, ErrCorrupt)
			assert.Contains(t, err.Error(), path)
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tt.content, string(b), "List leaves the damaged file as it is")

			err = s.Add(Entry{Remote: "1002", Direction: "out", Outcome: "missed"})
			require.ErrorIs(t, err, ErrCorrupt, "the damage is reported")
			var ce *CorruptError
			require.ErrorAs(t, err, &ce)
			kept := filepath.Join(dir, "history.json.damaged-20261206T101500Z")
			assert.Equal(t, kept, ce.KeptAs)
			assert.Contains(t, err.Error(), kept)
			b, err = os.ReadFile(kept)
			require.NoError(t, err)
			assert.Equal(t, tt.content, string(b), "the damaged file is kept, byte for byte")

			list, err := s.List()
			require.NoError(t, err)
			require.Len(t, list, 1, "the new call is recorded in a new history")
			assert.Equal(t, "1002", list[0].Remote)

			// A second damage in the same second keeps both.
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			err = s.Add(Entry{Remote: "1003", Direction: "in", Outcome: "answered"})
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, kept+".1", ce.KeptAs)
			_, err = os.Stat(kept)
			assert.NoError(t, err)
		})
	}
}

func TestQualitySummaryIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.json")
	// An entry written before quality was kept has none, and still loads.
	require.NoError(t, os.WriteFile(path, []byte(`[{"remote":"1001","direction":"in","started":"2026-12-01T09:00:00Z","seconds":3,"outcome":"answered"}]`), 0o600))
	s := NewStore(path)
	q := quality.Summary{Seconds: 30, MOS: 3.8, MOSMin: 2.9, LossPct: 4.5, JitterMs: 12, RTTMs: 80,
		Warnings: []quality.Warning{quality.WarningHighLoss, quality.WarningSilentMic}}
	require.NoError(t, s.Add(Entry{Remote: "1002", Direction: "out", Outcome: "answered", Seconds: 30, Quality: &q}))
	list, err := s.List()
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.NotNil(t, list[0].Quality)
	assert.Equal(t, q, *list[0].Quality)
	assert.Nil(t, list[1].Quality)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"high_loss"`, "warnings by name in the file")
}
