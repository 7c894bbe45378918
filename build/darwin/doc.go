// Package darwin holds the macOS bundle's files (Info.plist, Info.dev.plist, entitlements.plist and the
// build script of `make macos`). It has no code: its test checks the property lists.
package darwin
