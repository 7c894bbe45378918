package audio

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testDevices = Devices{
	Microphones: []Device{
		{ID: "alsa_input.usb-headset", Name: "USB Headset", Kind: KindCapture},
		{ID: "alsa_input.pci-builtin", Name: "Built-in Microphone", Kind: KindCapture, IsDefault: true},
		{ID: "bt.headset.2", Name: "Jabra Evolve", Kind: KindCapture},
	},
	Speakers: []Device{
		{ID: "alsa_output.pci-builtin", Name: "Speakers", Kind: KindPlayback, IsDefault: true},
	},
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		devs     Devices
		kind     DeviceKind
		pref     DeviceRef
		want     string
		fellBack bool
		wantErr  error
	}{
		{"no preference is the default", testDevices, KindCapture, DeviceRef{}, "alsa_input.pci-builtin", false, nil},
		{"by ID", testDevices, KindCapture, DeviceRef{ID: "alsa_input.usb-headset", Name: "Old name"}, "alsa_input.usb-headset", false, nil},
		{"ID changed, name kept", testDevices, KindCapture, DeviceRef{ID: "bt.headset.1", Name: "Jabra Evolve"}, "bt.headset.2", false, nil},
		{"name in other case", testDevices, KindCapture, DeviceRef{Name: "usb headset"}, "alsa_input.usb-headset", false, nil},
		{"missing falls back to default", testDevices, KindCapture, DeviceRef{ID: "gone", Name: "Desk Mic"}, "alsa_input.pci-builtin", true, nil},
		{"speaker kind", testDevices, KindPlayback, DeviceRef{Name: "USB Headset"}, "alsa_output.pci-builtin", true, nil},
		{"nothing at all", Devices{}, KindCapture, DeviceRef{Name: "Desk Mic"}, "", false, ErrNoDevice},
		{"no default marked takes the first", Devices{Speakers: []Device{{ID: "a", Name: "A"}, {ID: "b", Name: "B"}}}, KindPlayback, DeviceRef{}, "a", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.devs.Resolve(tt.kind, tt.pref)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.Device.ID)
			assert.Equal(t, tt.fellBack, r.FellBack)
			if tt.fellBack {
				assert.Contains(t, r.Message, "not connected")
				assert.Contains(t, r.Message, r.Device.Name)
			} else {
				assert.Empty(t, r.Message)
			}
		})
	}
}

func TestDeviceNotFoundError(t *testing.T) {
	err := error(&DeviceNotFoundError{Kind: KindCapture, Wanted: "Desk Mic", Available: testDevices.Names(KindCapture)})
	assert.ErrorIs(t, err, ErrDeviceNotFound)
	assert.Equal(t, `no microphone named "Desk Mic"; available: "USB Headset", "Built-in Microphone", "Jabra Evolve"`, err.Error())
	none := &DeviceNotFoundError{Kind: KindPlayback, Wanted: "x"}
	assert.Contains(t, none.Error(), "there is no speaker at all")
}

func TestEnumsHaveWords(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"verdict zero", VerdictUnknown.String(), "unknown"},
		{"working", VerdictWorking.String(), "working"},
		{"silent", VerdictSilent.String(), "silent"},
		{"no mic", VerdictNoMicrophone.String(), "no microphone"},
		{"denied", VerdictAccessDenied.String(), "access denied"},
		{"kind zero", KindUnknown.String(), "unknown device"},
		{"capture", KindCapture.String(), "microphone"},
		{"playback", KindPlayback.String(), "speaker"},
		{"backend zero", BackendUnknown.String(), "unknown"},
		{"null backend", BackendNull.String(), "null"},
		{"permission zero", PermissionUnknown.String(), "unknown"},
		{"permission denied", PermissionDenied.String(), "denied"},
		{"event zero", EventUnknown.String(), "unknown"},
		{"event lost", EventDeviceLost.String(), "device lost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, tt.got) })
	}
}

func TestVerdictJSON(t *testing.T) {
	for _, v := range []Verdict{VerdictUnknown, VerdictWorking, VerdictSilent, VerdictNoMicrophone, VerdictAccessDenied} {
		t.Run(v.String(), func(t *testing.T) {
			b, err := json.Marshal(v)
			require.NoError(t, err)
			assert.Equal(t, `"`+v.String()+`"`, string(b))
			var back Verdict
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, v, back)
		})
	}
	var v Verdict
	assert.Error(t, json.Unmarshal([]byte(`"great"`), &v))
}

func TestDiffDevices(t *testing.T) {
	headset := Device{ID: "usb", Name: "USB Headset", Kind: KindCapture}
	builtin := Device{ID: "pci", Name: "Built-in", Kind: KindCapture, IsDefault: true}
	spk := Device{ID: "spk", Name: "Speakers", Kind: KindPlayback, IsDefault: true}
	tests := []struct {
		name           string
		old, cur       Devices
		added, removed []string
		defaultChanged bool
	}{
		{"nothing changed", Devices{Microphones: []Device{builtin}}, Devices{Microphones: []Device{builtin}}, nil, nil, false},
		{"headset plugged in", Devices{Microphones: []Device{builtin}}, Devices{Microphones: []Device{builtin, headset}}, []string{"usb"}, nil, false},
		{"headset unplugged", Devices{Microphones: []Device{builtin, headset}, Speakers: []Device{spk}}, Devices{Microphones: []Device{builtin}, Speakers: []Device{spk}}, nil, []string{"usb"}, false},
		{"default moved", Devices{Microphones: []Device{builtin, headset}}, Devices{Microphones: []Device{{ID: "pci", Name: "Built-in"}, {ID: "usb", Name: "USB Headset", IsDefault: true}}}, nil, nil, true},
		{"first listing", Devices{}, Devices{Microphones: []Device{builtin}, Speakers: []Device{spk}}, []string{"pci", "spk"}, nil, false},
	}
	ids := func(ds []Device) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := diffDevices(tt.old, tt.cur)
			assert.Equal(t, tt.added, ids(ch.Added))
			assert.Equal(t, tt.removed, ids(ch.Removed))
			assert.Equal(t, tt.defaultChanged, ch.DefaultChanged)
		})
	}
}

func TestRing(t *testing.T) {
	q := newRing(5) // rounds up to 8
	require.Equal(t, 8, q.space())
	assert.Equal(t, 6, q.write([]int16{1, 2, 3, 4, 5, 6}))
	out := make([]int16, 4)
	assert.Equal(t, 4, q.read(out))
	assert.Equal(t, []int16{1, 2, 3, 4}, out)
	assert.Equal(t, 6, q.write([]int16{7, 8, 9, 10, 11, 12, 13}), "only the free space is written")
	assert.Equal(t, 0, q.space())
	all := make([]int16, 10)
	assert.Equal(t, 8, q.read(all))
	assert.Equal(t, []int16{5, 6, 7, 8, 9, 10, 11, 12}, all[:8], "order kept across the wrap")
	assert.Equal(t, 0, q.read(all))
}
