package motionsim

import (
	"net/http"

	"github.com/phonebar/phonebar/internal/motion"
)

// handleAgentStatus is GET and PUT motion.PathAgentStatus: the agent's availability in the
// session of the token.
func (s *Server) handleAgentStatus(w http.ResponseWriter, r *http.Request) {
	p := s.authorized(w, r, false)
	if p == nil {
		return
	}
	if p.sess == nil {
		writeError(w, badRequest("the agent status belongs to a login session: log in and use its token"))
		return
	}
	if r.Method == http.MethodPut {
		var req motion.AgentStatusRequest
		if err := s.decodeJSON(w, r, &req); err != nil {
			writeError(w, err)
			return
		}
		s.mu.Lock()
		if p.sess.ready != req.Ready {
			p.sess.ready, p.sess.readySince = req.Ready, s.now()
		}
		s.mu.Unlock()
		s.log.WithFields(map[string]any{"user": p.acct.user.Name, "ready": req.Ready}).Info("agent status")
	}
	s.mu.Lock()
	st := motion.AgentStatus{Ready: p.sess.ready, Since: p.sess.readySince}
	if st.Since.IsZero() {
		st.Since = p.sess.info.CreatedAt
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, st)
}

// AgentReady reports whether user has a live session of client that is ready.
func (s *Server) AgentReady(user, client string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.st.sessions {
		if ss.info.User == user && ss.info.Client == client && ss.ready {
			return true
		}
	}
	return false
}
