package desktop

import (
	"strings"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/station"
	"github.com/phonebar/phonebar/internal/tray"
)

// TrayStatus is what the tray shows of the station's session s, its phone p and the desktop
// settings. A phone still registering for the first time is not "not registered": only a
// registration that failed, or that lost its server with an error, is.
func TrayStatus(s station.Status, p station.Phone, set config.Desktop) tray.Status {
	out := tray.Status{StartWithSystem: set.StartWithSystem, CompactDuringCalls: set.CompactDuringCalls}
	if !s.State.HasSession() {
		return out
	}
	out.LoggedIn, out.Agent = true, s.Profile.Name
	if s.State == agent.StateReconnecting {
		out.Connection = s.State.Connection()
	}
	out.Ready = s.Agent.Ready
	if pt := s.Agent.PauseType; pt != nil && !s.Agent.Ready {
		out.PauseTypeID, out.PauseReason = pt.ID, pt.Name
	}
	for _, pt := range s.PauseTypes {
		out.PauseTypes = append(out.PauseTypes, tray.PauseType{ID: pt.ID, Name: pt.Name})
	}
	reg, explain := p.Registration()
	out.HasPhone = reg != "off"
	out.Registered = reg == "registered" || (reg == "registering" && explain == "")
	out.PhoneProblem = explain
	if p.Desk != nil {
		for _, c := range p.Desk.Calls {
			if c.State == phone.StateEnded {
				continue
			}
			if out.Calls == 0 {
				out.CallWith = c.RemoteName
				if out.CallWith == "" {
					out.CallWith = number(c.Remote)
				}
			}
			out.Calls++
		}
	}
	return out
}

// number is the user part of a SIP address ("sip:*43@pbx.example" is "*43"), as an agent reads it;
// anything else is returned as it is.
func number(remote string) string {
	rest, ok := strings.CutPrefix(remote, "sip:")
	if !ok {
		rest, ok = strings.CutPrefix(remote, "sips:")
	}
	user, _, at := strings.Cut(rest, "@")
	if !ok || !at || user == "" {
		return remote
	}
	return user
}
