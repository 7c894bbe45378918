package app

import (
	"context"
	"fmt"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/problem"
)

// EventAudio carries an AudioView when the devices change; EventMicLevel a MicLevel while a
// microphone check listens.
const (
	EventAudio    = "audio"
	EventMicLevel = "mic-level"
	// EventMicCheck carries the MicCheckView of every finished microphone check.
	EventMicCheck = "mic-check"
)

// Device roles the agent chooses.
const (
	RoleMicrophone = "microphone"
	RoleSpeaker    = "speaker"
	RoleRinger     = "ringer"
)

// DeviceView is one device in a list.
type DeviceView struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Default bool   `json:"default"`
}

// AudioView is the devices and the agent's choices.
type AudioView struct {
	Microphones []DeviceView `json:"microphones"`
	Speakers    []DeviceView `json:"speakers"`
	// Microphone, Speaker and Ringer are the IDs in use (the choice, or the default).
	Microphone string `json:"microphone"`
	Speaker    string `json:"speaker"`
	Ringer     string `json:"ringer"`
	// Notices say when a chosen device is missing and the default is used instead.
	Notices []string `json:"notices"`
	// Problem says why no device can be listed (no sound system), empty otherwise.
	Problem string `json:"problem"`
}

// MicCheckView is the outcome of a microphone check, in words.
type MicCheckView struct {
	// Verdict is "working", "silent", "no microphone" or "access denied".
	Verdict    string  `json:"verdict"`
	Message    string  `json:"message"`
	Device     string  `json:"device"`
	RMSDBFS    float64 `json:"rmsDbfs"`
	PeakDBFS   float64 `json:"peakDbfs"`
	DominantHz float64 `json:"dominantHz"`
}

// MicLevel is one reading of the live meter.
type MicLevel struct {
	RMSDBFS  float64 `json:"rmsDbfs"`
	PeakDBFS float64 `json:"peakDbfs"`
}

// Audio is the devices and microphone-check service bound to the window.
type Audio struct {
	c *core
}

// View lists the devices with the agent's choices.
func (a *Audio) View() AudioView {
	ctx, cancel := context.WithTimeout(a.c.life, 10*time.Second)
	defer cancel()
	devs, err := a.c.audio.ListDevices(ctx)
	return a.c.audioView(devs, err)
}

// Select remembers the device for a role ("microphone", "speaker", "ringer") by ID and name; an
// empty id means the system default.
func (a *Audio) Select(role, id string) (AudioView, error) {
	ctx, cancel := context.WithTimeout(a.c.life, 10*time.Second)
	defer cancel()
	devs, err := a.c.audio.ListDevices(ctx)
	if err != nil {
		return a.c.audioView(devs, err), problem.Tag(problem.CodeNoSoundSystem, err)
	}
	kind := audio.KindPlayback
	if role == RoleMicrophone {
		kind = audio.KindCapture
	}
	var ref audio.DeviceRef
	if id != "" {
		d, ok := devs.Find(kind, id)
		if !ok {
			return a.c.audioView(devs, nil), problem.Tag(problem.CodeNoSuchDevice, fmt.Errorf("app: no %s %q", kind, id))
		}
		ref = d.Ref()
	}
	err = a.c.cfg.Update(func(s *config.Settings) error {
		switch role {
		case RoleMicrophone:
			s.Audio.MicrophoneID, s.Audio.MicrophoneName = ref.ID, ref.Name
		case RoleSpeaker:
			s.Audio.SpeakerID, s.Audio.SpeakerName = ref.ID, ref.Name
		case RoleRinger:
			s.Audio.RingerID, s.Audio.RingerName = ref.ID, ref.Name
		default:
			return fmt.Errorf("unknown device role %q", role)
		}
		return nil
	})
	if err != nil {
		return a.c.audioView(devs, nil), err
	}
	if role == RoleMicrophone {
		a.c.mic.Forget() // the verdict was about the other microphone
	}
	if d := a.c.currentDesk(); d != nil && (role == RoleMicrophone || role == RoleSpeaker) {
		if err := d.SwitchDevices(a.c.life); err != nil {
			return a.c.audioView(devs, nil), problem.Tag(problem.CodeCallDevice, err)
		}
	}
	return a.c.audioView(devs, nil), nil
}

// CheckMicrophone listens to the chosen microphone (emitting EventMicLevel for the meter) and says
// whether it works.
func (a *Audio) CheckMicrophone() (MicCheckView, error) {
	return a.c.checkMicrophone(0)
}

