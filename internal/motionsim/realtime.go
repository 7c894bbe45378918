package motionsim

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/phonebar/phonebar/internal/motion"
)

// handleRealtime serves PathRealtime: after the upgrade it sends EventHello, then EventHeartbeat
// every heartbeat interval, until the client goes, the session ends (EventLogout first) or the
// server closes.
func (s *Server) handleRealtime(w http.ResponseWriter, r *http.Request) {
	tok := tokenOf(r)
	s.mu.Lock()
	var p *principal
	var perr *apiError
	if tok == "" {
		perr = unauthorized("The realtime socket needs the session token (Authorization: Bearer, or the token cookie).")
	} else {
		p, perr = s.sessionPrincipalLocked(tok)
	}
	s.recordWebLocked(r, p, tok, perr)
	s.mu.Unlock()
	s.deliver()
	if perr != nil {
		writeError(w, perr)
		return
	}
	if s.rtPaused.Load() {
		writeError(w, &apiError{Status: http.StatusServiceUnavailable, Body: motion.ErrorBody{Message: "the realtime service is paused"}})
		return
	}
	if s.hooks.AllowRealtime != nil {
		if err := s.hooks.AllowRealtime(r); err != nil {
			writeError(w, &apiError{Status: http.StatusServiceUnavailable, Body: motion.ErrorBody{Message: err.Error()}})
			return
		}
	}
	clearDeadlines(w)
	hw := &hijackWriter{ResponseWriter: w}
	c, err := websocket.Accept(hw, r, nil)
	if err != nil {
		return // Accept has answered the client
	}
	defer c.CloseNow()
	raw := hw.conn

	sock := &socket{sess: p.sess, logout: make(chan motion.Event, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		closeSoon(c, raw, websocket.StatusGoingAway, "server closing")
		return
	}
	if _, live := s.st.sessions[p.sess.token]; !live {
		reason := s.st.ended[p.sess.token]
		s.mu.Unlock()
		s.sendLogout(r.Context(), c, raw, motion.Event{Type: motion.EventLogout, Reason: reason, Message: endedMessage(reason)})
		return
	}
	s.wg.Add(1) // under mu, before Close's Wait
	p.sess.socketSeq++
	sock.seq = p.sess.socketSeq
	p.sess.sockets[sock] = struct{}{}
	s.dropOldSocketsLocked(p.sess)
	s.mu.Unlock()
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(p.sess.sockets, sock)
		if len(p.sess.sockets) == 0 {
			p.sess.idleSince = s.now()
		}
		s.mu.Unlock()
	}()

	log := s.log.WithFields(map[string]any{"user": p.sess.info.User, "session": p.sess.info.ID})
	log.Debug("realtime socket open")
	defer log.Debug("realtime socket closed")

	ctx := c.CloseRead(r.Context()) // ends when the client closes or sends a message
	hb := int(s.heartbeat / time.Millisecond)
	if !s.send(ctx, c, motion.Event{Type: motion.EventHello, HeartbeatMS: hb}) {
		return
	}
	t := time.NewTicker(s.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if s.rtPaused.Load() {
				continue
			}
			if !s.send(ctx, c, motion.Event{Type: motion.EventHeartbeat}) {
				return
			}
		case ev := <-sock.logout:
			if ev.Type == "" { // DropRealtime: vanish like a broken network
				return
			}
			s.sendLogout(ctx, c, raw, ev)
			return
		case <-ctx.Done():
			return
		case <-s.stopping:
			closeSoon(c, raw, websocket.StatusGoingAway, "server closing")
			return
		}
	}
}

// dropOldSocketsLocked closes the oldest realtime sockets of ss beyond maxSocketsPerSession, as a
// broken network would (the session stays): a client that reconnects keeps its newest socket.
func (s *Server) dropOldSocketsLocked(ss *session) {
	for len(ss.sockets) > maxSocketsPerSession {
		var oldest *socket
		for sock := range ss.sockets {
			if oldest == nil || sock.seq < oldest.seq {
				oldest = sock
			}
		}
		delete(ss.sockets, oldest)
		select {
		case oldest.logout <- motion.Event{}:
		default:
		}
		s.log.WithFields(map[string]any{"user": ss.info.User, "session": ss.info.ID}).Info("oldest realtime socket of the session closed: too many open")
	}
}

// clearDeadlines lifts the read and write deadlines the http.Server set for a request
// (ReadTimeout, WriteTimeout) from a connection about to become a WebSocket, which lives on.
func clearDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
}

// send writes one event with a deadline; false means the socket is gone.
func (s *Server) send(ctx context.Context, c *websocket.Conn, ev motion.Event) bool {
	data, _ := json.Marshal(ev)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, data) == nil
}

// sendLogout tells the client its session ended and closes the socket.
func (s *Server) sendLogout(ctx context.Context, c *websocket.Conn, raw net.Conn, ev motion.Event) {
	if s.send(ctx, c, ev) {
		closeSoon(c, raw, websocket.StatusNormalClosure, "logged out")
	}
}

// closeWait bounds how long a close handshake may take: a peer that does not answer must not hold
// up Close.
const closeWait = time.Second

// closeSoon closes with a close frame, and without waiting more than closeWait for the peer's:
// then it closes the raw connection, which ends the handshake Close would wait 5 s for.
func closeSoon(c *websocket.Conn, raw net.Conn, code websocket.StatusCode, reason string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = c.Close(code, reason)
	}()
	select {
	case <-done:
	case <-time.After(closeWait):
		if raw != nil {
			_ = raw.Close()
		}
		<-done
	}
}

// hijackWriter keeps the connection websocket.Accept hijacks, so that closeSoon can cut it.
type hijackWriter struct {
	http.ResponseWriter
	conn net.Conn
}

func (h *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	h.conn = c
	return c, rw, err
}

// DropRealtime closes every realtime socket now, as a network failure would (the sessions stay).
// It returns how many it closed.
func (s *Server) DropRealtime() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ss := range s.st.sessions {
		for sock := range ss.sockets {
			select {
			case sock.logout <- motion.Event{}: // an empty event: close without a message
				n++
			default:
			}
		}
	}
	return n
}

// PauseRealtime simulates a network outage between the server and its realtime clients: while
// paused, open sockets stay open but carry nothing (no heartbeats) and new sockets are refused
// with 503. Clients must notice by the missing heartbeats.
func (s *Server) PauseRealtime(paused bool) {
	s.rtPaused.Store(paused)
}

// RealtimeSockets counts the open realtime sockets of a user's live sessions.
func (s *Server) RealtimeSockets(user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ss := range s.st.sessions {
		if ss.info.User == user {
			n += len(ss.sockets)
		}
	}
	return n
}
