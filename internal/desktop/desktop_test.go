package desktop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/autostart"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/station"
	"github.com/phonebar/phonebar/internal/tray"
)

// fakeWindow records what is done to the window.
type fakeWindow struct {
	mu         sync.Mutex
	r          Rect
	minW, minH int
	onTop      bool
	calls      []string
}

func (f *fakeWindow) Show()                { f.mu.Lock(); f.calls = append(f.calls, "show"); f.mu.Unlock() }
func (f *fakeWindow) Quit()                { f.mu.Lock(); f.calls = append(f.calls, "quit"); f.mu.Unlock() }
func (f *fakeWindow) Size() (int, int)     { f.mu.Lock(); defer f.mu.Unlock(); return f.r.W, f.r.H }
func (f *fakeWindow) Position() (int, int) { f.mu.Lock(); defer f.mu.Unlock(); return f.r.X, f.r.Y }
func (f *fakeWindow) rec(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

// SetSize keeps to the minimum size, as window systems do.
func (f *fakeWindow) SetSize(w, h int) {
	f.rec("size %dx%d", w, h)
	f.mu.Lock()
	f.r.W, f.r.H = max(w, f.minW), max(h, f.minH)
	f.mu.Unlock()
}
func (f *fakeWindow) SetMinSize(w, h int) {
	f.rec("min %dx%d", w, h)
	f.mu.Lock()
	f.minW, f.minH = w, h
	f.mu.Unlock()
}
func (f *fakeWindow) SetPosition(x, y int) {
	f.rec("at %d,%d", x, y)
	f.mu.Lock()
	f.r.X, f.r.Y = x, y
	f.mu.Unlock()
}
func (f *fakeWindow) SetAlwaysOnTop(on bool) {
	f.rec("on top %v", on)
	f.mu.Lock()
	f.onTop = on
	f.mu.Unlock()
}
func (f *fakeWindow) move(x, y int) { f.mu.Lock(); f.r.X, f.r.Y = x, y; f.mu.Unlock() }
func (f *fakeWindow) state() (calls []string, onTop bool, r Rect) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...), f.onTop, f.r
}

func TestCompactFollowsAndPutsTheWindowBack(t *testing.T) {
	w := &fakeWindow{r: Rect{100, 50, 420, 700}, minW: MinWidth, minH: MinHeight}
	c := compact{win: w}
	c.follow(false)
	calls, _, _ := w.state()
	assert.Empty(t, calls, "not compact, nothing to put back")

	c.follow(true)
	calls, onTop, r := w.state()
	assert.Equal(t, []string{"min 340x280", "size 340x280", "at 100,50", "on top true"}, calls, "compact where it is")
	assert.True(t, onTop)
	assert.True(t, c.active())

	// The agent moves the compact window; a second call changes nothing.
	w.move(900, 10)
	c.follow(true)
	calls, _, _ = w.state()
	assert.Len(t, calls, 4)

	c.follow(false)
	calls, onTop, r = w.state()
	assert.Equal(t, []string{"min 340x520", "size 420x700", "at 100,50", "on top false"}, calls[4:], "back where and as large as it was")
	assert.False(t, onTop)
	assert.Equal(t, Rect{100, 50, 420, 700}, r)
	assert.False(t, c.active())
}

