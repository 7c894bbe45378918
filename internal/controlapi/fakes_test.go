package controlapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/sipua"
)

// fakeDesk is a hand-written Desk: calls change as the real desk's would, at once.
type fakeDesk struct {
	mu      sync.Mutex
	reg     sipua.State
	regErr  error
	calls   []desk.CallView
	n       int
	actions []string
	failOn  map[string]error // action → error
}

func newFakeDesk(calls ...desk.CallView) *fakeDesk {
	return &fakeDesk{reg: sipua.StateRegistered, calls: calls, failOn: map[string]error{}}
}

func (f *fakeDesk) View() desk.View {
	f.mu.Lock()
	defer f.mu.Unlock()
	return desk.View{Registration: f.reg, RegistrationErr: f.regErr, Calls: append([]desk.CallView(nil), f.calls...)}
}

func (f *fakeDesk) DialAsync(target string) (string, <-chan error, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failOn["originate"]; err != nil {
		return "", nil, err
	}
	f.n++
	id := fmt.Sprintf("dial-%d", f.n)
	f.calls = append(f.calls, desk.CallView{ID: id, Direction: desk.DirectionOut, Remote: target, State: phone.StateDialing})
	f.actions = append(f.actions, "originate "+target)
	done := make(chan error, 1)
	return id, done, nil
}

func (f *fakeDesk) change(action, id string, fn func(i int)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failOn[action]; err != nil {
		return err
	}
	for i := range f.calls {
		if f.calls[i].ID == id {
			f.actions = append(f.actions, action+" "+id)
			fn(i)
			return nil
		}
	}
	return desk.ErrNoCall
}

func (f *fakeDesk) Answer(_ context.Context, id string) error {
	return f.change("answer", id, func(i int) { f.calls[i].State, f.calls[i].Answered = phone.StateActive, time.Unix(1_700_000_000, 0) })
}

func (f *fakeDesk) Hangup(_ context.Context, id string) error {
	return f.change("hangup", id, func(i int) { f.calls = append(f.calls[:i], f.calls[i+1:]...) })
}

func (f *fakeDesk) Hold(_ context.Context, id string, on bool) error {
	return f.change(fmt.Sprintf("hold=%t", on), id, func(i int) {
		f.calls[i].State = phone.StateActive
		if on {
			f.calls[i].State = phone.StateHeld
		}
	})
}

func (f *fakeDesk) Transfer(_ context.Context, id, target string) error {
	return f.change("transfer", id, func(i int) {
		f.actions[len(f.actions)-1] += " to " + target
		f.calls = append(f.calls[:i], f.calls[i+1:]...)
	})
}

func (f *fakeDesk) did() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.actions...)
}
