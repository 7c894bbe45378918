package logging

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	path := filepath.Join(dir, FileName)

	f, err := OpenFile(dir)
	require.NoError(t, err)
	_, err = f.WriteString("first\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())

	// A second open appends.
	f, err = OpenFile(dir)
	require.NoError(t, err)
	_, err = f.WriteString("second\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "first\nsecond\n", string(got))

	// A full log becomes FileName.1 and a new one starts.
	require.NoError(t, os.Truncate(path, MaxFileBytes))
	f, err = OpenFile(dir)
	require.NoError(t, err)
	_, err = f.WriteString("fresh\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "fresh\n", string(got))
	st, err := os.Stat(path + ".1")
	require.NoError(t, err)
	assert.EqualValues(t, MaxFileBytes, st.Size())
}