// Test plays a short tone on the speaker, or the ringtone on the ringer output.
func (a *Audio) Test(role string) (string, error) {
	ctx, cancel := context.WithTimeout(a.c.life, 15*time.Second)
	defer cancel()
	st, err := a.c.cfg.Load()
	if err != nil {
		return "", err
	}
	opts := audio.PlayOptions{Device: audio.DeviceRef{ID: st.Audio.SpeakerID, Name: st.Audio.SpeakerName}, Duration: 700 * time.Millisecond}
	if role == RoleRinger {
		opts = audio.PlayOptions{Device: audio.DeviceRef{ID: st.Audio.RingerID, Name: st.Audio.RingerName}, Ringtone: true, Duration: 2 * time.Second}
	}
	res, err := a.c.audio.PlayTone(ctx, opts)
	if err != nil {
		return "", problem.Tag(problem.CodePlaybackFailed, err)
	}
	msg := "Played on " + res.Device.Name + "."
	if res.FellBack {
		msg = res.Message
	}
	return msg, nil
}

// checkMicrophone checks the chosen microphone, listening for listen (0: audio's default), and
// remembers the verdict for going ready (readiness.Microphone). One check runs at a time.
func (c *core) checkMicrophone(listen time.Duration) (MicCheckView, error) {
	end, err := c.mic.Begin()
	if err != nil {
		return MicCheckView{}, err
	}
	verdict := audio.VerdictUnknown
	defer func() { end(verdict) }()
	ctx, cancel := context.WithTimeout(c.life, 15*time.Second)
	defer cancel()
	st, err := c.cfg.Load()
	if err != nil {
		return MicCheckView{}, err
	}
	device := st.Audio.MicrophoneID
	if device != "" {
		// The chosen microphone may be gone: then check the default and say so.
		if devs, err := c.audio.ListDevices(ctx); err == nil {
			if r, err := devs.Resolve(audio.KindCapture, audio.DeviceRef{ID: st.Audio.MicrophoneID, Name: st.Audio.MicrophoneName}); err == nil {
				device = r.Device.ID
			}
		}
	}
	res, err := c.audio.CheckMicrophone(ctx, audio.CheckOptions{
		Device: device,
		Listen: listen,
		OnLevel: func(l audio.Level) {
			c.emit.Emit(EventMicLevel, MicLevel{RMSDBFS: l.RMSDBFS, PeakDBFS: l.PeakDBFS})
		},
	})
	v := MicCheckView{Verdict: res.Verdict.String(), Message: res.Message, Device: res.Device.Name, RMSDBFS: res.RMSDBFS, PeakDBFS: res.PeakDBFS, DominantHz: res.DominantHz}
	if err != nil {
		return v, problem.Tag(problem.CodeMicCheckFailed, err)
	}
	c.log.WithField("verdict", v.Verdict).WithField("device", v.Device).WithField("rms_dbfs", fmt.Sprintf("%.1f", v.RMSDBFS)).Info("microphone check")
	c.emit.Emit(EventMicCheck, v)
	verdict = res.Verdict
	return v, nil
}

// audioView builds the AudioView from a listing.
func (c *core) audioView(devs audio.Devices, err error) AudioView {
	v := AudioView{Microphones: []DeviceView{}, Speakers: []DeviceView{}, Notices: []string{}}
	if err != nil {
		v.Problem = "No sound system answers: " + err.Error()
		return v
	}
	for _, d := range devs.Microphones {
		v.Microphones = append(v.Microphones, DeviceView{ID: d.ID, Name: d.Name, Default: d.IsDefault})
	}
	for _, d := range devs.Speakers {
		v.Speakers = append(v.Speakers, DeviceView{ID: d.ID, Name: d.Name, Default: d.IsDefault})
	}
	st, serr := c.cfg.Load()
	if serr != nil {
		// The defaults are shown, and why.
		v.Notices = append(v.Notices, problem.Of(serr).Message)
	}
	pick := func(kind audio.DeviceKind, ref audio.DeviceRef) string {
		r, err := devs.Resolve(kind, ref)
		if err != nil {
			return ""
		}
		if r.FellBack {
			v.Notices = append(v.Notices, r.Message)
		}
		return r.Device.ID
	}
	v.Microphone = pick(audio.KindCapture, audio.DeviceRef{ID: st.Audio.MicrophoneID, Name: st.Audio.MicrophoneName})
	v.Speaker = pick(audio.KindPlayback, audio.DeviceRef{ID: st.Audio.SpeakerID, Name: st.Audio.SpeakerName})
	v.Ringer = pick(audio.KindPlayback, audio.DeviceRef{ID: st.Audio.RingerID, Name: st.Audio.RingerName})
	return v
}

// watchDevices reports device changes to the window until ctx ends.
func (c *core) watchDevices(ctx context.Context) {
	w := audio.Watcher{Host: c.audio, OnChange: func(ch audio.DeviceChange) {
		// A device came or went: the last verdict may not hold for the microphone now in use.
		c.mic.Forget()
		c.emit.Emit(EventAudio, c.audioView(ch.Devices, ch.Err))
	}}
	_ = w.Run(ctx)
}
