package motionsim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/phonebar/phonebar/internal/motion"
)

// handleAgentStatus is GET and PUT motion.PathAgentStatus: the agent's availability: ready, or
// paused with one of the pause types (or none). It is the agent's, not one session's: a change made
// in one session (the Phonebar) shows in the others (the Omni Desktop), and a new session starts
// with the status of the agent's live ones.
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
		pause, err := s.pauseTypeLocked(req)
		if err == nil && (p.sess.ready != req.Ready || pauseID(p.sess.pause) != pauseID(pause)) {
			// The status is the agent's, as in Motion: every live session of the user (the
			// Phonebar's, the Omni Desktop's) says the same.
			now := s.now()
			for _, ss := range s.st.sessions {
				if ss.acct == p.sess.acct {
					ss.ready, ss.pause, ss.readySince = req.Ready, pause, now
				}
			}
		}
		s.mu.Unlock()
		if err != nil {
			writeError(w, err)
			return
		}
		s.log.WithFields(map[string]any{"user": p.acct.user.Name, "ready": req.Ready, "pauseType": req.PauseTypeID}).Info("agent status")
	}
	s.mu.Lock()
	st := p.sess.statusOf()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, st)
}

func pauseID(pt *motion.PauseType) int {
	if pt == nil {
		return 0
	}
	return pt.ID
}

// pauseTypeLocked finds the pause type a status request names (nil for none), or says why the
// request is refused.
func (s *Server) pauseTypeLocked(req motion.AgentStatusRequest) (*motion.PauseType, *apiError) {
	switch {
	case req.PauseTypeID == 0:
		return nil, nil
	case req.Ready:
		return nil, badRequest("a ready agent has no pause type: send pauseTypeId 0 with ready true")
	}
	types := s.st.settings.pauseTypes
	for _, pt := range types {
		if pt.ID == req.PauseTypeID {
			return &pt, nil
		}
	}
	known := make([]string, 0, len(types))
	for _, pt := range types {
		known = append(known, fmt.Sprintf("%d (%s)", pt.ID, pt.Name))
	}
	if len(known) == 0 {
		return nil, badRequest("no pause type %d: this server has no pause types, pause without one (pauseTypeId 0)", req.PauseTypeID)
	}
	return nil, badRequest("no pause type %d: the pause types are %s", req.PauseTypeID, strings.Join(known, ", "))
}

// handlePauseTypes is GET motion.PathPauseTypes: the pause types, in the administrator's order.
func (s *Server) handlePauseTypes(w http.ResponseWriter, r *http.Request) {
	if s.authorized(w, r, false) == nil {
		return
	}
	s.mu.Lock()
	rows := append([]motion.PauseType{}, s.st.settings.pauseTypes...)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, motion.PauseTypeList{Count: len(rows), Rows: rows})
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

// AgentStatus returns the status of user's live session of client, and whether there is one.
func (s *Server) AgentStatus(user, client string) (motion.AgentStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found *session
	for _, ss := range s.st.sessions {
		if ss.info.User == user && ss.info.Client == client && (found == nil || ss.seq > found.seq) {
			found = ss
		}
	}
	if found == nil {
		return motion.AgentStatus{}, false
	}
	return found.statusOf(), true
}
