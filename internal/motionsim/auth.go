package motionsim

import (
	"crypto/sha256"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/motion"
)

// principal is who a request acts as.
type principal struct {
	acct       *account
	sess       *session // nil for Basic and apikey
	mustChange bool     // only the password change is allowed
}

// authScheme splits an Authorization header into its scheme (lower case) and the rest.
func authScheme(h string) (scheme, rest string) {
	scheme, rest, _ = strings.Cut(strings.TrimSpace(h), " ")
	return strings.ToLower(scheme), strings.TrimSpace(rest)
}

// checkAuthorizationFormat refuses, on every /api/ route, an Authorization header that is neither
// Basic nor Bearer, with Motion's message and no code.
func checkAuthorizationFormat(r *http.Request) *apiError {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil
	}
	if scheme, _ := authScheme(h); scheme == "basic" || scheme == "bearer" {
		return nil
	}
	return &apiError{Status: http.StatusUnauthorized, Body: motion.ErrorBody{Message: motion.UnknownAuthorizationFormat}}
}

// tokenOf returns the bearer token of r: the Authorization header, else the token cookie.
func tokenOf(r *http.Request) string {
	if scheme, rest := authScheme(r.Header.Get("Authorization")); scheme == "bearer" {
		return rest
	}
	if c, err := r.Cookie(motion.TokenCookie); err == nil {
		return c.Value
	}
	return ""
}

// authAPI authenticates an API request by Basic, Bearer (header or cookie) or ?apikey=.
func (s *Server) authAPI(r *http.Request) (*principal, *apiError) {
	if name, pw, ok := r.BasicAuth(); ok {
		acct, res := s.checkPassword(name, pw, ViaBasic)
		if res.err != nil {
			return nil, res.err
		}
		return &principal{acct: acct, mustChange: res.mustChange}, nil
	}
	if scheme, _ := authScheme(r.Header.Get("Authorization")); scheme == "basic" {
		return nil, badRequest("the Basic credentials are not base64 of name:password")
	}
	if tok := tokenOf(r); tok != "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.sessionPrincipalLocked(tok)
	}
	if key := r.URL.Query().Get("apikey"); key != "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		acct, ok := s.st.byAPIKey[key]
		if !ok {
			return nil, unauthorized("Unknown API key.")
		}
		return &principal{acct: acct}, nil
	}
	return nil, unauthorized("Authentication required: log in, then send the token as Authorization: Bearer.")
}

// sessionPrincipalLocked looks a token up; the caller holds s.mu.
func (s *Server) sessionPrincipalLocked(tok string) (*principal, *apiError) {
	if ss, ok := s.st.sessions[tok]; ok {
		return &principal{acct: ss.acct, sess: ss, mustChange: ss.notices.mustChange}, nil
	}
	if reason, ok := s.st.ended[tok]; ok {
		return nil, &apiError{Status: http.StatusUnauthorized, Body: motion.ErrorBody{Code: motion.CodeSessionEnded, Message: endedMessage(reason)}}
	}
	return nil, unauthorized("Unknown or expired token: log in again.")
}

// loginRequest is a login from any entry point.
type loginRequest struct {
	name, password string
	client         string // ClientPhonebar or ClientWeb
	force          bool
	via            string
	remote, ua     string
	phonebarPhone  bool   // web: the one-phone-per-agent signal was present
	phone          string // hot-desk telephone
	line           string // external agent's line choice
	askLine        bool   // web: ask an external agent for the line rather than default it
}

// passwordMatches compares outside the lock (bcrypt is slow on purpose).
func (s *Server) passwordMatches(name, pw string) (found, ok bool) {
	s.mu.Lock()
	acct := s.st.byName[strings.ToLower(name)]
	var hash []byte
	if acct != nil {
		hash = acct.hash
	}
	s.mu.Unlock()
	if acct == nil {
		// The same work as for an account: a hash of the server's cost.
		_ = bcrypt.CompareHashAndPassword(s.dummy(), []byte(pw))
		return false, false
	}
	return true, bcrypt.CompareHashAndPassword(hash, []byte(pw)) == nil
}

