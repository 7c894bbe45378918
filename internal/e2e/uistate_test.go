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
	Mic          string   `json:"mic"`
	Status       string   `json:"status"`
	Problem      string   `json:"problem"`
	Sheet        string   `json:"sheet"`
	Missed       int      `json:"missed"`
	Layout       layout   `json:"layout"`
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
	ID    string `json:"id"`
	State string `json:"state"`
	Muted bool   `json:"muted"`
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
