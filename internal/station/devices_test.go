package station

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/readiness"
)

// fakeSound is a sound system with fixed devices that records what it was asked.
type fakeSound struct {
	mu      sync.Mutex
	devs    audio.Devices
	listErr error
	checked []string
	played  []audio.PlayOptions
	check   audio.CheckResult
	// hold, when set, keeps CheckMicrophone until it is closed.
	hold chan struct{}
}

func (f *fakeSound) ListDevices(context.Context) (audio.Devices, error) {
	if f.listErr != nil {
		return audio.Devices{}, f.listErr
	}
	return f.devs, nil
}

func (f *fakeSound) CheckMicrophone(ctx context.Context, o audio.CheckOptions) (audio.CheckResult, error) {
	f.mu.Lock()
	f.checked = append(f.checked, o.Device)
	f.mu.Unlock()
	if f.hold != nil {
		<-f.hold
	}
	if o.OnLevel != nil {
		o.OnLevel(audio.Level{RMSDBFS: -30, PeakDBFS: -20})
	}
	return f.check, nil
}

func (f *fakeSound) PlayTone(_ context.Context, o audio.PlayOptions) (audio.PlayResult, error) {
	f.mu.Lock()
	f.played = append(f.played, o)
	f.mu.Unlock()
	for _, d := range f.devs.Speakers {
		if d.ID == o.Device.ID {
			return audio.PlayResult{Device: d}, nil
		}
	}
	return audio.PlayResult{Device: f.devs.Speakers[0], FellBack: true, Message: "The chosen speaker is missing: played on the default."}, nil
}

var (
	builtinMic = audio.Device{ID: "mic-1", Name: "Built-in Microphone", Kind: audio.KindCapture, IsDefault: true}
	headsetMic = audio.Device{ID: "mic-2", Name: "Headset Microphone", Kind: audio.KindCapture}
	speakers   = audio.Device{ID: "spk-1", Name: "Speakers", Kind: audio.KindPlayback, IsDefault: true}
	headset    = audio.Device{ID: "spk-2", Name: "Headset", Kind: audio.KindPlayback}
)

// deviceStation is a Station with only what the device policy uses: settings in a temp folder and
// a fake sound system.
func deviceStation(t *testing.T, snd *fakeSound) *Station {
	t.Helper()
	if snd.devs.Microphones == nil {
		snd.devs = audio.Devices{Microphones: []audio.Device{builtinMic, headsetMic}, Speakers: []audio.Device{speakers, headset}}
	}
	log := logrus.New()
	log.SetLevel(logrus.PanicLevel)
	return &Station{log: log, cfg: config.NewStore(filepath.Join(t.TempDir(), "settings.json")), sound: snd}
}

func TestSelectDeviceRemembersTheChoice(t *testing.T) {
	mic := func(d Devices) string { return d.Microphone }
	spk := func(d Devices) string { return d.Speaker }
	tests := []struct {
		name     string
		role, id string
		code     problem.Code
		inUse    func(Devices) string
		wantID   string
		saved    func(config.Settings) audio.DeviceRef
		wantSave audio.DeviceRef
	}{
		{"a microphone", RoleMicrophone, "mic-2", "", mic, "mic-2", savedMic, headsetMic.Ref()},
		{"a microphone by name", RoleMicrophone, "Headset Microphone", "", mic, "mic-2", savedMic, headsetMic.Ref()},
		{"a speaker", RoleSpeaker, "spk-2", "", spk, "spk-2", savedSpeaker, headset.Ref()},
		{"the ringer", RoleRinger, "spk-2", "", func(d Devices) string { return d.Ringer }, "spk-2", func(s config.Settings) audio.DeviceRef { return choices(s)[RoleRinger] }, headset.Ref()},
		{"back to the default", RoleSpeaker, "", "", spk, "spk-1", savedSpeaker, audio.DeviceRef{}},
		{"a microphone is not a speaker", RoleSpeaker, "mic-2", problem.CodeNoSuchDevice, spk, "spk-1", savedSpeaker, audio.DeviceRef{}},
		{"a device that is gone", RoleMicrophone, "mic-9", problem.CodeNoSuchDevice, mic, "mic-1", savedMic, audio.DeviceRef{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := deviceStation(t, &fakeSound{})
			d, err := s.SelectDevice(context.Background(), tt.role, tt.id)
			if tt.code != "" {
				require.Error(t, err)
				assert.Equal(t, tt.code, problem.Of(err).Code)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantID, tt.inUse(d))
			st, err := s.cfg.Load()
			require.NoError(t, err)
			assert.Equal(t, tt.wantSave, tt.saved(st), "ID and name are kept, to find the device again")
		})
	}
}

