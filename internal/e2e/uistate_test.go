//go:build linux

package e2e

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// uiState is the window's published state (frontend/src/state.ts), as the app logs it with
// `msg="ui state"` each time it changes.
type uiState struct {
	Screen       string   `json:"screen"`
	Busy         bool     `json:"busy"`
	Error        string   `json:"error"`
	Focus        string   `json:"focus"`
	Form         string   `json:"form"`
	Message      string   `json:"message"`
	Answers      int      `json:"answers"`
	Banner       bool     `json:"banner"`
	Ready        bool     `json:"ready"`
	Notices      []string `json:"notices"`
	Registration string   `json:"registration"`
	Calls        []uiCall `json:"calls"`
	Rules        []string `json:"rules"`
	Mic          string   `json:"mic"`
	Status       string   `json:"status"`
	Problem      string   `json:"problem"`
	Sheet        string   `json:"sheet"`
	Missed       int      `json:"missed"`
	Ended        []string `json:"ended"`
	Recent       []string `json:"recent"`
	RetryIn      int      `json:"retryIn"`
	Layout       layout   `json:"layout"`
	Clipped      []string `json:"clipped"`
}

// layout is where the window's marked elements are (frontend/src/state.ts Layout), in CSS pixels of
// the page, with the page's visible area.
type layout struct {
	VW      int             `json:"vw"`
	VH      int             `json:"vh"`
	ScrollY int             `json:"scrollY"`
	Els     map[string]rect `json:"els"`
}

type rect struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// inside says r lies wholly in the visible area of a vw×vh page, and is not empty.
func (r rect) inside(vw, vh int) bool {
	return r.W > 0 && r.H > 0 && r.X >= 0 && r.Y >= 0 && r.X+r.W <= vw && r.Y+r.H <= vh
}

// overlaps says r and o share some area.
func (r rect) overlaps(o rect) bool {
	return r.X < o.X+o.W && o.X < r.X+r.W && r.Y < o.Y+o.H && o.Y < r.Y+r.H
}

type uiCall struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Muted  bool   `json:"muted"`
	Notice string `json:"notice"`
}

var uiStateLine = regexp.MustCompile(`msg="ui state" state=("(?:[^"\\]|\\.)*")`)

// uiStates returns every state the window published, oldest first.
func (p *appProc) uiStates() []uiState {
	var out []uiState
	for _, m := range uiStateLine.FindAllStringSubmatch(p.log.String(), -1) {
		raw, err := strconv.Unquote(m[1])
		if err != nil {
			continue
		}
		var s uiState
		if json.Unmarshal([]byte(raw), &s) == nil {
			out = append(out, s)
		}
	}
	return out
}

// state returns the window's last published state (the zero state before the first).
func (p *appProc) state() uiState {
	all := p.uiStates()
	if len(all) == 0 {
		return uiState{}
	}
	return all[len(all)-1]
}

// waitState waits until the window's published state satisfies ok, and returns it.
func (p *appProc) waitState(t testing.TB, what string, timeout time.Duration, ok func(uiState) bool) uiState {
	t.Helper()
	var got uiState
	waitFor(t, what+" (last state: "+p.stateText()+")", timeout, func() bool {
		got = p.state()
		return ok(got)
	})
	return got
}

func (p *appProc) stateText() string {
	b, _ := json.Marshal(p.state())
	return strings.TrimSpace(string(b))
}

// call returns the published call with id, or the zero call.
func (s uiState) call(id string) uiCall {
	for _, c := range s.Calls {
		if c.ID == id {
			return c
		}
	}
	return uiCall{}
}

// inCall is a waitState condition: n calls on the bar, all in call.
func inCall(n int) func(uiState) bool {
	return func(s uiState) bool {
		if len(s.Calls) != n {
			return false
		}
		for _, c := range s.Calls {
			if c.State != "active" {
				return false
			}
		}
		return true
	}
}

// has reports whether list holds s.
func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// holdsFor checks that cond stays true for d, polled: for what must not happen in that time (a
// retry loop, a form filled on another origin). It fails at the first moment cond is false.
func holdsFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if !cond() {
			t.Fatalf("%s stopped holding", what)
		}
	}
}

// maxTabs bounds how many key presses moveFocus tries before it gives up.
const maxTabs = 40

// tabTo moves the keyboard focus forward to the element with id, one Tab at a time, each time
// waiting for the focus the window publishes: no test counts Tab stops, so a change of layout
// moves no key press to another button.
func (p *appProc) tabTo(t testing.TB, win, id string) { p.moveFocus(t, win, id, "Tab") }

// backTo is tabTo backwards (shift+Tab).
func (p *appProc) backTo(t testing.TB, win, id string) { p.moveFocus(t, win, id, "shift+Tab") }

func (p *appProc) moveFocus(t testing.TB, win, id, press string) {
	t.Helper()
	// An element without an id is named "tag:label": a test names it by the start of that.
	reached := func(f string) bool { return f == id || (strings.Contains(id, ":") && strings.HasPrefix(f, id)) }
	for i := 0; i < maxTabs; i++ {
		if reached(p.state().Focus) {
			return
		}
		n := len(p.uiStates())
		key(t, win, press)
		// Each press publishes the new focus once it is painted (the same focus twice publishes
		// nothing: then go on after a while).
		deadline := time.Now().Add(time.Second)
		for len(p.uiStates()) == n && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Fatalf("%q not reached with %d presses of %s (last state: %s)", id, maxTabs, press, p.stateText())
}

// press focuses the element with id (tabTo) and presses keys on it ("Return", "space").
func (p *appProc) press(t testing.TB, win, id string, keys ...string) {
	t.Helper()
	p.tabTo(t, win, id)
	key(t, win, keys...)
}
