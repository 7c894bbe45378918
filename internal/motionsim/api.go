package motionsim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/motion"
)

// decodeJSON reads one JSON object into v, strictly: a JSON content type (or none), at most
// maxBody bytes, no unknown fields, no trailing data.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) *apiError {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return badRequest("the body must be JSON (Content-Type: application/json), not %q", ct)
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return s.jsonError(err)
	}
	if err := dec.Decode(&json.RawMessage{}); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return s.jsonError(err)
		}
		return badRequest("the body must hold one JSON object and nothing after it")
	}
	return nil
}

func (s *Server) jsonError(err error) *apiError {
	var tooBig *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return badRequest("the body is larger than the limit of %d KiB", s.maxBody>>10)
	case errors.Is(err, io.EOF):
		return badRequest("the body is empty: a JSON object is expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the JSON body is cut short")
	case errors.As(err, &syn):
		return badRequest("malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("the body must be a JSON object, not a JSON %s", typ.Value)
		}
		return badRequest("field %q must be a JSON %s, not a JSON %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return badRequest("unreadable JSON body: %v", err)
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "int", "int64", "float64":
		return "number"
	case "slice":
		return "array"
	default:
		return "object"
	}
}

// validateLogin checks the fields of a login.
func validateLogin(name, password, client string) *apiError {
	switch {
	case name == "":
		return badRequest("name is required")
	case password == "":
		return badRequest("password is required")
	case !namePattern.MatchString(name):
		return badRequest("name may only hold 1 to 64 letters, digits, '.' and '_'")
	case len(password) > 1024:
		return badRequest("password is too long")
	case client != motion.ClientPhonebar && client != motion.ClientWeb:
		return badRequest("client must be %q or %q", motion.ClientPhonebar, motion.ClientWeb)
	}
	return nil
}

// remoteIP is the address of the peer, without the port.
func remoteIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

func (s *Server) handleAuthLocal(w http.ResponseWriter, r *http.Request) {
	var req motion.LoginRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if req.Client == "" {
		req.Client = motion.ClientPhonebar
	}
	if err := validateLogin(req.Name, req.Password, req.Client); err != nil {
		writeError(w, err)
		return
	}
	if err := validateChoice(req.Phone, req.Line); err != nil {
		writeError(w, err)
		return
	}
	ss, res := s.login(loginRequest{
		name: req.Name, password: req.Password, client: req.Client, force: req.Force,
		via: ViaAPI, remote: remoteIP(r), ua: r.UserAgent(), phone: req.Phone, line: req.Line,
	})
	if res.err != nil {
		writeError(w, res.err)
		return
	}
	writeJSON(w, http.StatusOK, loginResponse(ss, res))
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	name, pw, ok := r.BasicAuth()
	if !ok {
		writeError(w, unauthorized("HTTP Basic credentials are required on "+motion.PathLogin+"."))
		return
	}
	q := r.URL.Query()
	client := cmp.Or(q.Get(motion.QueryClient), motion.ClientPhonebar)
	force := false
	if v := q.Get(motion.QueryForce); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(w, badRequest("%s must be true or false, not %q", motion.QueryForce, v))
			return
		}
		force = b
	}
	if err := validateLogin(name, pw, client); err != nil {
		writeError(w, err)
		return
	}
	ss, res := s.login(loginRequest{
		name: name, password: pw, client: client, force: force,
		via: ViaBasic, remote: remoteIP(r), ua: r.UserAgent(),
	})
	if res.err != nil {
		writeError(w, res.err)
		return
	}
	writeJSON(w, http.StatusOK, loginResponse(ss, res))
}

