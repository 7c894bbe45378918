package motionsim

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/phonebar/phonebar/internal/motion"
)

// state is everything the server knows; it is guarded by Server.mu. Admin features (unlock,
// settings) change it in place. Everything that grows with requests is bounded (see the max*
// constants): a long run, or a flood of requests, cannot make the server hold more.
type state struct {
	settings   settings
	accounts   []*account // by id
	byName     map[string]*account
	byAPIKey   map[string]*account
	sessions   map[string]*session // live sessions by token
	ended      map[string]string   // token of an ended session → EndReason, the latest maxEnded
	endedOrder ring[string]        // the tokens of ended, oldest first
	sessionLog ring[*session]      // the latest maxSessionLog sessions, oldest first
	sessionSeq int                 // sessions created so far (their IDs)
	ghosts     map[string]*ghost   // lockout counters of login names no account has
	ghostOrder ring[string]        // the keys of ghosts, oldest first
	pending    map[string]*pendingLogin
	records    ring[Record] // the latest maxRecords records
	recordSeq  int          // records made so far (their Seq)
	delivered  int          // Seq of the last record handed to Hooks.OnRecord
	phones     []*phone
	outbox     ring[OutboxMessage]   // the latest maxOutbox messages
	outboxSeq  int                   // messages sent so far (their ID)
	resets     map[string]*resetLink // forgot-password links by token
	ssoCodes   map[string]*ssoCode   // finished provider sign-ins by one-time code
}

// The bounds of what the server keeps. Older entries go first; see each for what that means.
const (
	// maxRecords is how many Records are kept (Records, WebRequests).
	maxRecords = 4096
	// maxSessionLog is how many sessions Sessions lists; live sessions are kept whatever their age.
	maxSessionLog = 1024
	// maxEnded is how many ended sessions' tokens still answer SESSION_ENDED with their reason;
	// an older token answers as an unknown one (401 UNAUTHORIZED).
	maxEnded = 4096
	// maxSessionsPerUser is how many live sessions one user may hold (with phonebarMultiLogin, or
	// across client kinds): a new login ends the oldest beyond it.
	maxSessionsPerUser = 16
	// maxSocketsPerSession is how many realtime sockets one session may hold: a new socket closes
	// the oldest beyond it (a client that reconnects before the server saw its old socket go).
	maxSocketsPerSession = 4
	// maxGhosts is how many unknown login names have their failures counted (so that they answer
	// like real accounts); the oldest is forgotten beyond it.
	maxGhosts = 4096
	// maxOutbox is how many "sent" messages the outbox keeps.
	maxOutbox = 256
	// maxResetsPerUser is how many forgot-password links of one user work at once: a new one
	// retires the oldest.
	maxResetsPerUser = 3
	// maxPending is how many web logins may wait for an answer (end the other session, which
	// telephone, which line) at once: beyond it the oldest question expires.
	maxPending = 1024
	// maxSSOCodes is how many sign-in codes may wait to be used at once: beyond it the oldest
	// expires.
	maxSSOCodes = 1024
	// maxRecordedText bounds the user agent, path and name kept in a record or a session.
	maxRecordedText = 256
)

// ghost is the lockout state of a login name no account has: failures there count down and lock
// exactly as for an account, so that the answers do not tell which names exist.
type ghost struct {
	failures int
	locked   bool
	unlockAt time.Time
}

// phone is one hot-desk telephone.
type phone struct {
	name       string
	registered bool
	busy       bool
}

// account is one user and its security state.
type account struct {
	user        motion.User // without SIP
	hash        []byte
	apiKey      string
	sipPassword string
	hotDesk     bool
	mustChange  bool
	changedAt   time.Time
	history     [][]byte // hashes of the previous passwords, newest first, at most maxPasswordHistory
	failures    int
	locked      bool
	unlockAt    time.Time
}

// session is one logged-in client.
type session struct {
	token   string
	seq     int // order of creation
	info    SessionInfo
	acct    *account
	notices loginResult // mustChange, expiresInDays, license as at login
	sockets map[*socket]struct{}
	// socketSeq numbers the sockets of the session, to close the oldest beyond maxSocketsPerSession.
	socketSeq int
	// idleSince is when the session last had no realtime socket (its creation at first).
	idleSince time.Time
	// ready is the agent's availability (motion.PathAgentStatus), since readySince; pause is the
	// reason of a pause (nil: none, or ready). A copy: the administrator may delete the type.
	ready      bool
	pause      *motion.PauseType
	readySince time.Time
}

