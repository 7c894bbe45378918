//go:build !windows

package omni

// AppOrigin is the origin of a window's own pages in the web view (WebKit on Linux and macOS).
const AppOrigin = "wails://wails"

// TrustBeforeWindow: see origin_windows.go; elsewhere the pin is applied once the window started.
const TrustBeforeWindow = false