// authorized authenticates r and refuses a principal that must change its password first, unless
// the route allows it.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, allowMustChange bool) *principal {
	p, err := s.authAPI(r)
	if err != nil {
		writeError(w, err)
		return nil
	}
	if p.mustChange && !allowMustChange {
		writeError(w, &apiError{Status: http.StatusForbidden, Body: motion.ErrorBody{
			Code: motion.CodePasswordExpired, Message: "You must change your password before anything else.",
		}})
		return nil
	}
	return p
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	p := s.authorized(w, r, true)
	if p == nil {
		return
	}
	if p.sess != nil {
		s.mu.Lock()
		s.endSessionLocked(p.sess, EndLogout, endedMessage(EndLogout))
		s.mu.Unlock()
		s.deliver()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleWhoami(w http.ResponseWriter, r *http.Request) {
	p := s.authorized(w, r, true)
	if p == nil {
		return
	}
	s.mu.Lock()
	u := p.acct.user
	if u.Typology == motion.TypologyWebRTC {
		u.SIP = s.sipAccountLocked(p.acct, r)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, u)
}

// sipAccountLocked builds the SIP settings of a WebRTC agent for request r.
// With Config.PublicURL, the defaults (domain, WebSocket URI) name its host; without, the host the
// request came to, which only its sender sees.
func (s *Server) sipAccountLocked(a *account, r *http.Request) *motion.SIPAccount {
	hostPort := r.Host
	if s.publicURL != "" {
		hostPort = strings.TrimPrefix(s.publicURL, "https://")
	}
	host := hostPort
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	sip := s.st.settings.sip
	user := sipUser(a)
	acc := &motion.SIPAccount{
		Username:   user,
		AuthUser:   user,
		Password:   a.sipPassword,
		Domain:     cmp.Or(sip.Domain, host),
		WSURI:      sip.WSURI,
		ICEServers: slices.Clone(sip.ICEServers),
	}
	if acc.WSURI == "" {
		acc.WSURI = s.defaultWSURI(r, hostPort, host)
	}
	return acc
}

// userFields are the fields of a user that lists can sort by and select.
var userFields = []string{"id", "name", "fullname", "email", "role", "typology", "internal"}

func userField(u *motion.User, f string) any {
	switch f {
	case "id":
		return u.ID
	case "name":
		return u.Name
	case "fullname":
		return u.Fullname
	case "email":
		return u.Email
	case "role":
		return u.Role
	case "typology":
		return u.Typology
	default:
		return u.Internal
	}
}

const maxListLimit = 1000

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	p := s.authorized(w, r, false)
	if p == nil {
		return
	}
	if p.acct.user.Role != motion.RoleAdmin {
		writeError(w, &apiError{Status: http.StatusForbidden, Body: motion.ErrorBody{
			Code: motion.CodeForbidden, Message: "Only administrators may list users.",
		}})
		return
	}
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), "limit", 1, maxListLimit, maxListLimit)
	if err != nil {
		writeError(w, err)
		return
	}
	offset, err := intParam(q.Get("offset"), "offset", 0, 1<<30, 0)
	if err != nil {
		writeError(w, err)
		return
	}
	sortField, desc := "id", false
	if v := q.Get("sort"); v != "" {
		sortField, desc = strings.CutPrefix(v, "-")
		if !slices.Contains(userFields, sortField) {
			writeError(w, badRequest("sort must be one of %s (with - in front for descending), not %q", strings.Join(userFields, ", "), v))
			return
		}
	}
	var fields []string
	if v := q.Get("fields"); v != "" {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if !slices.Contains(userFields, f) {
				writeError(w, badRequest("fields may only name %s, not %q", strings.Join(userFields, ", "), f))
				return
			}
			fields = append(fields, f)
		}
	}
	s.mu.Lock()
	users := make([]motion.User, 0, len(s.st.accounts))
	for _, a := range s.st.accounts {
		users = append(users, a.user)
	}
	s.mu.Unlock()
	slices.SortStableFunc(users, func(a, b motion.User) int {
		c := compareAny(userField(&a, sortField), userField(&b, sortField))
		if desc {
			c = -c
		}
		return c
	})
	total := len(users)
	users = users[min(offset, total):min(offset+limit, total)]
	if fields == nil {
		writeJSON(w, http.StatusOK, motion.UserList{Count: total, Rows: users})
		return
	}
	rows := make([]map[string]any, 0, len(users))
	for i := range users {
		row := map[string]any{}
		for _, f := range fields {
			row[f] = userField(&users[i], f)
		}
		rows = append(rows, row)
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": total, "rows": rows})
}

func compareAny(a, b any) int {
	switch x := a.(type) {
	case int:
		return cmp.Compare(x, b.(int))
	default:
		return cmp.Compare(strings.ToLower(a.(string)), strings.ToLower(b.(string)))
	}
}

// intParam parses an optional integer query parameter within [lo, hi].
func intParam(v, name string, lo, hi, def int) (int, *apiError) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s must be a whole number from %d to %d, not %q", name, lo, hi, v)
	}
	return n, nil
}

func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	p := s.authorized(w, r, true)
	if p == nil {
		return
	}
	var req motion.ChangePasswordRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if err := s.changePassword(p.acct, p.sess, req.OldPassword, req.NewPassword); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// changePassword checks the old password and the rules, then stores the new one. The session that
// asked (nil for Basic or apikey credentials) stays; the user's other sessions end.
func (s *Server) changePassword(acct *account, from *session, oldPW, newPW string) *apiError {
	switch {
	case oldPW == "":
		return badRequest("oldPassword is required")
	case newPW == "":
		return badRequest("newPassword is required")
	case len(oldPW) > 1024 || len(newPW) > 1024:
		return badRequest("password is too long")
	}
	s.mu.Lock()
	hash := acct.hash
	s.mu.Unlock()
	if bcrypt.CompareHashAndPassword(hash, []byte(oldPW)) != nil {
		return &apiError{Status: http.StatusUnauthorized, Body: motion.ErrorBody{
			Code: motion.CodeInvalidCredentials, Message: "The current password is wrong.",
		}}
	}
	return s.setPassword(acct, hash, newPW, from, nil)
}

