//go:build !linux || bindings

package main

// desktopProblem: Windows and macOS always have a desktop for a program the user starts.
func desktopProblem() string { return "" }
