package desktop

import (
	"context"
	"errors"
	"os"
	"sync"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/autostart"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/station"
	"github.com/phonebar/phonebar/internal/tray"
)

// Station is what the desktop uses of the agent's workstation (*station.Station).
type Station interface {
	Status() station.Status
	Phone() station.Phone
	SetReady(ctx context.Context, on bool) error
	Pause(ctx context.Context, pauseTypeID int) error
	OpenOmni(ctx context.Context) error
	Settings() *config.Store
	Watch(fn func())
	Life() context.Context
}

// Tray is the tray icon (*tray.Tray).
type Tray interface {
	Update(tray.Status)
	Close()
}

// Options configures a Desktop. Zero values are documented per field.
type Options struct {
	// Station is the agent's workstation. Required. The desktop ends with its Life.
	Station Station
	// Window is the Phonebar window. Required.
	Window Window
	// Autostart is the entry written when the agent turns starting with the system on; a zero ID,
	// Name or Exec means "phonebar", "Phonebar" and this program (os.Executable).
	Autostart autostart.Entry
	// Notify shows the agent a problem the desktop met (a setting that could not be applied, a
	// refused Ready); nil: logged only.
	Notify func(title, body string)
	// NewTray makes the tray; nil means tray.New (the system's tray).
	NewTray func(tray.Options) (Tray, error)
	// Logger receives logs; nil means logrus.StandardLogger().
	Logger logrus.FieldLogger
	// NativeWindow says Window is this process's own GTK window: on Linux it is then placed in one
	// step on GTK's main thread (minimum, size, place, above), which Wails' own calls do not do in
	// order. False: through Window's methods only.
	NativeWindow bool
}

// Desktop is the Phonebar's life beside its window. Start one once the window exists; it ends with
// the station's Life, or at Close.
type Desktop struct {
	st      Station
	entry   autostart.Entry
	notify  func(title, body string)
	newTray func(tray.Options) (Tray, error)
	log     logrus.FieldLogger

	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	tray   Tray // nil when there is none (no tray on this desktop), or once closed
	win    Window
	window compact
	// asking: the tray's Quit asks the agent in the window, shown at its full size for that, until
	// the calls are over.
	asking bool
}

// Start puts the tray icon up, brings the autostart entry up to date (the program may have moved
// since it was written) and follows the station from now on, until its Life ends or Close. It is
// called once, when the window exists.
func Start(opts Options) *Desktop {
	d := &Desktop{st: opts.Station, entry: opts.Autostart, notify: opts.Notify, newTray: opts.NewTray, log: opts.Logger,
		win: opts.Window, wake: make(chan struct{}, 1), done: make(chan struct{})}
	if d.log == nil {
		d.log = logrus.StandardLogger()
	}
	d.window = compact{win: opts.Window, native: opts.NativeWindow, log: d.log, minW: MinWidth, minH: MinHeight}
	if d.newTray == nil {
		d.newTray = func(o tray.Options) (Tray, error) { return tray.New(o) }
	}
	if d.entry.ID == "" {
		d.entry.ID = "phonebar"
	}
	if d.entry.Name == "" {
		d.entry.Name = "Phonebar"
	}
	if d.entry.Exec == "" {
		if exe, err := os.Executable(); err == nil {
			d.entry.Exec = exe
		}
	}
	t, err := d.newTray(tray.Options{Actions: actions{d}, Logger: d.log})
	if err != nil {
		level := logrus.WarnLevel
		if errors.Is(err, tray.ErrUnavailable) {
			level = logrus.InfoLevel
		}
		d.log.WithError(err).Log(level, "desktop: no tray icon")
	} else {
		d.mu.Lock()
		d.tray = t
		d.mu.Unlock()
	}
	d.syncAutostart()
	ctx, cancel := context.WithCancel(d.st.Life())
	d.cancel = cancel
	d.st.Watch(d.changed)
	d.changed()
	go d.loop(ctx)
	return d
}

// Close removes the tray icon and stops following the station, and waits for that. It is
// idempotent; the end of the station's Life does the same.
func (d *Desktop) Close() {
	d.cancel()
	<-d.done
}