// errPasswordRace answers a password change that another change (or a reset link) beat.
var errPasswordRace = &apiError{Status: http.StatusConflict, Body: motion.ErrorBody{
	Code:    motion.CodePasswordChanged,
	Message: "The password was changed by someone else meanwhile: log in again with the new password.",
}}

// setPassword checks newPW against the rules, the current password and the enforced history,
// then stores it: the old one joins the history, the first-login flag and expiry notices clear.
// The change ends every live session of the user except keep (nil: all of them), whose realtime
// sockets are told why, and retires the user's reset links, sign-in codes and pending web logins.
// claim, when set, runs under s.mu just before the change is stored and may refuse it (a reset
// link's single use). Bcrypt runs outside the lock: the change is stored only if the password is
// still the one whose hash is expect (the one the caller checked the old password against; nil:
// the current one), else another change won meanwhile and this one answers 409.
func (s *Server) setPassword(acct *account, expect []byte, newPW string, keep *session, claim func() *apiError) *apiError {
	if len(newPW) > 1024 {
		return badRequest("password is too long")
	}
	s.mu.Lock()
	hash := acct.hash
	if expect != nil && !bytes.Equal(expect, hash) {
		s.mu.Unlock()
		return errPasswordRace
	}
	suite := s.st.settings.securitySuite
	keepHistory := s.st.settings.passwordHistory
	history := slices.Clone(acct.history[:min(keepHistory, len(acct.history))])
	s.mu.Unlock()
	sameAsCurrent := bcrypt.CompareHashAndPassword(hash, []byte(newPW)) == nil
	var refused *apiError
	if suite {
		refused = checkNewPassword(newPW, sameAsCurrent)
		recent := false
		for _, h := range history {
			if bcrypt.CompareHashAndPassword(h, []byte(newPW)) == nil {
				recent = true
				break
			}
		}
		if recent {
			if refused == nil {
				refused = &apiError{Status: http.StatusUnprocessableEntity, Body: motion.ErrorBody{Code: motion.CodePasswordRules}}
			}
			refused.Body.Rules = append(refused.Body.Rules, RuleNotRecent)
			refused.Body.Message = "The new password must have " + strings.Join(refused.Body.Rules, ", ") + "."
		}
	} else if sameAsCurrent || len(newPW) > 72 {
		refused = &apiError{Status: http.StatusUnprocessableEntity, Body: motion.ErrorBody{
			Code: motion.CodePasswordRules, Message: "The new password must differ from the current one and be at most 72 bytes.",
			Rules: []string{RuleNotCurrent, RuleMaxLength},
		}}
	}
	if refused != nil {
		return refused
	}
	h, err := bcrypt.GenerateFromPassword([]byte(newPW), s.cost)
	if err != nil {
		return badRequest("the new password cannot be stored: %v", err)
	}
	s.mu.Lock()
	if claim != nil {
		if err := claim(); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	if !bytes.Equal(acct.hash, hash) {
		s.mu.Unlock()
		return errPasswordRace
	}
	acct.history = append([][]byte{acct.hash}, acct.history...)
	if len(acct.history) > maxPasswordHistory {
		acct.history = acct.history[:maxPasswordHistory]
	}
	acct.hash = h
	acct.changedAt = s.now()
	acct.mustChange = false
	ended := 0
	for _, ss := range s.st.sessions {
		if ss.acct != acct {
			continue
		}
		if ss == keep {
			ss.notices.mustChange = false
			ss.notices.expiresInDays = nil
			continue
		}
		s.endSessionLocked(ss, motion.CodePasswordChanged, endedMessage(motion.CodePasswordChanged))
		ended++
	}
	s.retireResetLinksLocked(acct, 0)
	for t, c := range s.st.ssoCodes {
		if c.acct == acct {
			delete(s.st.ssoCodes, t)
		}
	}
	for t, p := range s.st.pending {
		if p.acct == acct {
			delete(s.st.pending, t)
		}
	}
	s.mu.Unlock()
	s.deliver()
	s.log.WithFields(map[string]any{"user": acct.user.Name, "password": "<redacted>", "sessionsEnded": ended}).Info("password changed")
	return nil
}

func (s *Server) handleForgotPassword(w http.ResponseWriter, r *http.Request) {
	var req motion.ForgotPasswordRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if err := validateEmail(req.Email); err != nil {
		writeError(w, err)
		return
	}
	s.requestPasswordReset(req.Email)
	writeJSON(w, http.StatusAccepted, map[string]string{"message": forgotMessage})
}

const forgotMessage = "If this address belongs to a user, a link to choose a new password was sent to it. It is valid for one hour."

func validateEmail(e string) *apiError {
	if e == "" {
		return badRequest("email is required")
	}
	if len(e) > 254 || !strings.Contains(e, "@") || strings.ContainsAny(e, " \t\r\n<>") {
		return badRequest("email %q is not an email address", e)
	}
	return nil
}
