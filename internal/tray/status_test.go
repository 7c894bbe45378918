package tray

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var reasons = []PauseType{{ID: 1, Name: "Lunch"}, {ID: 2, Name: "Training"}}

func TestDescribe(t *testing.T) {
	agent := Status{LoggedIn: true, Agent: "alice", PauseTypes: reasons}
	with := func(edit func(*Status)) Status { s := agent; edit(&s); return s }
	tests := []struct {
		name  string
		s     Status
		light Light
		title string
		tip   string
	}{
		{"logged out", Status{}, LightOff, "Phonebar: Logged out", "Phonebar: Logged out\nOpen the Phonebar to log in."},
		{"ready", with(func(s *Status) { s.Ready = true }), LightReady, "Phonebar: Ready", "Phonebar: Ready\nAgent alice"},
		{"paused without a reason", agent, LightPaused, "Phonebar: Paused", "Phonebar: Paused\nAgent alice"},
		{"paused for lunch", with(func(s *Status) { s.PauseTypeID, s.PauseReason = 1, "Lunch" }), LightPaused, "Phonebar: Paused: Lunch", "Phonebar: Paused: Lunch\nAgent alice"},
		{"in a call", with(func(s *Status) { s.Ready, s.Calls, s.CallWith = true, 1, "*43" }), LightCall, "Phonebar: In a call with *43", "Phonebar: In a call with *43\nAgent alice"},
		{"two calls", with(func(s *Status) { s.Calls, s.CallWith = 2, "+3902" }), LightCall, "Phonebar: In a call with +3902 (2 calls)", "Phonebar: In a call with +3902 (2 calls)\nAgent alice"},
		{"a call without a name", with(func(s *Status) { s.Calls = 1 }), LightCall, "Phonebar: In a call", "Phonebar: In a call\nAgent alice"},
		{"phone not registered", with(func(s *Status) {
			s.Ready, s.HasPhone, s.PhoneProblem = true, true, "The SIP server refused the password."
		}), LightProblem,
			"Phonebar: Phone not registered", "Phonebar: Phone not registered\nAgent alice\nThe SIP server refused the password."},
		{"phone registered", with(func(s *Status) { s.Ready, s.HasPhone, s.Registered = true, true, true }), LightReady, "Phonebar: Ready", "Phonebar: Ready\nAgent alice"},
		{"reconnecting", with(func(s *Status) { s.Ready, s.Connection = true, "reconnecting" }), LightProblem, "Phonebar: Connection reconnecting", "Phonebar: Connection reconnecting\nAgent alice"},
		{"a call beats a lost registration", with(func(s *Status) { s.HasPhone, s.Calls = true, 1 }), LightCall, "Phonebar: In a call", "Phonebar: In a call\nAgent alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lk := Describe(tt.s)
			assert.Equal(t, tt.light, lk.Light)
			assert.Equal(t, tt.title, lk.Title)
			assert.Equal(t, tt.tip, lk.Tooltip)
		})
	}
}

func TestMenu(t *testing.T) {
	find := func(items []Item, key string) Item {
		for _, it := range items {
			if it.Key == key {
				return it
			}
		}
		t.Fatalf("no item %q", key)
		return Item{}
	}
	keys := func(items []Item) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Key)
		}
		return out
	}
	order := []string{KeyStatus, KeyReady, KeyPause, KeyPauseFor, KeyOmni, KeyShow, KeyAutostart, KeyCompact, KeyQuit}

	out := Menu(Status{StartWithSystem: true})
	assert.Equal(t, order, keys(out), "the same items in every status")
	for _, k := range []string{KeyReady, KeyPause, KeyPauseFor, KeyOmni} {
		assert.True(t, find(out, k).Disabled, "%s is disabled while logged out", k)
	}
	for _, k := range []string{KeyShow, KeyAutostart, KeyCompact, KeyQuit} {
		assert.False(t, find(out, k).Disabled, "%s works while logged out", k)
	}
	assert.True(t, find(out, KeyPauseFor).Hidden, "no reasons: no submenu")
	assert.True(t, find(out, KeyAutostart).Checked)
	assert.False(t, find(out, KeyCompact).Checked)
	assert.Equal(t, "Status: Logged out", find(out, KeyStatus).Title)

	lunch := Menu(Status{LoggedIn: true, Agent: "alice", PauseTypes: reasons, PauseTypeID: 1, PauseReason: "Lunch", CompactDuringCalls: true})
	assert.Equal(t, order, keys(lunch))
	pf := find(lunch, KeyPauseFor)
	assert.False(t, pf.Hidden)
	require.Len(t, pf.Children, 2)
	assert.Equal(t, []Item{
		{Key: "pause-for:1", Title: "Lunch", Checkable: true, Checked: true},
		{Key: "pause-for:2", Title: "Training", Checkable: true},
	}, pf.Children)
	assert.False(t, find(lunch, KeyReady).Checked)
	assert.False(t, find(lunch, KeyPause).Checked, "paused for a reason, not without one")
	assert.True(t, find(lunch, KeyCompact).Checked)
	assert.Equal(t, "Status: Paused: Lunch", find(lunch, KeyStatus).Title)

	ready := Menu(Status{LoggedIn: true, Ready: true, PauseTypes: reasons})
	assert.True(t, find(ready, KeyReady).Checked)
	assert.False(t, find(ready, KeyPause).Checked)
	assert.False(t, find(ready, KeyPauseFor).Children[0].Checked)
}