// dummy is the hash compared with the password of a login name no account has, so that its
// answer takes as long as an account's: a hash of the server's own cost.
func (s *Server) dummy() []byte {
	s.dummyOnce.Do(func() {
		h, err := bcrypt.GenerateFromPassword([]byte(newToken()), s.cost)
		if err != nil { // only for a cost out of range, which New would have refused seeding
			h, _ = bcrypt.GenerateFromPassword([]byte(newToken()), bcrypt.DefaultCost)
		}
		s.dummyHash = h
	})
	return s.dummyHash
}

// checkPassword applies the lockout rules to a name and password without making a session.
func (s *Server) checkPassword(name, pw, via string) (*account, loginResult) {
	found, ok := s.passwordMatches(name, pw)
	s.mu.Lock()
	acct := s.st.byName[strings.ToLower(name)]
	res := s.decideLocked(acct, name, found, ok, false, false)
	if res.err != nil {
		s.addRecordLocked(Record{Kind: RecordLoginFailed, Login: LoginFailure{Name: name, Code: res.err.Body.Code, Via: via}})
	}
	s.mu.Unlock()
	s.deliver()
	return acct, res
}

// decideLocked runs decideLogin on the account's current state and stores the new lockout state.
// A name no account has (acct nil) keeps its own counters, so that it is answered exactly as an
// account with a wrong password would be.
func (s *Server) decideLocked(acct *account, name string, found, passwordOK, conflict, force bool) loginResult {
	in := loginInput{now: s.now(), found: found && acct != nil, passwordOK: passwordOK, conflict: conflict, force: force}
	var g *ghost
	if acct != nil {
		in.failures, in.locked, in.unlockAt = acct.failures, acct.locked, acct.unlockAt
		in.mustChange, in.changedAt = acct.mustChange, acct.changedAt
	} else {
		g = s.ghostLocked(name)
		in.failures, in.locked, in.unlockAt = g.failures, g.locked, g.unlockAt
	}
	res := decideLogin(&s.st.settings, in)
	if g != nil {
		g.failures, g.locked, g.unlockAt = res.failures, res.locked, res.unlockAt
		return res
	}
	wasLocked := acct.locked
	acct.failures, acct.locked, acct.unlockAt = res.failures, res.locked, res.unlockAt
	if res.locked && !wasLocked {
		s.log.WithField("user", acct.user.Name).Warn("account locked after too many wrong passwords")
	}
	return res
}

// ghostLocked returns the counters of a login name no account has, making them (and forgetting the
// oldest beyond maxGhosts) on its first failure. Names are kept as a hash: a client may send long
// ones.
func (s *Server) ghostLocked(name string) *ghost {
	sum := sha256.Sum256([]byte(strings.ToLower(name)))
	key := string(sum[:])
	if g := s.st.ghosts[key]; g != nil {
		return g
	}
	g := &ghost{}
	s.st.ghosts[key] = g
	if old, full := s.st.ghostOrder.push(key); full {
		delete(s.st.ghosts, old)
	}
	return g
}

// conflictsLocked returns the live sessions a new login of acct by client would conflict with.
func (s *Server) conflictsLocked(acct *account, client string) []*session {
	if acct == nil || !s.st.settings.sessionsConflict(acct.user.Typology) {
		return nil
	}
	var out []*session
	for _, ss := range s.st.sessions {
		if ss.acct == acct && ss.info.Client == client {
			out = append(out, ss)
		}
	}
	return out
}

// login checks a login and, when it succeeds, creates the session (ending the ones it replaces).
func (s *Server) login(req loginRequest) (*session, loginResult) {
	found, ok := s.passwordMatches(req.name, req.password)
	s.mu.Lock()
	defer s.deliver()
	defer s.mu.Unlock()
	acct := s.st.byName[strings.ToLower(req.name)]
	if found && ok {
		return s.loginVerifiedLocked(acct, req)
	}
	res := s.decideLocked(acct, req.name, found, ok, false, req.force)
	s.addRecordLocked(Record{Kind: RecordLoginFailed, Login: LoginFailure{Name: req.name, Code: res.err.Body.Code, Via: req.via}})
	s.log.WithFields(map[string]any{"user": req.name, "via": req.via, "code": res.err.Body.Code, "password": "<redacted>"}).Info("login refused")
	return nil, res
}

