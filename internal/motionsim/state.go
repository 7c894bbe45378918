package motionsim

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/phonebar/phonebar/internal/motion"
)

// state is everything the server knows; it is guarded by Server.mu. Admin features (unlock,
// settings) change it in place.
type state struct {
	settings   settings
	accounts   []*account // by id
	byName     map[string]*account
	byAPIKey   map[string]*account
	sessions   map[string]*session // live sessions by token
	ended      map[string]string   // token of an ended session → EndReason
	sessionLog []*session          // every session, oldest first
	pending    map[string]*pendingLogin
	records    []Record
	delivered  int // records handed to Hooks.OnRecord
	phones     []*phone
	outbox     []OutboxMessage
	resets     map[string]*resetLink // forgot-password links by token
	ssoCodes   map[string]*ssoCode   // finished provider sign-ins by one-time code
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
	info    SessionInfo
	acct    *account
	notices loginResult // mustChange, expiresInDays, license as at login
	sockets map[*socket]struct{}
	// idleSince is when the session last had no realtime socket (its creation at first).
	idleSince time.Time
	// ready is the agent's availability (motion.PathAgentStatus), since readySince.
	ready      bool
	readySince time.Time
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

// endedMessage explains to a client why its token no longer works.
func endedMessage(reason string) string {
	switch reason {
	case motion.CodeSessionExists:
		return "You were logged out because someone logged in with your credentials."
	case motion.CodeSessionEnded:
		return "You were logged out after too long without a connection to the server."
	default:
		return "You logged out."
	}
}
