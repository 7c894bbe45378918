//go:build !darwin || !cgo

package audio

func microphonePermission() Permission { return PermissionUnknown }
