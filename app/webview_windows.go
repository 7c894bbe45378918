package app

import (
	"os"
	"path/filepath"

	"github.com/wailsapp/wails/v2/pkg/options/windows"
)

// windowsOptions gives a window's WebView2 its own data folder (cookies, cache, storage):
// %LOCALAPPDATA%\phonebar\WebView2\NAME. Without it Wails uses %APPDATA%\EXE-NAME, which roams with
// the user's profile and differs between phonebar.exe and phonebar.com. Each window (main, omni,
// signin) has its own, so the Omni Desktop's cookies are not the main window's. nil (Wails' default)
// when %LOCALAPPDATA% is not set.
func windowsOptions(name string) *windows.Options {
	base := os.Getenv("LOCALAPPDATA")
	if base == "" {
		return nil
	}
	return &windows.Options{WebviewUserDataPath: filepath.Join(base, "phonebar", "WebView2", name)}
}
