package station

import (
	"context"
	"net/url"
	"time"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/omni"
)

// OmniOpen says whether the Omni Desktop window is open.
func (s *Station) OmniOpen() bool { return s.omni.IsOpen() }

// PhoneOwner says in a sentence which one is a WebRTC agent's phone: the Phonebar's own softphone
// while it runs (the Omni Desktop then registers no second one), else the Omni Desktop's bar.
func (s *Station) PhoneOwner() string {
	if s.agent.Profile().Typology != motion.TypologyWebRTC {
		return ""
	}
	if s.Desk() != nil {
		return "Your phone is the Phonebar; the Omni Desktop does not register a second one."
	}
	return "Your phone is the Omni Desktop's WebRTC bar."
}

// OpenOmni opens the Omni Desktop in its own window, logged in as the agent (with the session's
// password held in memory, or a one-time code after a provider sign-in), or brings it to the front.
func (s *Station) OpenOmni(ctx context.Context) error {
	if !s.agent.State().HasSession() {
		return omni.ErrNoSession
	}
	p := s.agent.Profile()
	s.mu.Lock()
	hs := s.handoff
	s.mu.Unlock()
	sso := p.SignedInWith != ""
	if !sso && (hs.server != p.Server || hs.user != p.Name || hs.password == "") {
		return omni.ErrNoPassword
	}
	st, err := s.cfg.Load()
	if err != nil {
		return err
	}
	u, err := url.Parse(p.Server)
	if err != nil {
		return err
	}
	pin := st.Pins[p.Server]
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	certPEM, err := omni.PinnedCertificate(ctx, u.Host, pin)
	if err != nil {
		return err
	}
	title := "Omni Desktop"
	if p.Fullname != "" {
		title += " — " + p.Fullname
	}
	h := omni.Handoff{Origin: p.Server, Form: st.Omni, Username: hs.user, Password: hs.password, CertPEM: certPEM,
		Pin: pin, PhonebarOwnsPhone: s.Desk() != nil, Title: title, Phone: p.Phone, Line: p.Line}
	if certPEM == "" {
		h.Pin = ""
	}
	if s.hooks.Place != nil {
		if at, ok := s.hooks.Place(); ok {
			h.Beside = &at
		}
	}
	if sso {
		// Signed in with a provider: no password to type, a one-time code logs the window in.
		if h.SignInCode, err = s.agent.WebCode(ctx); err != nil {
			return err
		}
		h.Username, h.Password = p.Name, ""
	}
	if err := s.omni.Open(h); err != nil {
		return err
	}
	if s.hooks.Omni != nil {
		s.hooks.Omni(true)
	}
	return nil
}
