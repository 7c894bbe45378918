//go:build !windows

package app

// trustBeforeWindow: see webviewtrust_windows.go; elsewhere the pin is applied from OnStartup.
const trustBeforeWindow = false
