package station

import (
	"context"
	"fmt"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/problem"
)

// Device roles the agent chooses a device for.
const (
	RoleMicrophone = "microphone"
	RoleSpeaker    = "speaker"
	RoleRinger     = "ringer"
)

// sound is what the station needs of the sound system (*audio.Host; a fake in tests).
type sound interface {
	ListDevices(ctx context.Context) (audio.Devices, error)
	CheckMicrophone(ctx context.Context, opts audio.CheckOptions) (audio.CheckResult, error)
	PlayTone(ctx context.Context, opts audio.PlayOptions) (audio.PlayResult, error)
}

// Devices are the sound devices present and the agent's choices among them.
type Devices struct {
	// List is the devices present; Err says why none could be listed (tagged CodeNoSoundSystem).
	List audio.Devices
	Err  error
	// Microphone, Speaker and Ringer are the IDs in use: the choice, or the default standing in
	// for a chosen device that is missing ("" when there is none).
	Microphone, Speaker, Ringer string
	// Notices say why the defaults are used: unreadable settings, a chosen device missing.
	Notices []string
	// Processing is whether calls clean up the microphone (echo cancellation, noise suppression,
	// gain control): on unless the agent turned it off.
	Processing bool
}

// choices are the devices the agent chose, by role, from the settings.
func choices(st config.Settings) map[string]audio.DeviceRef {
	return map[string]audio.DeviceRef{
		RoleMicrophone: {ID: st.Audio.MicrophoneID, Name: st.Audio.MicrophoneName},
		RoleSpeaker:    {ID: st.Audio.SpeakerID, Name: st.Audio.SpeakerName},
		RoleRinger:     {ID: st.Audio.RingerID, Name: st.Audio.RingerName},
	}
}

// choose remembers ref for role in st.
func choose(st *config.Settings, role string, ref audio.DeviceRef) error {
	switch role {
	case RoleMicrophone:
		st.Audio.MicrophoneID, st.Audio.MicrophoneName = ref.ID, ref.Name
	case RoleSpeaker:
		st.Audio.SpeakerID, st.Audio.SpeakerName = ref.ID, ref.Name
	case RoleRinger:
		st.Audio.RingerID, st.Audio.RingerName = ref.ID, ref.Name
	default:
		return fmt.Errorf("unknown device role %q", role)
	}
	return nil
}

// Devices lists the devices with the agent's choices.
func (s *Station) Devices(ctx context.Context) Devices {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	devs, err := s.sound.ListDevices(ctx)
	return s.resolve(devs, err)
}

// resolve says which device serves each choice in a listing.
func (s *Station) resolve(devs audio.Devices, err error) Devices {
	if err != nil {
		err = problem.Tag(problem.CodeNoSoundSystem, err)
	}
	d := Devices{List: devs, Err: err, Notices: []string{}}
	st, serr := s.cfg.Load()
	d.Processing = !st.Audio.ProcessingOff
	if serr != nil {
		d.Processing = !config.Default().Audio.ProcessingOff
	}
	if err != nil {
		return d
	}
	if serr != nil {
		// The defaults are used, and the notice says why.
		d.Notices = append(d.Notices, problem.Of(serr).Message)
	}
	ch := choices(st)
	pick := func(kind audio.DeviceKind, ref audio.DeviceRef) string {
		r, err := devs.Resolve(kind, ref)
		if err != nil {
			return ""
		}
		if r.FellBack {
			d.Notices = append(d.Notices, r.Message)
		}
		return r.Device.ID
	}
	d.Microphone = pick(audio.KindCapture, ch[RoleMicrophone])
	d.Speaker = pick(audio.KindPlayback, ch[RoleSpeaker])
	d.Ringer = pick(audio.KindPlayback, ch[RoleRinger])
	return d
}

// SelectDevice remembers the device for a role by ID (its name is kept too, to find it again under
// another ID); an empty id means the system default. Choosing a microphone forgets the last check's
// verdict; a new microphone or speaker moves the call in progress to it.
func (s *Station) SelectDevice(ctx context.Context, role, id string) (Devices, error) {
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	devs, err := s.sound.ListDevices(lctx)
	if err != nil {
		return s.resolve(devs, err), problem.Tag(problem.CodeNoSoundSystem, err)
	}
	kind := audio.KindPlayback
	if role == RoleMicrophone {
		kind = audio.KindCapture
	}
	var ref audio.DeviceRef
	if id != "" {
		d, ok := devs.Find(kind, id)
		if !ok {
			return s.resolve(devs, nil), problem.Tag(problem.CodeNoSuchDevice, fmt.Errorf("station: no %s %q", kind, id))
		}
		ref = d.Ref()
	}
	if err := s.cfg.Update(func(st *config.Settings) error { return choose(st, role, ref) }); err != nil {
		return s.resolve(devs, nil), err
	}
	if role == RoleMicrophone {
		s.mic.Forget() // the verdict was about the other microphone
	}
	if d := s.Desk(); d != nil && (role == RoleMicrophone || role == RoleSpeaker) {
		if err := d.SwitchDevices(ctx); err != nil {
			return s.resolve(devs, nil), problem.Tag(problem.CodeCallDevice, err)
		}
	}
	return s.resolve(devs, nil), nil
}

