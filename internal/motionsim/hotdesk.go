package motionsim

import (
	"net/http"
	"strings"

	"github.com/phonebar/phonebar/internal/motion"
)

// This file holds Hot Desk (external agents pick a registered telephone at login) and the line
// choice of external agents without it.

// codeLineRequired is the web login's own step "internal, phone or mobile?"; the API never sends
// it (an API login without LoginRequest.Line means LineInternal).
const codeLineRequired = "LINE_REQUIRED"

// usesHotDesk reports whether acct is a hot-desk agent.
func usesHotDesk(a *account) bool {
	return a.hotDesk && a.user.Typology == motion.TypologyExternal
}

// phoneHolderLocked returns the user whose live session holds the telephone, or "".
func (s *Server) phoneHolderLocked(name string) string {
	for _, ss := range s.st.sessions {
		if ss.info.Phone != "" && strings.EqualFold(ss.info.Phone, name) {
			return ss.info.User
		}
	}
	return ""
}

// availablePhonesLocked lists the telephones acct may pick, by MOTION.md's rules: a telephone in
// use by another agent, busy after a failed logout, or unregistered is hidden; when none is
// registered, all are listed.
func (s *Server) availablePhonesLocked(acct *account) []motion.Phone {
	anyRegistered := false
	for _, p := range s.st.phones {
		anyRegistered = anyRegistered || p.registered
	}
	out := []motion.Phone{}
	for _, p := range s.st.phones {
		holder := s.phoneHolderLocked(p.name)
		inUse := holder != "" && (acct == nil || !strings.EqualFold(holder, acct.user.Name))
		if anyRegistered && (!p.registered || p.busy || inUse) {
			continue
		}
		out = append(out, motion.Phone{Name: p.name, Registered: p.registered, InUse: inUse})
	}
	return out
}

// checkPhoneChoiceLocked decides the telephone and line of a login whose password was right. It
// returns the canonical telephone name and line, or the answer refusing the login.
func (s *Server) checkPhoneChoiceLocked(acct *account, req loginRequest) (phoneName, line string, err *apiError) {
	if usesHotDesk(acct) && len(s.st.phones) == 0 {
		// No telephone configured: Hot Desk is not enforced; a telephone named is recorded as given.
		if req.line != "" {
			return "", "", badRequest("line is for external agents without Hot Desk: a hot-desk agent names a phone")
		}
		return req.phone, "", nil
	}
	if usesHotDesk(acct) {
		if req.line != "" {
			return "", "", badRequest("line is for external agents without Hot Desk: a hot-desk agent names a phone")
		}
		if req.phone == "" {
			return "", "", &apiError{Status: http.StatusPreconditionRequired, Body: motion.ErrorBody{
				Code: motion.CodePhoneRequired, Message: "Choose the telephone you are sitting at.",
			}}
		}
		for _, p := range s.availablePhonesLocked(acct) {
			if strings.EqualFold(p.Name, req.phone) {
				return p.Name, "", nil
			}
		}
		return "", "", &apiError{Status: http.StatusConflict, Body: motion.ErrorBody{
			Code: motion.CodePhoneUnavailable, Message: "That telephone is not available any more: choose another one.",
		}}
	}
	if req.phone != "" {
		return "", "", badRequest("phone is only for external agents with Hot Desk")
	}
	if acct.user.Typology != motion.TypologyExternal {
		if req.line != "" {
			return "", "", badRequest("line is only for external agents")
		}
		return "", "", nil
	}
	switch req.line {
	case motion.LineInternal, motion.LinePhone, motion.LineMobile:
		return "", req.line, nil
	case "":
		if req.askLine {
			return "", "", &apiError{Status: http.StatusPreconditionRequired, Body: motion.ErrorBody{
				Code: codeLineRequired, Message: "Choose where your calls ring.",
			}}
		}
		return "", motion.LineInternal, nil
	default:
		return "", "", badRequest("line must be %q, %q or %q, not %q", motion.LineInternal, motion.LinePhone, motion.LineMobile, req.line)
	}
}

// validateChoice checks the shape of the phone and line fields of a login.
func validateChoice(phoneName, line string) *apiError {
	if len(phoneName) > 64 || strings.ContainsAny(phoneName, "\x00\r\n") {
		return badRequest("phone must be the name of a telephone from %s", motion.PathPhones)
	}
	if len(line) > 16 {
		return badRequest("line must be %q, %q or %q", motion.LineInternal, motion.LinePhone, motion.LineMobile)
	}
	return nil
}

// handlePhones lists the telephones the caller may pick (Basic credentials of a login not made
// yet, a token, an apikey, or ?code= of a provider sign-in). For a user without Hot Desk the list
// is empty.
func (s *Server) handlePhones(w http.ResponseWriter, r *http.Request) {
	var acct *account
	if code := r.URL.Query().Get(motion.QueryCode); code != "" && r.Header.Get("Authorization") == "" {
		s.mu.Lock()
		c, ok := s.st.ssoCodes[code]
		if ok {
			acct = c.acct
		}
		s.mu.Unlock()
		if !ok {
			writeError(w, unauthorized("Unknown or expired sign-in code: sign in again."))
			return
		}
	} else {
		p := s.authorized(w, r, true)
		if p == nil {
			return
		}
		acct = p.acct
	}
	s.mu.Lock()
	list := []motion.Phone{}
	if usesHotDesk(acct) || acct.user.Role == motion.RoleAdmin {
		list = s.availablePhonesLocked(acct)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, motion.PhoneList{Count: len(list), Rows: list})
}

// handleAgentLine changes where the calls of an external agent without Hot Desk ring, for the rest
// of the session (motion.PathAgentLine).
func (s *Server) handleAgentLine(w http.ResponseWriter, r *http.Request) {
	p := s.authorized(w, r, false)
	if p == nil {
		return
	}
	if p.sess == nil {
		writeError(w, badRequest("the line belongs to a login session: log in and use its token"))
		return
	}
	var req motion.AgentLineRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	var err *apiError
	switch {
	case p.acct.user.Typology != motion.TypologyExternal:
		err = badRequest("line is only for external agents")
	case p.sess.info.Phone != "" || usesHotDesk(p.acct):
		err = badRequest("line is for external agents without Hot Desk: a hot-desk agent names a phone at login")
	case req.Line != motion.LineInternal && req.Line != motion.LinePhone && req.Line != motion.LineMobile:
		err = badRequest("line must be %q, %q or %q, not %s", motion.LineInternal, motion.LinePhone, motion.LineMobile, quoteShort(req.Line))
	default:
		p.sess.info.Line = req.Line
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	s.log.WithFields(map[string]any{"user": p.acct.user.Name, "line": req.Line}).Info("agent line")
	w.WriteHeader(http.StatusNoContent)
}
