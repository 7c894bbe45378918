// Package buildinfo tells which build of the Phonebar is running.
package buildinfo

import "runtime/debug"

// Version is set at link time with -ldflags "-X github.com/phonebar/phonebar/internal/buildinfo.Version=v1.2.3".
var Version = "dev"

// String returns the version with the VCS revision when the binary carries one.
func String() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}