func TestTrayStatus(t *testing.T) {
	lunch := &motion.PauseType{ID: 1, Name: "Lunch"}
	in := station.Status{State: agent.StateLoggedIn, Profile: agent.Profile{Name: "alice"},
		PauseTypes: []motion.PauseType{{ID: 1, Name: "Lunch"}, {ID: 2, Name: "Training"}}}
	with := func(edit func(*station.Status)) station.Status { s := in; edit(&s); return s }
	registered := station.Phone{Desk: &desk.View{Registration: sipua.StateRegistered}}
	calling := station.Phone{Desk: &desk.View{Registration: sipua.StateRegistered, Calls: []desk.CallView{
		{ID: "a", Remote: "sip:*43@127.0.0.1", State: phone.StateActive},
		{ID: "b", Remote: "+3902", RemoteName: "Dana", State: phone.StateRinging},
	}}}
	failed := station.Phone{Desk: &desk.View{Registration: sipua.StateFailed, RegistrationErr: errors.New("sipua: 403 forbidden")}}
	tests := []struct {
		name  string
		s     station.Status
		p     station.Phone
		set   config.Desktop
		title string
		calls int
	}{
		{"logged out", station.Status{}, station.Phone{}, config.Desktop{StartWithSystem: true}, "Phonebar: Logged out", 0},
		{"paused for lunch", with(func(s *station.Status) { s.Agent.PauseType = lunch }), registered, config.Desktop{}, "Phonebar: Paused: Lunch", 0},
		{"ready", with(func(s *station.Status) { s.Agent.Ready = true }), registered, config.Desktop{}, "Phonebar: Ready", 0},
		{"registering for the first time", with(func(s *station.Status) { s.Agent.Ready = true }), station.Phone{Desk: &desk.View{Registration: sipua.StateRegistering}}, config.Desktop{}, "Phonebar: Ready", 0},
		{"phone refused", with(func(s *station.Status) { s.Agent.Ready = true }), failed, config.Desktop{}, "Phonebar: Phone not registered", 0},
		{"two calls", in, calling, config.Desktop{}, "Phonebar: In a call with *43 (2 calls)", 2},
		{"reconnecting", with(func(s *station.Status) { s.State, s.Agent.Ready = agent.StateReconnecting, true }), registered, config.Desktop{}, "Phonebar: Connection reconnecting", 0},
		{"no phone (an external agent)", with(func(s *station.Status) { s.Agent.Ready = true }), station.Phone{}, config.Desktop{}, "Phonebar: Ready", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := TrayStatus(tt.s, tt.p, tt.set)
			assert.Equal(t, tt.title, tray.Describe(ts).Title)
			assert.Equal(t, tt.calls, ts.Calls)
			assert.Equal(t, tt.set.StartWithSystem, ts.StartWithSystem)
		})
	}
	ts := TrayStatus(with(func(s *station.Status) { s.Agent.PauseType = lunch }), registered, config.Desktop{})
	assert.Equal(t, []tray.PauseType{{ID: 1, Name: "Lunch"}, {ID: 2, Name: "Training"}}, ts.PauseTypes)
	assert.Equal(t, 1, ts.PauseTypeID)
}

// fakeStation is the station the desktop follows.
type fakeStation struct {
	mu       sync.Mutex
	status   station.Status
	phone    station.Phone
	cfg      *config.Store
	watch    []func()
	actions  []string
	readyErr error
}

func (f *fakeStation) Status() station.Status { f.mu.Lock(); defer f.mu.Unlock(); return f.status }
func (f *fakeStation) Phone() station.Phone   { f.mu.Lock(); defer f.mu.Unlock(); return f.phone }
func (f *fakeStation) SetReady(_ context.Context, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, fmt.Sprintf("ready %v", on))
	return f.readyErr
}
func (f *fakeStation) Pause(_ context.Context, id int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, fmt.Sprintf("pause %d", id))
	return nil
}
func (f *fakeStation) OpenOmni(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, "omni")
	return nil
}
func (f *fakeStation) Settings() *config.Store { return f.cfg }
func (f *fakeStation) Watch(fn func())         { f.mu.Lock(); f.watch = append(f.watch, fn); f.mu.Unlock() }
func (f *fakeStation) Life() context.Context   { return context.Background() }
func (f *fakeStation) set(s station.Status, p station.Phone) {
	f.mu.Lock()
	f.status, f.phone = s, p
	ws := f.watch
	f.mu.Unlock()
	for _, fn := range ws {
		fn()
	}
}

// fakeTray keeps the last status and the actions the desktop gave it.
type fakeTray struct {
	mu      sync.Mutex
	acts    tray.Actions
	last    tray.Status
	updates chan struct{}
	closed  bool
}

