package autostart

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLinuxEntryOnDisk writes, reads back and removes the real XDG autostart file.
func TestLinuxEntryOnDisk(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	e := Entry{ID: "phonebar", Name: "Phonebar", Exec: "/opt/Phone Bar/phonebar"}
	file := filepath.Join(dir, "autostart", "phonebar.desktop")

	on, err := Enabled(e)
	require.NoError(t, err)
	assert.False(t, on)
	require.NoError(t, Disable(e), "turning off what is not there is fine")

	require.NoError(t, Enable(e))
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, DesktopEntry(e), got)
	st, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	on, err = Enabled(e)
	require.NoError(t, err)
	assert.True(t, on)

	// The program moved (a new version installed elsewhere): the entry no longer matches, and
	// Enable writes it anew.
	moved := e
	moved.Exec = "/usr/bin/phonebar"
	on, err = Enabled(moved)
	require.NoError(t, err)
	assert.False(t, on)
	require.NoError(t, Enable(moved))
	got, err = os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(got), "\nExec=/usr/bin/phonebar\n")
	left, err := filepath.Glob(filepath.Join(dir, "autostart", "*"))
	require.NoError(t, err)
	assert.Equal(t, []string{file}, left, "no temporary file stays behind")

	require.NoError(t, Disable(moved))
	_, err = os.Stat(file)
	assert.True(t, os.IsNotExist(err))
}

func TestLinuxEntryCannotBeWritten(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	// A file where the autostart folder should be: even root cannot write into it.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "autostart"), nil, 0o644))
	err := Enable(Entry{ID: "phonebar", Name: "Phonebar", Exec: "/usr/bin/phonebar"})
	var ae *Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, filepath.Join(dir, "autostart", "phonebar.desktop"), ae.Where)
	assert.Contains(t, err.Error(), "Starting with the system could not be turned on: "+ae.Where)
	assert.Contains(t, err.Error(), "startup applications")
}