// statusOf is the session's agent status.
func (ss *session) statusOf() motion.AgentStatus {
	st := motion.AgentStatus{Ready: ss.ready, Since: ss.readySince, LoggedInAt: ss.info.CreatedAt}
	if ss.pause != nil {
		pt := *ss.pause
		st.PauseType = &pt
	}
	if st.Since.IsZero() {
		st.Since = ss.info.CreatedAt
	}
	return st
}

// pendingStep is what a pending web login waits for.
type pendingStep int

const (
	stepUnknown pendingStep = iota
	stepConfirm             // end the other session?
	stepPhone               // which hot-desk telephone?
	stepLine                // internal, phone or mobile?
)

// socket is one realtime connection of a session.
type socket struct {
	sess   *session
	seq    int               // order of opening within the session
	logout chan motion.Event // buffered 1: the event that ends it
}

// pendingLogin is a web login whose password was right but that waits for the agent to confirm
// ending the other session. The ticket is what the confirmation form carries, never the password.
type pendingLogin struct {
	acct    *account
	expires time.Time
	phone   bool // the one-phone-per-agent signal was present
	via     string
	force   bool   // already confirmed
	hotDesk string // already chosen
	line    string // already chosen
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("motionsim: no randomness: %v", err)) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// endSessionLocked ends a live session, tells its sockets why, and records it.
func (s *Server) endSessionLocked(ss *session, reason, message string) {
	if _, live := s.st.sessions[ss.token]; !live {
		return
	}
	now := s.now()
	delete(s.st.sessions, ss.token)
	s.st.ended[ss.token] = reason
	if old, full := s.st.endedOrder.push(ss.token); full {
		delete(s.st.ended, old)
	}
	ss.info.EndedAt = now
	ss.info.EndReason = reason
	ev := motion.Event{Type: motion.EventLogout, Reason: reason, Message: message}
	for sock := range ss.sockets {
		select {
		case sock.logout <- ev:
		default:
		}
	}
	s.addRecordLocked(Record{Kind: RecordSessionEnded, At: now, Session: ss.info})
	s.log.WithFields(map[string]any{"user": ss.info.User, "session": ss.info.ID, "reason": reason}).Info("session ended")
}

// sweepLocked ends the sessions that have had no realtime socket for the disconnection timeout.
func (s *Server) sweepLocked() {
	timeout := s.st.settings.disconnectTimeout
	now := s.now()
	for _, ss := range s.st.sessions {
		if timeout > 0 && len(ss.sockets) == 0 && now.Sub(ss.idleSince) >= timeout {
			s.endSessionLocked(ss, motion.CodeSessionEnded, fmt.Sprintf("Logged out after %s without a connection to the server.", timeout))
		}
	}
	for t, p := range s.st.pending {
		if now.After(p.expires) {
			delete(s.st.pending, t)
		}
	}
	for t, c := range s.st.ssoCodes {
		if now.After(c.expires) {
			delete(s.st.ssoCodes, t)
		}
	}
	for t, l := range s.st.resets {
		if now.After(l.expires) {
			delete(s.st.resets, t)
		}
	}
}

// Sweep ends now the sessions past the disconnection timeout (requests sweep too; this is for
// tests that move the clock).
func (s *Server) Sweep() {
	s.mu.Lock()
	s.sweepLocked()
	s.mu.Unlock()
	s.deliver()
}

// clip cuts a text a client sent to at most maxRecordedText bytes (on a character boundary) before
// it is kept in a record or a session.
func clip(v string) string {
	if len(v) <= maxRecordedText {
		return v
	}
	cut := maxRecordedText
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "…"
}

// endedMessage explains to a client why its token no longer works.
func endedMessage(reason string) string {
	switch reason {
	case motion.CodeSessionExists:
		return "You were logged out because someone logged in with your credentials."
	case motion.CodeSessionEnded:
		return "You were logged out after too long without a connection to the server."
	case motion.CodePasswordChanged:
		return "You were logged out because the password of your login name was changed: log in with the new password."
	case EndTooManySessions:
		return "You were logged out because your login name opened too many sessions at once: log in again."
	default:
		return "You logged out."
	}
}
