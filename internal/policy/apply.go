package policy

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// ErrLocked is matched (errors.Is) by *LockedError.
var ErrLocked = errors.New("the setting is locked by the machine policy")

// LockedError refuses a save that changes a key the policy locks.
type LockedError struct {
	// Key is the policy key ("serverUrl", "serverCertificate").
	Key string
	// Path is the policy file.
	Path string
	// Value is the policy's value when it can be shown (the server; never a secret).
	Value string
}

func (e *LockedError) Error() string {
	to := ""
	if e.Value != "" {
		to = " to " + e.Value
	}
	return fmt.Sprintf("your organisation's policy (%s) sets %s%s, which cannot be changed here: ask your IT department", e.Path, e.Key, to)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// SettingsStore opens the user's settings file at path with the machine policy (LoadDefault)
// applied over it. A policy file that is refused is an error: the caller stops.
func SettingsStore(path string) (*config.Store, error) {
	p, err := LoadDefault()
	if err != nil {
		return nil, err
	}
	st := config.NewStore(path)
	if p != nil {
		st.SetOverlay(p)
	}
	return st, nil
}

// Apply sets the policy's values over the user's settings: a locked key always, a key that is not
// locked only where the user has none (it is a default). It implements config.Overlay.
func (p *Policy) Apply(s *config.Settings) {
	if p.ServerURL != "" && (s.ServerURL == "" || p.IsLocked(KeyServerURL)) {
		s.ServerURL = p.ServerURL
	}
	if p.ServerCertificate != "" && (s.Pins[p.ServerURL] == "" || p.IsLocked(KeyServerCertificate)) {
		s.Pins = maps.Clone(s.Pins)
		if s.Pins == nil {
			s.Pins = map[string]tlspin.Fingerprint{}
		}
		s.Pins[p.ServerURL] = p.ServerCertificate
	}
	if c := p.ControlAPI; c != nil {
		u := &s.ControlAPI
		if p.IsLocked(KeyControlAPI) || !u.Enabled && u.Listen == "" && len(u.AllowedOrigins) == 0 {
			u.Enabled, u.Listen, u.AllowedOrigins = c.Enabled, c.Listen, slices.Clone(c.AllowedOrigins)
		}
	}
}

// Save refuses a change of a locked key, and keeps the policy's values out of the user's file: a
// locked key keeps what the file had, a default the user left as it was stays unset in the file (so
// that a new policy's default reaches the user). It implements config.Overlay.
func (p *Policy) Save(file, inForce, wanted config.Settings) (config.Settings, error) {
	out := wanted
	if c := p.ControlAPI; c != nil {
		switch {
		case p.IsLocked(KeyControlAPI):
			out.ControlAPI = file.ControlAPI
		case file.ControlAPI.Enabled == false && file.ControlAPI.Listen == "" && len(file.ControlAPI.AllowedOrigins) == 0 &&
			wanted.ControlAPI.Enabled == inForce.ControlAPI.Enabled && wanted.ControlAPI.Listen == inForce.ControlAPI.Listen &&
			slices.Equal(wanted.ControlAPI.AllowedOrigins, inForce.ControlAPI.AllowedOrigins):
			out.ControlAPI = file.ControlAPI // the policy's default stays out of the user's file
		}
	}
	if p.ServerURL != "" {
		switch {
		case p.IsLocked(KeyServerURL) && wanted.ServerURL != p.ServerURL:
			return config.Settings{}, &LockedError{Key: KeyServerURL, Path: p.Path, Value: p.ServerURL}
		case p.IsLocked(KeyServerURL):
			out.ServerURL = file.ServerURL
		case file.ServerURL == "" && wanted.ServerURL == inForce.ServerURL:
			out.ServerURL = ""
		}
	}
	if p.ServerCertificate != "" {
		origin := p.ServerURL
		got, had := wanted.Pins[origin], file.Pins[origin]
		keep := func(v tlspin.Fingerprint) {
			out.Pins = maps.Clone(wanted.Pins)
			switch {
			case v == "":
				delete(out.Pins, origin)
			case out.Pins == nil:
				out.Pins = map[string]tlspin.Fingerprint{origin: v}
			default:
				out.Pins[origin] = v
			}
		}
		switch {
		case p.IsLocked(KeyServerCertificate) && got != p.ServerCertificate:
			return config.Settings{}, &LockedError{Key: KeyServerCertificate, Path: p.Path}
		case p.IsLocked(KeyServerCertificate):
			keep(had)
		case had == "" && got == inForce.Pins[origin]:
			keep("")
		}
	}
	return out, nil
}

// CheckServer refuses a login to origin when the policy locks the server to another one; the
// session asks before it sends anything (config.Store.CheckServer).
func (p *Policy) CheckServer(origin string) error {
	if p.IsLocked(KeyServerURL) && origin != p.ServerURL {
		return &LockedError{Key: KeyServerURL, Path: p.Path, Value: p.ServerURL}
	}
	return nil
}