// loginVerifiedLocked finishes a login whose password is right; the caller holds s.mu.
func (s *Server) loginVerifiedLocked(acct *account, req loginRequest) (*session, loginResult) {
	conflicts := s.conflictsLocked(acct, req.client)
	res := s.decideLocked(acct, req.name, true, true, len(conflicts) > 0, req.force)
	if res.err != nil {
		s.addRecordLocked(Record{Kind: RecordLoginFailed, Login: LoginFailure{Name: req.name, Code: res.err.Body.Code, Via: req.via}})
		s.log.WithFields(map[string]any{"user": acct.user.Name, "via": req.via, "code": res.err.Body.Code}).Info("login refused")
		return nil, res
	}
	phoneName, line, perr := s.checkPhoneChoiceLocked(acct, req)
	if perr != nil {
		s.addRecordLocked(Record{Kind: RecordLoginFailed, Login: LoginFailure{Name: req.name, Code: perr.Body.Code, Via: req.via}})
		s.log.WithFields(map[string]any{"user": acct.user.Name, "via": req.via, "code": perr.Body.Code}).Info("login waits for a choice")
		return nil, loginResult{err: perr}
	}
	for _, old := range conflicts {
		s.endSessionLocked(old, motion.CodeSessionExists, endedMessage(motion.CodeSessionExists))
	}
	s.endOldestSessionsLocked(acct, maxSessionsPerUser-1)
	now := s.now()
	s.st.sessionSeq++
	ss := &session{
		token: newToken(),
		seq:   s.st.sessionSeq,
		acct:  acct,
		info: SessionInfo{
			ID: "s" + strconv.Itoa(s.st.sessionSeq), User: acct.user.Name, Client: req.client, Via: req.via,
			CreatedAt: now, RemoteAddr: req.remote, UserAgent: clip(req.ua), PhonebarOwnsPhone: req.phonebarPhone,
			Phone: phoneName, Line: line,
		},
		notices:   res,
		sockets:   map[*socket]struct{}{},
		idleSince: now,
		ready:     acct.user.Role == motion.RoleAgent && !s.st.settings.loginPaused,
	}
	// The agent's status goes on from their live sessions (the Omni Desktop opened by a ready
	// Phonebar is ready); the newest of them says it.
	var other *session
	for _, o := range s.st.sessions {
		if o.acct == acct && (other == nil || o.seq > other.seq) {
			other = o
		}
	}
	if other != nil {
		ss.ready, ss.pause, ss.readySince = other.ready, other.pause, other.readySince
	}
	s.st.sessions[ss.token] = ss
	s.st.sessionLog.push(ss)
	s.addRecordLocked(Record{Kind: RecordSessionCreated, At: now, Session: ss.info})
	s.log.WithFields(map[string]any{"user": acct.user.Name, "session": ss.info.ID, "client": req.client, "via": req.via, "replaced": len(conflicts), "phone": phoneName, "line": line}).Info("logged in")
	return ss, res
}

// endOldestSessionsLocked ends the oldest live sessions of acct until it holds at most keep.
func (s *Server) endOldestSessionsLocked(acct *account, keep int) {
	var live []*session
	for _, ss := range s.st.sessions {
		if ss.acct == acct {
			live = append(live, ss)
		}
	}
	if len(live) <= keep {
		return
	}
	slices.SortFunc(live, func(a, b *session) int { return a.seq - b.seq })
	for _, ss := range live[:len(live)-keep] {
		s.endSessionLocked(ss, EndTooManySessions, endedMessage(EndTooManySessions))
	}
}

// loginResponse builds the answer of a successful login.
func loginResponse(ss *session, res loginResult) motion.LoginResponse {
	return motion.LoginResponse{
		Token:                 ss.token,
		User:                  ss.acct.user,
		MustChangePassword:    res.mustChange,
		PasswordExpiresInDays: res.expiresInDays,
		License:               res.license,
	}
}