// changed is the station's watcher: it only wakes the loop.
func (d *Desktop) changed() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *Desktop) loop(ctx context.Context) {
	defer close(d.done)
	defer func() {
		d.mu.Lock()
		t := d.tray
		d.tray = nil
		d.mu.Unlock()
		if t != nil {
			t.Close()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
			d.refresh()
		}
	}
}

// refresh shows the station's state in the tray and makes the window compact or not.
func (d *Desktop) refresh() {
	set := d.settings()
	s := TrayStatus(d.st.Status(), d.st.Phone(), set)
	d.mu.Lock()
	t := d.tray
	if s.Calls == 0 {
		d.asking = false
	}
	d.window.follow(set.CompactDuringCalls && s.Calls > 0 && !d.asking)
	d.mu.Unlock()
	if t != nil {
		t.Update(s)
	}
}

func (d *Desktop) settings() config.Desktop {
	st, err := d.st.Settings().Load()
	if err != nil {
		return config.Desktop{}
	}
	return st.Desktop
}

// syncAutostart writes the entry again when the setting is on and the entry is missing or names
// another program path.
func (d *Desktop) syncAutostart() {
	if !d.settings().StartWithSystem {
		return
	}
	if on, err := autostart.Enabled(d.entry); err == nil && on {
		return
	}
	if err := autostart.Enable(d.entry); err != nil {
		d.problem("Start with the system", err)
	}
}

// setAutostart turns starting with the system on or off: the entry first, then the setting, so
// that the setting never says what is not so.
func (d *Desktop) setAutostart(on bool) {
	var err error
	if on {
		err = autostart.Enable(d.entry)
	} else {
		err = autostart.Disable(d.entry)
	}
	if err != nil {
		d.problem("Start with the system", err)
		return
	}
	d.update(func(s *config.Desktop) { s.StartWithSystem = on })
	d.log.WithField("on", on).Info("desktop: start with the system")
}

func (d *Desktop) setCompact(on bool) {
	d.update(func(s *config.Desktop) { s.CompactDuringCalls = on })
	d.log.WithField("on", on).Info("desktop: compact window during calls")
}

func (d *Desktop) update(fn func(*config.Desktop)) {
	err := d.st.Settings().Update(func(s *config.Settings) error { fn(&s.Desktop); return nil })
	if err != nil {
		d.problem("Settings", err)
	}
	d.changed()
}

// problem tells the agent what went wrong and what to do.
func (d *Desktop) problem(what string, err error) {
	msg := problem.Of(err).Message
	d.log.WithError(err).Warn("desktop: " + what)
	if d.notify != nil {
		d.notify("Phonebar: "+what, msg)
	}
}

// actions are the tray menu's actions on the desktop and the station.
type actions struct{ d *Desktop }

func (a actions) SetReady(on bool) {
	if err := a.d.st.SetReady(a.d.st.Life(), on); err != nil {
		a.d.problem(map[bool]string{true: "Ready", false: "Pause"}[on], err)
	}
}

func (a actions) Pause(id int) {
	if err := a.d.st.Pause(a.d.st.Life(), id); err != nil {
		a.d.problem("Pause", err)
	}
}

func (a actions) OpenOmni() {
	if err := a.d.st.OpenOmni(a.d.st.Life()); err != nil {
		a.d.problem("Omni Desktop", err)
	}
}

func (a actions) Show() { a.d.win.Show() }

// Quit shows the window first, at its full size: during a call it asks the agent there, as its own
// close does.
func (a actions) Quit() {
	a.d.AskAtFullSize()
	a.d.win.Show()
	a.d.win.Quit()
}

// AskAtFullSize puts a compact window back where and as large as it was, not above others, for a
// question the window asks (quitting during a call); it stays so until the calls are over. Not to
// be called on the window system's main thread (it waits for it).
func (d *Desktop) AskAtFullSize() {
	d.mu.Lock()
	d.asking = true
	d.window.follow(false)
	d.mu.Unlock()
}

func (a actions) SetStartWithSystem(on bool) { a.d.setAutostart(on) }
func (a actions) SetCompact(on bool)         { a.d.setCompact(on) }
