//go:build cgo

package audio

/*
#include <stdlib.h>
*/
import "C"

import (
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// miniaudio's null backend: malgo v0.11.24's malgo.BackendNull is one off (it is miniaudio's
// "custom" backend, which fails with "no backend"); the real null backend comes right after it.
const malgoNullBackend = malgo.BackendNull + 1

// malgoDriver talks to the sound system through one miniaudio context.
type malgoDriver struct {
	mu      sync.Mutex // serialises context calls (enumeration and device init share its state)
	ctx     *malgo.AllocatedContext
	appName *C.char
	pumps   pumps
}

func newDriver(b Backend) (driver, error) {
	// Every real backend in miniaudio's own order; miniaudio skips those this platform lacks. The
	// null backend is left out: with no sound system, "auto" must fail, not record silence.
	backends := []malgo.Backend{malgo.BackendWasapi, malgo.BackendDsound, malgo.BackendWinmm,
		malgo.BackendCoreaudio, malgo.BackendSndio, malgo.BackendAudio4, malgo.BackendOss,
		malgo.BackendPulseaudio, malgo.BackendAlsa, malgo.BackendJack}
	switch b {
	case BackendPulseAudio:
		backends = []malgo.Backend{malgo.BackendPulseaudio}
	case BackendALSA:
		backends = []malgo.Backend{malgo.BackendAlsa}
	case BackendNull:
		backends = []malgo.Backend{malgoNullBackend}
	}
	d := &malgoDriver{appName: C.CString("Phonebar")}
	cfg := malgo.ContextConfig{}
	cfg.Pulse.PApplicationName = (*byte)(unsafe.Pointer(d.appName)) // C memory, copied by miniaudio
	ctx, err := malgo.InitContext(backends, cfg, nil)
	if err != nil {
		C.free(unsafe.Pointer(d.appName))
		return nil, fmt.Errorf("%w (%s backend): %v", ErrNoAudioServer, b, err)
	}
	d.ctx = ctx
	return d, nil
}

func (d *malgoDriver) devices(kind DeviceKind) ([]Device, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		return nil, ErrClosed
	}
	infos, err := d.ctx.Devices(malgoKind(kind))
	if err != nil {
		return nil, fmt.Errorf("audio: listing %ss: %w", kind, classify(err))
	}
	out := make([]Device, 0, len(infos))
	for _, info := range infos {
		id := encodeID(info.ID)
		if alsaPlugins[id] {
			continue
		}
		out = append(out, Device{
			ID:        id,
			Name:      info.Name(),
			Kind:      kind,
			IsDefault: info.IsDefault != 0,
		})
	}
	return out, nil
}

// alsaPlugins are ALSA PCMs that miniaudio lists but that are converters or routes, not devices: a
// machine without a sound server would otherwise seem to have "Discard all samples" as a
// microphone. Real ALSA devices have IDs such as "default", "hw:0,0" or "sysdefault:CARD=PCH".
var alsaPlugins = map[string]bool{
	"null": true, "lavrate": true, "samplerate": true, "speexrate": true, "jack": true, "oss": true,
	"pulse": true, "speex": true, "upmix": true, "vdownmix": true, "a52": true, "usbstream": true,
	"pipewire": true,
}

func (d *malgoDriver) open(cfg streamConfig) (driverStream, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		return nil, ErrClosed
	}
	mc := malgo.DefaultDeviceConfig(malgoKind(cfg.kind))
	mc.SampleRate = uint32(cfg.rate)
	mc.PeriodSizeInMilliseconds = uint32(cfg.periodMs)
	s := &malgoStream{}
	if cfg.deviceID != "" {
		id, err := decodeID(cfg.deviceID)
		if err != nil {
			return nil, err
		}
		s.id = C.malloc(C.size_t(len(id)))
		copy(unsafe.Slice((*byte)(s.id), len(id)), id[:])
	}
	sub := malgo.SubConfig{Format: malgo.FormatS16, Channels: 1, DeviceID: s.id}
	if cfg.kind == KindCapture {
		mc.Capture = sub
	} else {
		mc.Playback = sub
	}
	data := cfg.data
	callbacks := malgo.DeviceCallbacks{
		Data: func(out, in []byte, frames uint32) {
			s.goCalls.Add(1)
			buf := in
			if cfg.kind == KindPlayback {
				buf = out
			}
			if len(buf) < 2 {
				return
			}
			pcm := unsafe.Slice((*int16)(unsafe.Pointer(&buf[0])), len(buf)/2)
			data(pcm)
			if cfg.played != nil {
				cfg.played(pcm)
			}
		},
		Stop: func() {
			if cfg.stopped != nil {
				cfg.stopped()
			}
		},
	}
	// Where devices are pumped (pump.go), the device's thread serves a ring that a goroutine
	// fills or drains and never calls into Go. Should this build of miniaudio not be laid out as
	// the pump expects, the device is opened again as malgo has it, its callbacks calling into Go.
	if pm := newPump(cfg.kind, data, cfg.played); pm != nil {
		pumped := mc
		pumped.PUserData = pm.ring()
		dev, err := malgo.InitDevice(d.ctx.Context, pumped, callbacks)
		if err != nil {
			pm.free()
			s.free()
			return nil, classify(err)
		}
		if pm.takeOver(dev, int(dev.SampleRate()), cfg.periodMs) {
			s.dev, s.pump, s.pumps = dev, pm, &d.pumps
			return s, nil
		}
		dev.Uninit()
		pm.free()
	}
	dev, err := malgo.InitDevice(d.ctx.Context, mc, callbacks)
	if err != nil {
		s.free()
		return nil, classify(err)
	}
	s.dev = dev
	return s, nil
}