func (f *fakeTray) Update(s tray.Status) {
	f.mu.Lock()
	f.last = s
	f.mu.Unlock()
	select {
	case f.updates <- struct{}{}:
	default:
	}
}
func (f *fakeTray) Close() { f.mu.Lock(); f.closed = true; f.mu.Unlock() }
func (f *fakeTray) status() tray.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDesktopFollowsTheStationAndRunsTheMenu(t *testing.T) {
	defer goleak.VerifyNone(t)
	if runtime.GOOS != "linux" {
		t.Skip("the autostart file checked here is Linux's (other systems: internal/autostart)")
	}
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	st := &fakeStation{cfg: config.NewStore(filepath.Join(t.TempDir(), "settings.json"))}
	ft := &fakeTray{updates: make(chan struct{}, 1)}
	var notes []string
	var notesMu sync.Mutex
	win := &fakeWindow{r: Rect{10, 20, 400, 660}, minW: MinWidth, minH: MinHeight}
	d := Start(Options{Station: st, Window: win, Autostart: autostart.Entry{Exec: "/usr/bin/phonebar"},
		Notify:  func(title, body string) { notesMu.Lock(); notes = append(notes, title+": "+body); notesMu.Unlock() },
		NewTray: func(o tray.Options) (Tray, error) { ft.acts = o.Actions; return ft, nil }})
	defer d.Close()

	waitFor(t, "the logged-out status", func() bool { return !ft.status().LoggedIn && ft.acts != nil })
	loggedIn := station.Status{State: agent.StateLoggedIn, Profile: agent.Profile{Name: "alice"}, Agent: agent.Status{Ready: true}}
	st.set(loggedIn, station.Phone{Desk: &desk.View{Registration: sipua.StateRegistered}})
	waitFor(t, "the ready status", func() bool { return ft.status().Ready })

	// Compact is off: a call leaves the window as it is.
	inCall := station.Phone{Desk: &desk.View{Registration: sipua.StateRegistered, Calls: []desk.CallView{{ID: "a", Remote: "*43", State: phone.StateActive}}}}
	st.set(loggedIn, inCall)
	waitFor(t, "the call in the tray", func() bool { return ft.status().Calls == 1 })
	_, onTop, r := win.state()
	assert.False(t, onTop)
	assert.Equal(t, Rect{10, 20, 400, 660}, r)

	// The menu turns compact on during the call: the setting is saved and the window goes compact.
	ft.acts.SetCompact(true)
	waitFor(t, "the compact window", func() bool { _, on, _ := win.state(); return on })
	_, _, r = win.state()
	assert.Equal(t, Rect{10, 20, CompactWidth, CompactHeight}, r)
	saved, err := st.cfg.Load()
	require.NoError(t, err)
	assert.True(t, saved.Desktop.CompactDuringCalls)
	waitFor(t, "the tick on the menu", func() bool { return ft.status().CompactDuringCalls })

	// The call ends: the window comes back.
	st.set(loggedIn, station.Phone{Desk: &desk.View{Registration: sipua.StateRegistered}})
	waitFor(t, "the window back", func() bool { _, on, g := win.state(); return !on && g == Rect{10, 20, 400, 660} })

	// Start with the system: the real XDG autostart file is written, then removed.
	file := filepath.Join(xdg, "autostart", "phonebar.desktop")
	ft.acts.SetStartWithSystem(true)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(data), "\nExec=/usr/bin/phonebar\n")
	saved, err = st.cfg.Load()
	require.NoError(t, err)
	assert.True(t, saved.Desktop.StartWithSystem)
	ft.acts.SetStartWithSystem(false)
	_, err = os.Stat(file)
	assert.True(t, os.IsNotExist(err), "turned off: the file is gone")
	saved, err = st.cfg.Load()
	require.NoError(t, err)
	assert.False(t, saved.Desktop.StartWithSystem)

	// A folder that cannot be written: the setting stays off and the agent is told what to do.
	require.NoError(t, os.Remove(filepath.Join(xdg, "autostart")))
	require.NoError(t, os.WriteFile(filepath.Join(xdg, "autostart"), nil, 0o644))
	ft.acts.SetStartWithSystem(true)
	saved, err = st.cfg.Load()
	require.NoError(t, err)
	assert.False(t, saved.Desktop.StartWithSystem, "the setting never says what is not so")
	notesMu.Lock()
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0], "Phonebar: Start with the system: Starting with the system could not be turned on: "+file)
	notesMu.Unlock()

	// Station actions, and a refused Ready told to the agent.
	ft.acts.Pause(2)
	ft.acts.OpenOmni()
	st.mu.Lock()
	st.readyErr = errors.New("the microphone is silent: check it in the settings")
	st.mu.Unlock()
	ft.acts.SetReady(true)
	st.mu.Lock()
	assert.Equal(t, []string{"pause 2", "omni", "ready true"}, st.actions)
	st.mu.Unlock()
	notesMu.Lock()
	assert.Equal(t, "Phonebar: Ready: The microphone is silent: check it in the settings", notes[1])
	notesMu.Unlock()

	// Quit shows the window, then closes it the window's way (which asks during a call). During a
	// call it is shown at its full size for the question, until the calls are over.
	st.set(loggedIn, inCall)
	waitFor(t, "the compact window", func() bool { _, on, _ := win.state(); return on })
	ft.acts.Quit()
	calls, onTop, r := win.state()
	assert.Equal(t, []string{"on top false", "show", "quit"}, calls[len(calls)-3:])
	assert.False(t, onTop)
	assert.Equal(t, Rect{10, 20, 400, 660}, r)
	// The agent said no: the call goes on (and the agent pauses), the window stays full.
	paused := loggedIn
	paused.Agent.Ready = false
	st.set(paused, inCall)
	waitFor(t, "the pause in the tray", func() bool { return !ft.status().Ready })
	_, onTop, _ = win.state()
	assert.False(t, onTop)
	st.set(paused, station.Phone{Desk: &desk.View{Registration: sipua.StateRegistered}})
	waitFor(t, "the call over in the tray", func() bool { return ft.status().Calls == 0 })
	st.set(paused, inCall) // the next call is compact again
	waitFor(t, "the compact window for the next call", func() bool { _, on, _ := win.state(); return on })

	d.Close()
	ft.mu.Lock()
	assert.True(t, ft.closed)
	ft.mu.Unlock()
}