func savedMic(s config.Settings) audio.DeviceRef     { return choices(s)[RoleMicrophone] }
func savedSpeaker(s config.Settings) audio.DeviceRef { return choices(s)[RoleSpeaker] }

func TestSelectDeviceRefusals(t *testing.T) {
	t.Run("no sound system", func(t *testing.T) {
		s := deviceStation(t, &fakeSound{listErr: audio.ErrNoAudioServer})
		d, err := s.SelectDevice(context.Background(), RoleMicrophone, "mic-2")
		assert.Equal(t, problem.CodeNoSoundSystem, problem.Of(err).Code)
		assert.ErrorIs(t, d.Err, audio.ErrNoAudioServer)
	})
	t.Run("an unknown role writes nothing", func(t *testing.T) {
		s := deviceStation(t, &fakeSound{})
		_, err := s.SelectDevice(context.Background(), "headphones", "spk-2")
		require.Error(t, err)
		assert.Contains(t, err.Error(), `unknown device role "headphones"`)
		st, err := s.cfg.Load()
		require.NoError(t, err)
		assert.Equal(t, config.Default().Audio, st.Audio)
	})
}

// TestChoosingAMicrophoneForgetsTheVerdict: going ready after choosing another microphone checks it
// again.
func TestChoosingAMicrophoneForgetsTheVerdict(t *testing.T) {
	s := deviceStation(t, &fakeSound{check: audio.CheckResult{Verdict: audio.VerdictWorking, Device: builtinMic}})
	_, err := s.CheckMicrophone(context.Background(), 0)
	require.NoError(t, err)
	require.True(t, s.mic.Working())
	_, err = s.SelectDevice(context.Background(), RoleSpeaker, "spk-2")
	require.NoError(t, err)
	assert.True(t, s.mic.Working(), "a speaker says nothing of the microphone")
	_, err = s.SelectDevice(context.Background(), RoleMicrophone, "mic-2")
	require.NoError(t, err)
	assert.False(t, s.mic.Working())
}

func TestResolveSaysWhenTheDefaultStandsIn(t *testing.T) {
	s := deviceStation(t, &fakeSound{})
	require.NoError(t, s.cfg.Update(func(st *config.Settings) error {
		st.Audio.MicrophoneID, st.Audio.MicrophoneName = "usb-9", "USB Headset"
		st.Audio.RingerID, st.Audio.RingerName = "spk-2", "Headset"
		return nil
	}))
	d := s.Devices(context.Background())
	require.NoError(t, d.Err)
	assert.Equal(t, "mic-1", d.Microphone, "the default microphone stands in")
	assert.Equal(t, "spk-1", d.Speaker)
	assert.Equal(t, "spk-2", d.Ringer)
	require.Len(t, d.Notices, 1)
	assert.Contains(t, d.Notices[0], "USB Headset")
}

func TestResolveWithDamagedSettingsShowsTheDefaults(t *testing.T) {
	s := deviceStation(t, &fakeSound{})
	require.NoError(t, writeFile(s.cfg.Path(), "{not json"))
	d := s.Devices(context.Background())
	assert.Equal(t, "mic-1", d.Microphone)
	require.Len(t, d.Notices, 1)
	assert.Contains(t, d.Notices[0], "settings.json", "the notice names the damaged file")
}

