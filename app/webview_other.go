//go:build !windows

package app

import "github.com/wailsapp/wails/v2/pkg/options/windows"

// windowsOptions is for WebView2 only (see webview_windows.go).
func windowsOptions(string) *windows.Options { return nil }
