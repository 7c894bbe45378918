package motionsim

import "time"

// RecordKind says what a Record is about.
type RecordKind int

// Record kinds.
const (
	RecordUnknown        RecordKind = iota
	RecordSessionCreated            // Session is the new session
	RecordSessionEnded              // Session is the ended session, with EndReason
	RecordLoginFailed               // Login holds the name and the error code
	RecordWebRequest                // Web holds a page or realtime request and how it was authenticated
)

func (k RecordKind) String() string {
	switch k {
	case RecordSessionCreated:
		return "session-created"
	case RecordSessionEnded:
		return "session-ended"
	case RecordLoginFailed:
		return "login-failed"
	case RecordWebRequest:
		return "web-request"
	default:
		return "unknown"
	}
}

// How a session was created (SessionInfo.Via).
const (
	ViaAPI     = "api"      // POST PathAuthLocal (JSON)
	ViaBasic   = "basic"    // POST PathLogin (Basic)
	ViaWebForm = "web-form" // the Omni Desktop login form
	ViaSSO     = "sso"      // a simulated provider sign-in (API code exchange or the web callback)
)

// Why a session ended (SessionInfo.EndReason): a motion Code constant (SESSION_EXISTS,
// SESSION_ENDED, PASSWORD_CHANGED), or one of these.
const (
	// EndLogout: the client logged out.
	EndLogout = "LOGOUT"
	// EndTooManySessions: the user's newest login went beyond maxSessionsPerUser live sessions and
	// this, the oldest, was ended.
	EndTooManySessions = "TOO_MANY_SESSIONS"
)

// Web authentication results (WebRequest.Auth).
const (
	WebAuthOK      = "ok"            // a live session's token cookie (or bearer token)
	WebAuthNone    = "none"          // no token
	WebAuthUnknown = "unknown-token" // a token the server never issued
	WebAuthEnded   = "ended"         // the token's session has ended
	WebAuthPublic  = "public"        // a page that needs no session (login, forgot password)
)

// SessionInfo describes one session. It never holds the token.
type SessionInfo struct {
	ID         string
	User       string
	Client     string // motion.ClientPhonebar or motion.ClientWeb
	Via        string // ViaAPI, ViaBasic or ViaWebForm
	CreatedAt  time.Time
	RemoteAddr string
	UserAgent  string
	// PhonebarOwnsPhone is set on web sessions whose login carried the one-phone-per-agent signal.
	PhonebarOwnsPhone bool
	// Phone is the hot-desk telephone chosen at login; Line the choice of an external agent
	// without Hot Desk (motion.LineInternal, LinePhone, LineMobile); both empty otherwise.
	Phone     string
	Line      string
	EndedAt   time.Time // zero while live
	EndReason string
}

// WebRequest is one request to a page or the realtime socket, and how it was authenticated.
type WebRequest struct {
	At         time.Time
	Method     string
	Path       string
	Auth       string // WebAuthOK, WebAuthNone, WebAuthUnknown, WebAuthEnded or WebAuthPublic
	User       string // when Auth is WebAuthOK
	SessionID  string // when Auth is WebAuthOK
	RemoteAddr string
	UserAgent  string
}

// LoginFailure is one refused login.
type LoginFailure struct {
	Name string
	Code string // a motion Code constant
	Via  string
}

// Record is one thing the server did that a test may want to prove.
type Record struct {
	Seq     int
	Kind    RecordKind
	At      time.Time
	Session SessionInfo  // RecordSessionCreated, RecordSessionEnded
	Web     WebRequest   // RecordWebRequest
	Login   LoginFailure // RecordLoginFailed
}

// Records returns the records kept, oldest first: the latest 4096 (maxRecords).
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.records.all()
}

// Sessions returns the sessions created so far, live or ended, oldest first: the latest 1024
// (maxSessionLog).
func (s *Server) Sessions() []SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	log := s.st.sessionLog.all()
	out := make([]SessionInfo, 0, len(log))
	for _, ss := range log {
		out = append(out, ss.info)
	}
	return out
}

// WebRequests returns the page and realtime requests among the records kept, oldest first.
func (s *Server) WebRequests() []WebRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []WebRequest
	for _, r := range s.st.records.all() {
		if r.Kind == RecordWebRequest {
			out = append(out, r.Web)
		}
	}
	return out
}

// addRecordLocked keeps a record (dropping the oldest beyond maxRecords); the caller holds s.mu and
// calls s.deliver after unlocking. Texts a client chose are clipped to maxRecordedText.
func (s *Server) addRecordLocked(r Record) {
	s.st.recordSeq++
	r.Seq = s.st.recordSeq
	if r.At.IsZero() {
		r.At = s.now()
	}
	r.Web.Path, r.Web.UserAgent = clip(r.Web.Path), clip(r.Web.UserAgent)
	r.Login.Name = clip(r.Login.Name)
	s.st.records.push(r)
}

// deliver hands the records not yet delivered to Hooks.OnRecord, in order, outside s.mu. A hook so
// slow that more than maxRecords records were made meanwhile misses the oldest of them.
func (s *Server) deliver() {
	if s.hooks.OnRecord == nil {
		return
	}
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	for {
		s.mu.Lock()
		pending := s.st.records.last(s.st.recordSeq - s.st.delivered)
		s.st.delivered = s.st.recordSeq
		s.mu.Unlock()
		if len(pending) == 0 {
			return
		}
		for _, r := range pending {
			s.hooks.OnRecord(r)
		}
	}
}
