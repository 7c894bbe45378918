package app

// Omni is the Omni Desktop service bound to the window.
type Omni struct {
	c *core
}

// View tells whether the Omni Desktop window is open.
func (o *Omni) View() OmniView { return o.c.omniView(o.c.st.OmniOpen()) }

// Open opens the Omni Desktop in its own window, logged in as the agent, or brings it to the front.
func (o *Omni) Open() (OmniView, error) {
	if err := o.c.st.OpenOmni(o.c.st.Life()); err != nil {
		return OmniView{}, err
	}
	return o.c.omniView(true), nil
}

// omniView says whether the window is open, and which one is the agent's phone.
func (c *core) omniView(open bool) OmniView {
	return OmniView{Open: open, PhoneOwner: c.st.PhoneOwner()}
}
