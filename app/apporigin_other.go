//go:build !windows

package app

// appOrigin is the origin of the window's own pages in the webview (WebKit on Linux and macOS).
const appOrigin = "wails://wails"