// SetProcessing turns the cleaning up of the microphone in calls (echo cancellation, noise
// suppression, gain control) on or off, from the next call on: a call in progress keeps what it
// started with.
func (s *Station) SetProcessing(ctx context.Context, on bool) (Devices, error) {
	if err := s.cfg.Update(func(st *config.Settings) error {
		st.Audio.ProcessingOff = !on
		return nil
	}); err != nil {
		return s.Devices(ctx), err
	}
	return s.Devices(ctx), nil
}

// CheckMicrophone checks the chosen microphone (the default when it is gone), listening for listen
// (0: audio's default) and reporting the meter to Hooks.MicLevel, and remembers the verdict for
// going ready (readiness.Microphone). One check runs at a time.
func (s *Station) CheckMicrophone(ctx context.Context, listen time.Duration) (audio.CheckResult, error) {
	end, err := s.mic.Begin()
	if err != nil {
		return audio.CheckResult{}, err
	}
	verdict := audio.VerdictUnknown
	defer func() { end(verdict) }()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	st, err := s.cfg.Load()
	if err != nil {
		return audio.CheckResult{}, err
	}
	device := st.Audio.MicrophoneID
	if device != "" {
		// The chosen microphone may be gone: then check the default and say so.
		if devs, err := s.sound.ListDevices(ctx); err == nil {
			if r, err := devs.Resolve(audio.KindCapture, choices(st)[RoleMicrophone]); err == nil {
				device = r.Device.ID
			}
		}
	}
	res, err := s.sound.CheckMicrophone(ctx, audio.CheckOptions{Device: device, Listen: listen, OnLevel: s.hooks.MicLevel})
	if err != nil {
		return res, problem.Tag(problem.CodeMicCheckFailed, err)
	}
	s.log.WithField("verdict", res.Verdict.String()).WithField("device", res.Device.Name).WithField("rms_dbfs", fmt.Sprintf("%.1f", res.RMSDBFS)).Info("microphone check")
	if s.hooks.MicCheck != nil {
		s.hooks.MicCheck(res)
	}
	verdict = res.Verdict
	return res, nil
}

// TestSound plays a short tone on the chosen speaker, or the ringtone on the ringer output, and
// says where it played (and that the default stood in for a missing device).
func (s *Station) TestSound(ctx context.Context, role string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	st, err := s.cfg.Load()
	if err != nil {
		return "", err
	}
	ch := choices(st)
	opts := audio.PlayOptions{Device: ch[RoleSpeaker], Duration: 700 * time.Millisecond}
	if role == RoleRinger {
		opts = audio.PlayOptions{Device: ch[RoleRinger], Ringtone: true, Duration: 2 * time.Second}
	}
	res, err := s.sound.PlayTone(ctx, opts)
	if err != nil {
		return "", problem.Tag(problem.CodePlaybackFailed, err)
	}
	if res.FellBack {
		return res.Message, nil
	}
	return "Played on " + res.Device.Name + ".", nil
}

// settingsOrDefault reads the settings for a device choice: when they cannot be read the defaults
// serve (the session's status says why; nothing is written over the file).
func (s *Station) settingsOrDefault(what string) config.Settings {
	st, err := s.cfg.Load()
	if err != nil {
		s.log.WithField("code", problem.Of(err).Code).Warn("settings unreadable: default devices for " + what)
		return config.Default()
	}
	return st
}

// callDevices are the microphone and speaker for the next call, read at each call so that a choice
// made meanwhile applies.
func (s *Station) callDevices() (capture, playback audio.DeviceRef) {
	ch := choices(s.settingsOrDefault("call audio"))
	return ch[RoleMicrophone], ch[RoleSpeaker]
}

// callProcessing is the echo cancellation, noise suppression and gain control of the next call.
func (s *Station) callProcessing() processing.Options {
	on := !s.settingsOrDefault("call audio").Audio.ProcessingOff
	return processing.Options{EchoCancel: on, NoiseSuppress: on, GainControl: on}
}

// ringer plays the ringtone on the ringer output the agent chose (desk.Ringer).
type ringer struct{ s *Station }

func (r ringer) Ring(ctx context.Context) error {
	ref := choices(r.s.settingsOrDefault("ringtone"))[RoleRinger]
	_, err := r.s.sound.PlayTone(ctx, audio.PlayOptions{Device: ref, Ringtone: true, Duration: 2 * time.Second})
	return err
}

// watchDevices reports device changes until ctx ends.
func (s *Station) watchDevices(ctx context.Context) {
	w := audio.Watcher{Host: s.audio, OnChange: func(ch audio.DeviceChange) {
		// A device came or went: the last verdict may not hold for the microphone now in use.
		s.mic.Forget()
		if s.hooks.Devices != nil {
			s.hooks.Devices(s.resolve(ch.Devices, ch.Err))
		}
	}}
	_ = w.Run(ctx)
}
