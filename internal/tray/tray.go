package tray

import (
	"context"
	"errors"
	"sync"

	"github.com/sirupsen/logrus"
)

// ErrUnavailable is matched by New's error when this system or session has no tray the Phonebar can
// use (no D-Bus session bus on Linux, a system without a host here).
var ErrUnavailable = errors.New("tray: no system tray available")

// host puts the icon and its menu on the desktop. Its methods are called from the tray's loop only,
// one at a time.
type host interface {
	// start shows the icon; a click on the menu item key calls click(key), from any goroutine.
	start(click func(key string)) error
	// show changes the icon, title and tooltip.
	show(Look)
	// menu makes the menu match items (the same keys in the same order every time).
	menu([]Item)
	// stop removes the icon.
	stop()
}

// Options configures a Tray.
type Options struct {
	// Actions are what the menu does. Required.
	Actions Actions
	// Logger receives logs; nil means logrus.StandardLogger().
	Logger logrus.FieldLogger
	// host replaces the system's tray (tests).
	host host
}

// Tray is the icon in the system tray. Make one with New; Close removes it. There is one system tray
// per process: make one Tray.
type Tray struct {
	h      host
	acts   Actions
	log    logrus.FieldLogger
	wake   chan struct{}
	clicks chan string
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	mu     sync.Mutex
	latest Status
}

// clickQueue is how many clicks wait while an action runs; more are dropped (and logged).
const clickQueue = 16

// New puts the icon in the system tray with the menu of a logged-out agent (call Update next). It
// returns an error matching ErrUnavailable when there is no tray to put it in.
func New(opts Options) (*Tray, error) {
	if opts.Actions == nil {
		return nil, errors.New("tray: no actions")
	}
	if opts.Logger == nil {
		opts.Logger = logrus.StandardLogger()
	}
	if opts.host == nil {
		opts.host = newSystemHost(opts.Logger)
	}
	t := &Tray{h: opts.host, acts: opts.Actions, log: opts.Logger, wake: make(chan struct{}, 1),
		clicks: make(chan string, clickQueue), done: make(chan struct{})}
	if err := t.h.start(t.click); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	t.wake <- struct{}{}
	go t.loop(ctx)
	return t, nil
}

// Update shows s. It never blocks: updates that come faster than the tray draws them are merged,
// and the last one is shown.
func (t *Tray) Update(s Status) {
	t.mu.Lock()
	t.latest = s
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Close removes the icon and waits for the loop to end. It is idempotent.
func (t *Tray) Close() {
	t.once.Do(func() {
		t.cancel()
		<-t.done
		t.h.stop()
	})
}

func (t *Tray) click(key string) {
	select {
	case t.clicks <- key:
	default:
		t.log.WithField("item", key).Warn("tray: a menu click was dropped: too many clicks at once")
	}
}

// loop owns the host: it draws each new status and runs each click's action, in order.
func (t *Tray) loop(ctx context.Context) {
	defer close(t.done)
	var shown Status
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.wake:
			t.mu.Lock()
			s := t.latest
			t.mu.Unlock()
			lk := Describe(s)
			t.h.show(lk)
			t.h.menu(Menu(s))
			shown = s
			t.log.WithFields(logrus.Fields{"light": lk.Light, "title": lk.Title}).Debug("tray")
		case key := <-t.clicks:
			t.log.WithField("item", key).Info("tray: menu clicked")
			if !Dispatch(key, shown, t.acts) {
				t.log.WithField("item", key).Info("tray: the menu item cannot be used now")
			}
		}
	}
}
