package motionsim

import (
	"slices"
	"time"
)

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

// Why a session ended (SessionInfo.EndReason): a motion Code constant, or EndLogout.
const EndLogout = "LOGOUT"

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

// Records returns every record so far, oldest first.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.records)
}

// Sessions returns every session created so far, live or ended, oldest first.
func (s *Server) Sessions() []SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SessionInfo, 0, len(s.st.sessionLog))
	for _, ss := range s.st.sessionLog {
		out = append(out, ss.info)
	}
	return out
}

// WebRequests returns every page and realtime request so far, oldest first.
func (s *Server) WebRequests() []WebRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []WebRequest
	for _, r := range s.st.records {
		if r.Kind == RecordWebRequest {
			out = append(out, r.Web)
		}
	}
	return out
}

// addRecordLocked appends a record; the caller holds s.mu and calls s.deliver after unlocking.
func (s *Server) addRecordLocked(r Record) {
	r.Seq = len(s.st.records) + 1
	if r.At.IsZero() {
		r.At = s.now()
	}
	s.st.records = append(s.st.records, r)
}

// deliver hands the records not yet delivered to Hooks.OnRecord, in order, outside s.mu.
func (s *Server) deliver() {
	if s.hooks.OnRecord == nil {
		return
	}
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	for {
		s.mu.Lock()
		pending := slices.Clone(s.st.records[s.st.delivered:])
		s.st.delivered = len(s.st.records)
		s.mu.Unlock()
		if len(pending) == 0 {
			return
		}
		for _, r := range pending {
			s.hooks.OnRecord(r)
		}
	}
}
