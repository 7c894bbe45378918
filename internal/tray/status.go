package tray

import (
	"fmt"
	"strings"
)

// PauseType is one of the server's pause reasons.
type PauseType struct {
	ID   int
	Name string
}

// Status is what the tray shows: the agent, the phone and the desktop settings. The zero value is
// "logged out".
type Status struct {
	// LoggedIn says an agent session exists; Agent is its login name.
	LoggedIn bool
	Agent    string
	// Connection says the session's connection is not up ("reconnecting"); "" when it is.
	Connection string
	// Ready says the agent takes contacts; otherwise the agent is paused, with PauseTypeID and
	// PauseReason when the pause has a reason (0 and "" without).
	Ready       bool
	PauseTypeID int
	PauseReason string
	// PauseTypes are the server's pause reasons, in the order offered; empty: pauses have no reason.
	PauseTypes []PauseType
	// HasPhone says the agent's softphone runs here (a WebRTC agent); PhoneProblem says why it is
	// not registered ("" when it is, or while it has not tried yet).
	HasPhone     bool
	Registered   bool
	PhoneProblem string
	// Calls counts the calls in progress; CallWith names the other side of the first.
	Calls    int
	CallWith string
	// StartWithSystem and CompactDuringCalls are the desktop settings the menu toggles.
	StartWithSystem, CompactDuringCalls bool
}

// Light is the colour of the status in the icon.
type Light int

const (
	// LightUnknown is the zero value: nothing is known yet (grey, like LightOff).
	LightUnknown Light = iota
	// LightOff: logged out (grey).
	LightOff
	// LightReady: ready for contacts (green).
	LightReady
	// LightPaused: paused (amber).
	LightPaused
	// LightCall: in a call (blue).
	LightCall
	// LightProblem: the phone is not registered or the connection is lost (red).
	LightProblem
)

func (l Light) String() string {
	switch l {
	case LightOff:
		return "off"
	case LightReady:
		return "ready"
	case LightPaused:
		return "paused"
	case LightCall:
		return "call"
	case LightProblem:
		return "problem"
	}
	return "unknown"
}

// Look is how the tray shows a Status: the icon's light, the title (shown beside the icon where the
// desktop shows titles, and read by screen readers) and the tooltip's lines.
type Look struct {
	Light   Light
	Title   string
	Tooltip string
}

// Describe returns the Look of s. A call comes first (it is what the agent is doing), then a lost
// connection or an unregistered phone (the agent cannot take calls), then ready or paused.
func Describe(s Status) Look {
	if !s.LoggedIn {
		return look(LightOff, "Logged out", "Open the Phonebar to log in.")
	}
	who := "Agent " + s.Agent
	switch {
	case s.Calls > 0:
		title := "In a call"
		if s.CallWith != "" {
			title = "In a call with " + s.CallWith
		}
		if s.Calls > 1 {
			title += fmt.Sprintf(" (%d calls)", s.Calls)
		}
		return look(LightCall, title, who)
	case s.Connection != "":
		return look(LightProblem, "Connection "+s.Connection, who)
	case s.HasPhone && !s.Registered:
		detail := who
		if s.PhoneProblem != "" {
			detail += "\n" + s.PhoneProblem
		}
		return look(LightProblem, "Phone not registered", detail)
	case s.Ready:
		return look(LightReady, "Ready", who)
	case s.PauseReason != "":
		return look(LightPaused, "Paused: "+s.PauseReason, who)
	default:
		return look(LightPaused, "Paused", who)
	}
}

func look(l Light, status, detail string) Look {
	return Look{Light: l, Title: "Phonebar: " + status, Tooltip: strings.TrimSpace("Phonebar: " + status + "\n" + detail)}
}
