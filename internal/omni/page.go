package omni

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// This file is the "show this page" command: the Phonebar asks an open Omni Desktop window to
// show a page (a screen pop: the CRM's page about a caller) in place of the Omni Desktop, and the
// window's "show" command (the Omni Desktop button again) brings the Omni Desktop back. The page
// runs in the window like the Omni Desktop itself: no Go bindings, and the login hand-off only
// ever acts on the server's own login page, so a page shown here gets nothing of the agent's.

// ErrBadPage is matched by the error of a page that is not shown: not an absolute http(s) URL.
var ErrBadPage = errors.New("omni: bad page address")

// ErrNotOpen: the Omni Desktop window is not open, so it shows no page.
var ErrNotOpen = errors.New("omni: the omni desktop window is not open")

// MaxPageURL bounds a page's address.
const MaxPageURL = 8 << 10

// CheckPageURL accepts only an absolute http:// or https:// URL with a host, no user name or
// password, and no space or control character (the caller's values in a screen pop's URL are
// escaped by internal/screenpop before they get here).
func CheckPageURL(raw string) error {
	if len(raw) > MaxPageURL {
		return fmt.Errorf("%w: longer than %d characters", ErrBadPage, MaxPageURL)
	}
	if strings.IndexFunc(raw, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return fmt.Errorf("%w: it contains a space or a control character", ErrBadPage)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("%w: not a URL", ErrBadPage)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: only http:// and https:// pages are shown, not %q", ErrBadPage, u.Scheme+":")
	case u.Host == "" || u.Opaque != "":
		return fmt.Errorf("%w: it names no host", ErrBadPage)
	case u.User != nil:
		return fmt.Errorf("%w: it carries a user name or password", ErrBadPage)
	}
	return nil
}

// ShowPage asks the open Omni Desktop window to show the page at raw (CheckPageURL) and come to
// the front. ErrNotOpen when no window is open; ErrUnsupported where the window cannot load a page
// it is given (CanShowPages).
func (l *Launcher) ShowPage(raw string) error {
	if err := CheckPageURL(raw); err != nil {
		return err
	}
	if !CanShowPages {
		return fmt.Errorf("%w: the Omni Desktop window shows pages only where its web view code is written (Linux so far)", ErrUnsupported)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.proc == nil {
		return ErrNotOpen
	}
	select {
	case <-l.proc.done:
		return ErrNotOpen
	default:
	}
	return sender{l.proc.pipe}.send(Command{Op: OpShowPage, URL: raw})
}

// ShowPage loads the page at raw in the window in place of the Omni Desktop (the window process
// checks it again: it trusts nothing it is sent). It says whether the page was loaded.
func (c *Controller) ShowPage(raw string) bool {
	if err := CheckPageURL(raw); err != nil {
		c.log.WithError(err).Warn("omni: a page to show was refused")
		return false
	}
	c.mu.Lock()
	v := c.view
	if v != nil {
		c.showingPage = true
	}
	c.mu.Unlock()
	if v == nil {
		c.log.Warn("omni: no web view to show a page in")
		return false
	}
	v.Load(raw)
	return true
}

// BackFromPage, when the window shows a page (ShowPage), loads the Omni Desktop again, logged in
// as it was; otherwise it does nothing. It says whether it went back.
func (c *Controller) BackFromPage() bool {
	c.mu.Lock()
	v, back := c.view, c.showingPage
	c.showingPage = false
	c.mu.Unlock()
	if !back || v == nil {
		return false
	}
	v.Load(c.AppURL())
	return true
}
