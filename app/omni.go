package app

import (
	"context"
	"net/url"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/omni"
)

// Omni is the Omni Desktop service bound to the window.
type Omni struct {
	c *core
}

// View tells whether the Omni Desktop window is open.
func (o *Omni) View() OmniView {
	return OmniView{Open: o.c.omni.IsOpen(), PhoneOwner: o.c.phoneOwner()}
}

// Open opens the Omni Desktop in its own window, logged in as the agent, or brings it to the front.
func (o *Omni) Open() (OmniView, error) {
	c := o.c
	if !c.agent.State().HasSession() {
		return OmniView{}, &UIError{Code: agent.CodeNotLoggedIn, Message: "Log in first: the Omni Desktop opens with your Phonebar login."}
	}
	p := c.agent.Profile()
	c.mu.Lock()
	hs := c.handoff
	c.mu.Unlock()
	sso := p.SignedInWith != ""
	if !sso && (hs.server != p.Server || hs.user != p.Name || hs.password == "") {
		return OmniView{}, &UIError{Code: agent.CodeNoSavedPassword, Message: "The Phonebar no longer holds your password for this session: log out and log in again to open the Omni Desktop."}
	}
	st, err := c.cfg.Load()
	if err != nil {
		return OmniView{}, describe(err)
	}
	u, err := url.Parse(p.Server)
	if err != nil {
		return OmniView{}, describe(err)
	}
	pin := st.Pins[p.Server]
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	certPEM, err := omni.PinnedCertificate(ctx, u.Host, pin)
	if err != nil {
		return OmniView{}, describe(err)
	}
	title := "Omni Desktop"
	if p.Fullname != "" {
		title += " — " + p.Fullname
	}
	h := omni.Handoff{
		Origin:            p.Server,
		Form:              st.Omni,
		Username:          hs.user,
		Password:          hs.password,
		CertPEM:           certPEM,
		Pin:               pin,
		PhonebarOwnsPhone: c.phonebarOwnsPhone(),
		Title:             title,
	}
	if certPEM == "" {
		h.Pin = ""
	}
	if sso {
		// Signed in with a provider: no password to type, a one-time code logs the window in.
		if h.SignInCode, err = c.agent.WebCode(ctx); err != nil {
			return OmniView{}, describe(err)
		}
		h.Username, h.Password = p.Name, ""
	}
	if err := c.omni.Open(h); err != nil {
		return OmniView{}, describe(err)
	}
	v := OmniView{Open: true, PhoneOwner: c.phoneOwner()}
	c.emit.Emit(EventOmni, v)
	return v, nil
}