// recorder records the actions called.
type recorder struct{ calls []string }

func (r *recorder) add(s string)     { r.calls = append(r.calls, s) }
func (r *recorder) SetReady(on bool) { r.add(map[bool]string{true: "ready", false: "pause"}[on]) }
func (r *recorder) Pause(id int)     { r.add("pause:" + string(rune('0'+id))) }
func (r *recorder) OpenOmni()        { r.add("omni") }
func (r *recorder) Show()            { r.add("show") }
func (r *recorder) SetStartWithSystem(on bool) {
	r.add(map[bool]string{true: "autostart on", false: "autostart off"}[on])
}
func (r *recorder) SetCompact(on bool) {
	r.add(map[bool]string{true: "compact on", false: "compact off"}[on])
}
func (r *recorder) Quit() { r.add("quit") }

func TestDispatch(t *testing.T) {
	in := Status{LoggedIn: true, PauseTypes: reasons, StartWithSystem: true}
	tests := []struct {
		name string
		s    Status
		key  string
		ok   bool
		want []string
	}{
		{"ready", in, KeyReady, true, []string{"ready"}},
		{"pause", in, KeyPause, true, []string{"pause"}},
		{"pause for lunch", in, "pause-for:1", true, []string{"pause:1"}},
		{"a reason the server does not have", in, "pause-for:9", false, nil},
		{"a malformed reason", in, "pause-for:x", false, nil},
		{"omni", in, KeyOmni, true, []string{"omni"}},
		{"show", in, KeyShow, true, []string{"show"}},
		{"autostart off", in, KeyAutostart, true, []string{"autostart off"}},
		{"compact on", in, KeyCompact, true, []string{"compact on"}},
		{"quit", in, KeyQuit, true, []string{"quit"}},
		{"the status line does nothing", in, KeyStatus, false, nil},
		{"an unknown key", in, "nope", false, nil},
		{"ready while logged out", Status{}, KeyReady, false, nil},
		{"pause while logged out", Status{}, KeyPause, false, nil},
		{"a reason while logged out", Status{PauseTypes: reasons}, "pause-for:1", false, nil},
		{"omni while logged out", Status{}, KeyOmni, false, nil},
		{"show while logged out", Status{}, KeyShow, true, []string{"show"}},
		{"quit while logged out", Status{}, KeyQuit, true, []string{"quit"}},
		{"autostart on while logged out", Status{}, KeyAutostart, true, []string{"autostart on"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			assert.Equal(t, tt.ok, Dispatch(tt.key, tt.s, r))
			assert.Equal(t, tt.want, r.calls)
		})
	}
}

func TestIcons(t *testing.T) {
	seen := map[string]Light{}
	for _, l := range []Light{LightOff, LightReady, LightPaused, LightCall, LightProblem} {
		t.Run(l.String(), func(t *testing.T) {
			p := IconPNG(l)
			img, err := png.Decode(bytes.NewReader(p))
			require.NoError(t, err)
			assert.Equal(t, iconSize, img.Bounds().Dx())
			_, _, _, a := img.At(0, 0).RGBA()
			assert.Zero(t, a, "the corner is transparent")
			r, g, b, a := img.At(iconSize/2, iconSize/5).RGBA()
			assert.Equal(t, uint32(0xffff), a, "the disc is opaque")
			c := lightColours[l]
			assert.Equal(t, [3]uint32{uint32(c.R) * 0x101, uint32(c.G) * 0x101, uint32(c.B) * 0x101}, [3]uint32{r, g, b}, "the disc has the light's colour")
			key := string(p)
			if other, dup := seen[key]; dup {
				t.Fatalf("%s draws the same icon as %s", l, other)
			}
			seen[key] = l

			ico := IconICO(l)
			require.Greater(t, len(ico), 22)
			assert.Equal(t, []uint16{0, 1, 1}, []uint16{binary.LittleEndian.Uint16(ico), binary.LittleEndian.Uint16(ico[2:]), binary.LittleEndian.Uint16(ico[4:])})
			assert.Equal(t, uint32(len(p)), binary.LittleEndian.Uint32(ico[14:]))
			assert.Equal(t, uint32(22), binary.LittleEndian.Uint32(ico[18:]))
			assert.Equal(t, p, ico[22:], "the ICO holds the PNG")
		})
	}
}
