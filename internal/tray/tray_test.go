package tray

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// fakeHost records what the tray shows; tests click through it.
type fakeHost struct {
	mu      sync.Mutex
	click   func(string)
	looks   []Look
	menu_   []Item
	stopped bool
	changed chan struct{}
}

func newFakeHost() *fakeHost { return &fakeHost{changed: make(chan struct{}, 100)} }

func (f *fakeHost) start(click func(string)) error { f.click = click; return nil }
func (f *fakeHost) show(l Look) {
	f.mu.Lock()
	f.looks = append(f.looks, l)
	f.mu.Unlock()
}
func (f *fakeHost) menu(items []Item) {
	f.mu.Lock()
	f.menu_ = items
	f.mu.Unlock()
	f.changed <- struct{}{}
}
func (f *fakeHost) stop() { f.mu.Lock(); f.stopped = true; f.mu.Unlock() }
func (f *fakeHost) last() Look {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.looks) == 0 {
		return Look{}
	}
	return f.looks[len(f.looks)-1]
}

// waitLook waits until the host shows a look with the title.
func (f *fakeHost) waitLook(t *testing.T, title string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for f.last().Title != title {
		select {
		case <-f.changed:
		case <-deadline:
			t.Fatalf("the tray shows %q, want %q", f.last().Title, title)
		}
	}
}

// syncRecorder is a recorder whose calls can be awaited.
type syncRecorder struct {
	mu    sync.Mutex
	r     recorder
	calls chan string
	block chan struct{} // when set, each action waits for it
}

func (s *syncRecorder) do(fn func(*recorder)) {
	if s.block != nil {
		<-s.block
	}
	s.mu.Lock()
	fn(&s.r)
	c := s.r.calls[len(s.r.calls)-1]
	s.mu.Unlock()
	s.calls <- c
}
func (s *syncRecorder) SetReady(on bool) { s.do(func(r *recorder) { r.SetReady(on) }) }
func (s *syncRecorder) Pause(id int)     { s.do(func(r *recorder) { r.Pause(id) }) }
func (s *syncRecorder) OpenOmni()        { s.do(func(r *recorder) { r.OpenOmni() }) }
func (s *syncRecorder) Show()            { s.do(func(r *recorder) { r.Show() }) }
func (s *syncRecorder) SetStartWithSystem(on bool) {
	s.do(func(r *recorder) { r.SetStartWithSystem(on) })
}
func (s *syncRecorder) SetCompact(on bool) { s.do(func(r *recorder) { r.SetCompact(on) }) }
func (s *syncRecorder) Quit()              { s.do(func(r *recorder) { r.Quit() }) }

func (s *syncRecorder) next(t *testing.T) string {
	t.Helper()
	select {
	case c := <-s.calls:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no action was called")
		return ""
	}
}

func TestTrayShowsUpdatesAndRunsClicksInOrder(t *testing.T) {
	defer goleak.VerifyNone(t)
	h := newFakeHost()
	acts := &syncRecorder{calls: make(chan string, clickQueue)}
	tr, err := New(Options{Actions: acts, host: h})
	require.NoError(t, err)

	h.waitLook(t, "Phonebar: Logged out")
	// Clicks while logged out: Ready cannot be used, Show can.
	h.click(KeyReady)
	h.click(KeyShow)
	assert.Equal(t, "show", acts.next(t))

	tr.Update(Status{LoggedIn: true, Agent: "alice", PauseTypes: reasons})
	h.waitLook(t, "Phonebar: Paused")
	h.click(KeyReady)
	h.click("pause-for:2")
	h.click(KeyQuit)
	assert.Equal(t, []string{"ready", "pause:2", "quit"}, []string{acts.next(t), acts.next(t), acts.next(t)})

	tr.Close()
	tr.Close() // idempotent
	h.mu.Lock()
	assert.True(t, h.stopped)
	h.mu.Unlock()
}

func TestTrayMergesUpdatesAndQueuesClicksDuringASlowAction(t *testing.T) {
	defer goleak.VerifyNone(t)
	h := newFakeHost()
	acts := &syncRecorder{calls: make(chan string, clickQueue), block: make(chan struct{})}
	tr, err := New(Options{Actions: acts, host: h})
	require.NoError(t, err)
	defer tr.Close()
	h.waitLook(t, "Phonebar: Logged out")

	// A slow action (going ready checks the microphone) holds the loop: clicks queue, nothing is lost.
	h.click(KeyShow)
	h.click(KeyAutostart)
	h.click(KeyCompact)
	for i := 0; i < 50; i++ {
		tr.Update(Status{LoggedIn: true, Agent: "alice", Calls: i})
	}
	tr.Update(Status{LoggedIn: true, Agent: "alice", Ready: true})
	close(acts.block)
	assert.Equal(t, []string{"show", "autostart on", "compact on"}, []string{acts.next(t), acts.next(t), acts.next(t)})
	h.waitLook(t, "Phonebar: Ready")
	h.mu.Lock()
	n := len(h.looks)
	h.mu.Unlock()
	assert.Less(t, n, 10, "51 updates sent while the loop was busy are drawn as a few")
}

func TestNewNeedsActions(t *testing.T) {
	_, err := New(Options{host: newFakeHost()})
	assert.Error(t, err)
}
