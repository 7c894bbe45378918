//go:build (!darwin || !cgo) && !windows

package audio

func microphonePermission() Permission { return PermissionUnknown }