func TestDesktopWithoutATray(t *testing.T) {
	defer goleak.VerifyNone(t)
	st := &fakeStation{cfg: config.NewStore(filepath.Join(t.TempDir(), "settings.json"))}
	require.NoError(t, st.cfg.Update(func(s *config.Settings) error { s.Desktop.CompactDuringCalls = true; return nil }))
	win := &fakeWindow{r: Rect{W: 400, H: 660}}
	d := Start(Options{Station: st, Window: win, NewTray: func(tray.Options) (Tray, error) { return nil, tray.ErrUnavailable }})
	// Compact mode works without a tray.
	st.set(station.Status{State: agent.StateLoggedIn}, station.Phone{Desk: &desk.View{Calls: []desk.CallView{{ID: "a", State: phone.StateActive}}}})
	waitFor(t, "the compact window", func() bool { _, on, _ := win.state(); return on })
	d.Close()
	d.Close()
}

func TestDesktopEndsWithTheStationsLife(t *testing.T) {
	defer goleak.VerifyNone(t)
	life, end := context.WithCancel(context.Background())
	st := &lifeStation{fakeStation: fakeStation{cfg: config.NewStore(filepath.Join(t.TempDir(), "settings.json"))}, life: life}
	ft := &fakeTray{updates: make(chan struct{}, 1)}
	d := Start(Options{Station: st, Window: &fakeWindow{}, NewTray: func(tray.Options) (Tray, error) { return ft, nil }})
	end()
	<-d.done
	ft.mu.Lock()
	assert.True(t, ft.closed, "the tray icon is gone")
	ft.mu.Unlock()
	d.Close()
}

type lifeStation struct {
	fakeStation
	life context.Context
}

func (l *lifeStation) Life() context.Context { return l.life }

func TestNumber(t *testing.T) {
	for in, want := range map[string]string{
		"sip:*43@127.0.0.1":           "*43",
		"sips:+390212345@pbx.example": "+390212345",
		"+390212345":                  "+390212345",
		"sip:pbx.example":             "sip:pbx.example",
		"sip:@pbx.example":            "sip:@pbx.example",
	} {
		assert.Equal(t, want, number(in), in)
	}
}