func (d *malgoDriver) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		return nil
	}
	d.pumps.close()
	err := d.ctx.Uninit()
	d.ctx.Free()
	d.ctx = nil
	C.free(unsafe.Pointer(d.appName))
	return err
}

type malgoStream struct {
	dev   *malgo.Device
	id    unsafe.Pointer // C copy of the device ID, alive as long as the device
	pump  *pump          // nil: the device's thread calls data through malgo
	pumps *pumps         // the driver's, which moves pump's samples while the device runs
	once  sync.Once
	// goCalls counts the device thread's calls into Go (through malgo): none with a pump.
	goCalls atomic.Uint64
}

func (s *malgoStream) start() error {
	if s.pump != nil {
		if err := s.pumps.add(s.pump); err != nil {
			return fmt.Errorf("audio: waking the device's goroutine: %w", err)
		}
	}
	if err := s.dev.Start(); err != nil {
		if s.pump != nil {
			s.pumps.remove(s.pump)
		}
		return classify(err)
	}
	return nil
}

func (s *malgoStream) sampleRate() int { return int(s.dev.SampleRate()) }

func (s *malgoStream) queued() int {
	if s.pump == nil {
		return 0
	}
	return s.pump.queued()
}

func (s *malgoStream) shortfall() uint64 {
	if s.pump == nil {
		return 0
	}
	return s.pump.short()
}

func (s *malgoStream) close() {
	s.once.Do(func() {
		if s.pump != nil {
			s.pumps.remove(s.pump)
		}
		s.dev.Uninit()
		if s.pump != nil {
			s.pump.free()
		}
		s.free()
	})
}

func (s *malgoStream) free() {
	if s.id != nil {
		C.free(s.id)
		s.id = nil
	}
}

func malgoKind(k DeviceKind) malgo.DeviceType {
	if k == KindCapture {
		return malgo.Capture
	}
	return malgo.Playback
}

// classify maps miniaudio's results onto this package's sentinels, keeping miniaudio's words.
func classify(err error) error {
	var r malgo.Result
	if !errors.As(err, &r) {
		return err
	}
	switch r {
	case malgo.ErrAccessDenied:
		return fmt.Errorf("%w (%v)", ErrAccessDenied, err)
	case malgo.ErrFormatNotSupported, malgo.ErrDeviceTypeNotSupported, malgo.ErrShareModeNotSupported,
		malgo.ErrInvalidDeviceConfig:
		return fmt.Errorf("%w (%v)", ErrFormatUnsupported, err)
	case malgo.ErrNoBackend, malgo.ErrFailedToInitBackend, malgo.ErrAPINotFound:
		return fmt.Errorf("%w (%v)", ErrNoAudioServer, err)
	case malgo.ErrNoDevice, malgo.ErrDoesNotExist, malgo.ErrFailedToOpenBackendDevice,
		malgo.ErrFailedToStartBackendDevice, malgo.ErrUnavailable:
		return fmt.Errorf("%w (%v)", ErrNoDevice, err)
	}
	return fmt.Errorf("audio: %w", err)
}

// encodeID turns miniaudio's fixed-size ID into text: the ID itself when it is printable ASCII
// (PulseAudio and ALSA names, Core Audio UIDs), else "hex:" and its bytes (WASAPI's UTF-16 IDs).
func encodeID(id malgo.DeviceID) string {
	end := len(id)
	for end > 0 && id[end-1] == 0 {
		end--
	}
	printable := end > 0
	for _, b := range id[:end] {
		if b < 0x20 || b > 0x7e {
			printable = false
			break
		}
	}
	if printable {
		return string(id[:end])
	}
	return "hex:" + hex.EncodeToString(id[:end])
}

func decodeID(s string) (malgo.DeviceID, error) {
	var id malgo.DeviceID
	raw := []byte(s)
	if len(s) > 4 && s[:4] == "hex:" {
		b, err := hex.DecodeString(s[4:])
		if err != nil {
			return id, fmt.Errorf("%w: malformed device ID %q", ErrNoDevice, s)
		}
		raw = b
	}
	if len(raw) > len(id) {
		return id, fmt.Errorf("%w: device ID %q is too long", ErrNoDevice, s)
	}
	copy(id[:], raw)
	return id, nil
}
