package logging

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultDirIsLocalAppData: logs stay on the machine (%LOCALAPPDATA%), apart from the roaming
// settings (%APPDATA%).
func TestDefaultDirIsLocalAppData(t *testing.T) {
	local := os.Getenv("LOCALAPPDATA")
	require.NotEmpty(t, local, "Windows (and Wine) set LOCALAPPDATA")
	dir, err := DefaultDir()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(local, "phonebar", "logs"), dir)
	assert.NotEqual(t, os.Getenv("APPDATA"), local)

	t.Setenv("LOCALAPPDATA", "")
	_, err = DefaultDir()
	assert.Error(t, err)
}
