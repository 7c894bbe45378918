package app

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWindowsOptionsDataFolder(t *testing.T) {
	t.Setenv("LOCALAPPDATA", `C:\Users\agent\AppData\Local`)
	o := windowsOptions("omni")
	require.NotNil(t, o)
	assert.Equal(t, filepath.Join(`C:\Users\agent\AppData\Local`, "phonebar", "WebView2", "omni"), o.WebviewUserDataPath)
	assert.NotEqual(t, windowsOptions("main").WebviewUserDataPath, o.WebviewUserDataPath, "each window has its own")

	t.Setenv("LOCALAPPDATA", "")
	assert.Nil(t, windowsOptions("main"), "Wails' default without %LOCALAPPDATA%")
}
