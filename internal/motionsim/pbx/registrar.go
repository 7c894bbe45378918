package pbx

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// binding is one registered contact of a SIP user, reachable over conn.
type binding struct {
	user    string
	aor     sip.Uri // the address of record it registered
	contact sip.Uri
	flow    string // the RFC 5626 instance and reg-id, "" for a phone that is no flow
	conn    *conn
	expires time.Time
	since   time.Time
}

// Registration is one live registration, as the admin page shows it.
type Registration struct {
	// User is the SIP user (the agent's extension, or login name without one).
	User string `json:"user"`
	// Contact is the phone's contact URI.
	Contact string `json:"contact"`
	// Remote is the address the phone's WebSocket comes from.
	Remote string `json:"remote"`
	// Flow is true for a phone registered as an RFC 5626 flow (+sip.instance, reg-id): a new
	// connection of the same phone replaces this binding.
	Flow bool `json:"flow"`
	// Since is when it registered, Expires when the registration ends unless renewed.
	Since   time.Time `json:"since"`
	Expires time.Time `json:"expires"`
}

// maxBindingsPerUser is how many contacts one SIP user may have registered at once: a new one
// replaces the oldest beyond it.
const maxBindingsPerUser = 8

// defaultExpires is the lifetime of a registration that names none (RFC 3261 10.2.1.1).
const defaultExpires = time.Hour

// Registrations returns the live registrations, by user.
func (p *PBX) Registrations() []Registration {
	now := p.opts.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Registration
	for _, bs := range p.bindings {
		for _, b := range bs {
			if b.expires.After(now) {
				out = append(out, Registration{User: b.user, Contact: b.contact.String(), Remote: b.conn.remote, Flow: b.flow != "", Since: b.since, Expires: b.expires})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].User < out[j].User || (out[i].User == out[j].User && out[i].Since.Before(out[j].Since))
	})
	return out
}

// Registered reports whether user has a live registration.
func (p *PBX) Registered(user string) bool {
	return p.liveBinding(user) != nil
}

// liveBinding returns the newest live binding of user, or nil.
func (p *PBX) liveBinding(user string) *binding {
	now := p.opts.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	bs := p.bindings[strings.ToLower(user)]
	for i := len(bs) - 1; i >= 0; i-- {
		if bs[i].expires.After(now) {
			return bs[i]
		}
	}
	return nil
}

