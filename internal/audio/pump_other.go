//go:build cgo && !linux && !windows

package audio

import "github.com/gen2brain/malgo"

// Only Linux and Windows have a pump (pump.go) so far: elsewhere the device threads call into Go.

type pump struct{}

func newPump(DeviceKind, func([]int16), func([]int16)) *pump { return nil }

func (*pump) ring() *byte                           { return nil }
func (*pump) takeOver(*malgo.Device, int, int) bool { return false }
func (*pump) queued() int                           { return 0 }
func (*pump) short() uint64                         { return 0 }
func (*pump) free()                                 {}

type pumps struct{}

func (*pumps) add(*pump) error { return nil }
func (*pumps) remove(*pump)    {}
func (*pumps) close()          {}