func TestCheckMicrophone(t *testing.T) {
	t.Run("a chosen microphone that is gone: the default is checked", func(t *testing.T) {
		snd := &fakeSound{check: audio.CheckResult{Verdict: audio.VerdictSilent, Device: builtinMic}}
		s := deviceStation(t, snd)
		require.NoError(t, s.cfg.Update(func(st *config.Settings) error {
			st.Audio.MicrophoneID, st.Audio.MicrophoneName = "usb-9", "USB Headset"
			return nil
		}))
		var levels []audio.Level
		var checks []audio.CheckResult
		s.hooks = Hooks{MicLevel: func(l audio.Level) { levels = append(levels, l) }, MicCheck: func(r audio.CheckResult) { checks = append(checks, r) }}
		res, err := s.CheckMicrophone(context.Background(), 0)
		require.NoError(t, err)
		assert.Equal(t, audio.VerdictSilent, res.Verdict)
		assert.Equal(t, []string{"mic-1"}, snd.checked)
		assert.Len(t, levels, 1, "the meter's readings are passed on")
		assert.Len(t, checks, 1)
		assert.False(t, s.mic.Working(), "silent is not working")
	})
	t.Run("one check at a time", func(t *testing.T) {
		snd := &fakeSound{check: audio.CheckResult{Verdict: audio.VerdictWorking}, hold: make(chan struct{})}
		s := deviceStation(t, snd)
		done := make(chan error, 1)
		go func() { _, err := s.CheckMicrophone(context.Background(), 0); done <- err }()
		require.Eventually(t, func() bool {
			snd.mu.Lock()
			defer snd.mu.Unlock()
			return len(snd.checked) == 1
		}, 5*time.Second, 5*time.Millisecond)
		_, err := s.CheckMicrophone(context.Background(), 0)
		assert.ErrorIs(t, err, readiness.ErrChecking)
		close(snd.hold)
		require.NoError(t, <-done)
		assert.True(t, s.mic.Working())
	})
}

func TestTestSound(t *testing.T) {
	tests := []struct {
		name     string
		role     string
		choose   func(*config.Settings)
		want     string
		ringtone bool
	}{
		{"the speaker", RoleSpeaker, func(st *config.Settings) { st.Audio.SpeakerID = "spk-2" }, "Played on Headset.", false},
		{"the ringer", RoleRinger, func(st *config.Settings) { st.Audio.RingerID = "spk-1" }, "Played on Speakers.", true},
		{"a missing speaker", RoleSpeaker, func(st *config.Settings) { st.Audio.SpeakerID = "gone" }, "The chosen speaker is missing: played on the default.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snd := &fakeSound{}
			s := deviceStation(t, snd)
			require.NoError(t, s.cfg.Update(func(st *config.Settings) error { tt.choose(st); return nil }))
			got, err := s.TestSound(context.Background(), tt.role)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			require.Len(t, snd.played, 1)
			assert.Equal(t, tt.ringtone, snd.played[0].Ringtone)
		})
	}
}

func TestCallAudioFollowsTheSettings(t *testing.T) {
	s := deviceStation(t, &fakeSound{})
	require.NoError(t, s.cfg.Update(func(st *config.Settings) error {
		st.Audio.MicrophoneID, st.Audio.SpeakerID, st.Audio.ProcessingOff = "mic-2", "spk-2", true
		return nil
	}))
	capture, playback := s.callDevices()
	assert.Equal(t, "mic-2", capture.ID)
	assert.Equal(t, "spk-2", playback.ID)
	assert.False(t, s.callProcessing().EchoCancel)
	require.NoError(t, writeFile(s.cfg.Path(), "{not json"))
	capture, _ = s.callDevices()
	assert.Equal(t, audio.DeviceRef{}, capture, "damaged settings: the defaults serve")
	assert.True(t, s.callProcessing().EchoCancel)
}

// The switch in the Audio panel: it is saved, the next call follows it, and the view says so.
func TestSetProcessing(t *testing.T) {
	s := deviceStation(t, &fakeSound{})
	ctx := context.Background()
	assert.True(t, s.Devices(ctx).Processing, "on by default")
	assert.True(t, s.callProcessing().Any())
	for _, on := range []bool{false, true, false} {
		d, err := s.SetProcessing(ctx, on)
		require.NoError(t, err)
		assert.Equal(t, on, d.Processing)
		st, err := s.cfg.Load()
		require.NoError(t, err)
		assert.Equal(t, !on, st.Audio.ProcessingOff, "saved")
		assert.Equal(t, processing.Options{EchoCancel: on, NoiseSuppress: on, GainControl: on}, s.callProcessing())
	}
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }
