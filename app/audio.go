package app

import (
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/station"
)

// EventAudio carries an AudioView when the devices change; EventMicLevel a MicLevel while a
// microphone check listens.
const (
	EventAudio    = "audio"
	EventMicLevel = "mic-level"
	// EventMicCheck carries the MicCheckView of every finished microphone check.
	EventMicCheck = "mic-check"
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
	// Processing is whether calls clean up the microphone (echo, noise, level).
	Processing bool `json:"processing"`
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
func (a *Audio) View() AudioView { return audioView(a.c.st.Devices(a.c.st.Life())) }

// Select remembers the device for a role ("microphone", "speaker", "ringer") by ID and name; an
// empty id means the system default.
func (a *Audio) Select(role, id string) (AudioView, error) {
	d, err := a.c.st.SelectDevice(a.c.st.Life(), role, id)
	return audioView(d), err
}

// SetProcessing turns echo cancellation, noise suppression and gain control in calls on or off,
// from the next call on.
func (a *Audio) SetProcessing(on bool) (AudioView, error) {
	d, err := a.c.st.SetProcessing(a.c.st.Life(), on)
	return audioView(d), err
}

// CheckMicrophone listens to the chosen microphone (emitting EventMicLevel for the meter) and says
// whether it works.
func (a *Audio) CheckMicrophone() (MicCheckView, error) {
	res, err := a.c.st.CheckMicrophone(a.c.st.Life(), 0)
	return micCheckView(res), err
}

// Test plays a short tone on the speaker, or the ringtone on the ringer output.
func (a *Audio) Test(role string) (string, error) { return a.c.st.TestSound(a.c.st.Life(), role) }

func micCheckView(r audio.CheckResult) MicCheckView {
	return MicCheckView{Verdict: r.Verdict.String(), Message: r.Message, Device: r.Device.Name, RMSDBFS: r.RMSDBFS, PeakDBFS: r.PeakDBFS, DominantHz: r.DominantHz}
}

// audioView maps the devices and choices to the window's view.
func audioView(d station.Devices) AudioView {
	v := AudioView{Microphones: []DeviceView{}, Speakers: []DeviceView{}, Notices: d.Notices,
		Microphone: d.Microphone, Speaker: d.Speaker, Ringer: d.Ringer, Processing: d.Processing}
	if d.Err != nil {
		v.Problem = problem.Of(d.Err).Message
	}
	for _, m := range d.List.Microphones {
		v.Microphones = append(v.Microphones, DeviceView{ID: m.ID, Name: m.Name, Default: m.IsDefault})
	}
	for _, s := range d.List.Speakers {
		v.Speakers = append(v.Speakers, DeviceView{ID: s.ID, Name: s.Name, Default: s.IsDefault})
	}
	return v
}