func (p *PBX) handleRegister(c *conn, req *sip.Request) {
	user := req.To().Address.User
	if user == "" {
		c.respond(req, 400, "Bad Request", nil, "", warning("the To header names no user"))
		return
	}
	switch res, who := p.authenticate(req, user); res {
	case authMissing:
		c.respond(req, 401, "Unauthorized", nil, "", p.challenge(false))
		return
	case authStale:
		c.respond(req, 401, "Unauthorized", nil, "", p.challenge(true))
		return
	case authWrongUser:
		p.log.Info("registration refused: credentials of another account", "user", user, "auth_user", who, "remote", c.remote)
		c.respond(req, 403, "Forbidden", nil, "", warning("these credentials belong to another account than the one registering"))
		return
	case authOK:
		c.authenticated()
	default:
		p.log.Info("registration refused: wrong SIP user or password", "user", user, "remote", c.remote)
		c.respond(req, 401, "Unauthorized", nil, "", p.challenge(false))
		return
	}
	exp := defaultExpires
	if h := req.GetHeader("Expires"); h != nil {
		n, err := strconv.Atoi(strings.TrimSpace(h.Value()))
		if err != nil || n < 0 {
			c.respond(req, 400, "Bad Request", nil, "", warning("the Expires header is not a number of seconds"))
			return
		}
		exp = time.Duration(n) * time.Second
	}
	var contacts []*sip.ContactHeader
	for _, h := range req.GetHeaders("Contact") {
		ch, ok := h.(*sip.ContactHeader)
		if !ok {
			c.respond(req, 400, "Bad Request", nil, "", warning("unreadable Contact header"))
			return
		}
		contacts = append(contacts, ch)
	}
	key := strings.ToLower(user)
	now := p.opts.Now()
	aor := sip.Uri{Scheme: "sip", User: user, Host: req.To().Address.Host, Port: req.To().Address.Port}
	p.mu.Lock()
	for _, ch := range contacts {
		if ch.Address.Wildcard {
			if exp != 0 || len(contacts) > 1 {
				p.mu.Unlock()
				c.respond(req, 400, "Bad Request", nil, "", warning("Contact: * needs Expires: 0 and no other contact"))
				return
			}
			delete(p.bindings, key)
			continue
		}
		if ch.Address.Scheme != "sip" && ch.Address.Scheme != "sips" {
			p.mu.Unlock()
			c.respond(req, 400, "Bad Request", nil, "", warning("a contact must be a sip: URI"))
			return
		}
		e := exp
		if v, ok := ch.Params.Get("expires"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				p.mu.Unlock()
				c.respond(req, 400, "Bad Request", nil, "", warning("a contact's expires is not a number of seconds"))
				return
			}
			e = time.Duration(n) * time.Second
		}
		e = min(e, p.opts.MaxExpires)
		addr := ch.Address.String()
		// RFC 5626: a binding is this device's flow (instance and reg-id) when it says so, so that
		// a reconnected phone replaces its old connection's binding, whatever its new contact.
		flow := flowOf(ch)
		same := func(b *binding) bool { return b.contact.String() == addr || flow != "" && b.flow == flow }
		since := now
		for _, b := range p.bindings[key] {
			if same(b) && b.expires.After(now) {
				since = b.since
			}
		}
		bs := slices.DeleteFunc(p.bindings[key], func(b *binding) bool { return same(b) || !b.expires.After(now) })
		if e > 0 {
			bs = append(bs, &binding{user: user, aor: aor, contact: ch.Address, flow: flow, conn: c, expires: now.Add(e), since: since})
			if len(bs) > maxBindingsPerUser {
				bs = slices.Delete(bs, 0, len(bs)-maxBindingsPerUser) // the oldest go
			}
		}
		if len(bs) == 0 {
			delete(p.bindings, key)
		} else {
			p.bindings[key] = bs
		}
	}
	var current []*binding
	for _, b := range p.bindings[key] {
		if b.expires.After(now) {
			current = append(current, b)
		}
	}
	p.mu.Unlock()
	c.setUser(user)
	extra := make([]sip.Header, 0, len(current)+1)
	for _, b := range current {
		ch := &sip.ContactHeader{Address: b.contact, Params: sip.NewParams()}
		ch.Params.Add("expires", strconv.Itoa(int(b.expires.Sub(now).Round(time.Second)/time.Second)))
		extra = append(extra, ch)
	}
	outbound := false
	for _, ch := range contacts {
		outbound = outbound || flowOf(ch) != ""
	}
	if outbound && supports(req, "outbound") {
		extra = append(extra, sip.NewHeader("Require", "outbound"),
			sip.NewHeader("Flow-Timer", strconv.Itoa(int(p.opts.FlowTimer/time.Second))))
	}
	p.log.Debug("registration", "user", user, "contacts", len(current), "remote", c.remote, "outbound", outbound)
	c.respond(req, 200, "OK", nil, "", extra...)
}

// flowOf is the RFC 5626 flow a contact registers ("instance reg-id"), or "".
func flowOf(ch *sip.ContactHeader) string {
	inst, ok1 := ch.Params.Get("+sip.instance")
	id, ok2 := ch.Params.Get("reg-id")
	if !ok1 || !ok2 || inst == "" || id == "" {
		return ""
	}
	return strings.Trim(inst, `"`) + " " + id
}

// supports reports whether a request lists option in its Supported headers.
func supports(req *sip.Request, option string) bool {
	for _, h := range req.GetHeaders("Supported") {
		for _, o := range strings.Split(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(o), option) {
				return true
			}
		}
	}
	return false
}
