package autostart

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows/registry"
)

// TestRunValueInTheRegistry writes, reads back and removes the real Run value (under Wine in
// make test-windows), with an ID of its own so that a real Phonebar entry is left alone.
func TestRunValueInTheRegistry(t *testing.T) {
	e := Entry{ID: "PhonebarTest", Name: "Phonebar", Exec: `C:\Program Files\Phonebar\phonebar.exe`}
	t.Cleanup(func() { _ = Disable(e) })
	require.NoError(t, Disable(e))
	require.NoError(t, Enable(e))
	k, err := registry.OpenKey(registry.CURRENT_USER, RunKey, registry.QUERY_VALUE)
	require.NoError(t, err)
	v, _, err := k.GetStringValue(e.ID)
	k.Close()
	require.NoError(t, err)
	assert.Equal(t, `"C:\Program Files\Phonebar\phonebar.exe"`, v)
	on, err := Enabled(e)
	require.NoError(t, err)
	assert.True(t, on)
	require.NoError(t, Disable(e))
	on, err = Enabled(e)
	require.NoError(t, err)
	assert.False(t, on)
}
