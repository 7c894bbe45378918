package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultPathIsAppData: settings live in the roaming profile (%APPDATA%\phonebar), so they follow
// an agent who signs in at another desk; logs and caches stay in %LOCALAPPDATA%.
func TestDefaultPathIsAppData(t *testing.T) {
	appData := os.Getenv("APPDATA")
	require.NotEmpty(t, appData, "Windows (and Wine) set APPDATA")
	path, err := DefaultPath()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(appData, "phonebar", "settings.json"), path)
}
