package motionsim

import (
	"net/http"

	"github.com/phonebar/phonebar/internal/motion"
)

// Paths of the Omni Desktop pages that only the pages themselves link to.
const (
	pathWebLogout   = "/logout"
	pathWebForgot   = "/forgot-password"
	pathWebPassword = "/password"
)

// recordWebLocked records how a page or realtime request was authenticated; the caller holds s.mu.
func (s *Server) recordWebLocked(r *http.Request, p *principal, tok string, perr *apiError) {
	wr := WebRequest{At: s.now(), Method: r.Method, Path: r.URL.Path, RemoteAddr: remoteIP(r), UserAgent: r.UserAgent()}
	switch {
	case p != nil && p.sess != nil:
		wr.Auth, wr.User, wr.SessionID = WebAuthOK, p.sess.info.User, p.sess.info.ID
	case tok == "":
		wr.Auth = WebAuthNone
	case perr != nil && perr.Body.Code == motion.CodeSessionEnded:
		wr.Auth = WebAuthEnded
	default:
		wr.Auth = WebAuthUnknown
	}
	s.addRecordLocked(Record{Kind: RecordWebRequest, At: wr.At, Web: wr})
}

func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, motion.PathWebLogin, http.StatusSeeOther)
}
func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request)  {}
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request)  {}
func (s *Server) handleDesktop(w http.ResponseWriter, r *http.Request)    {}
func (s *Server) handleWebLogout(w http.ResponseWriter, r *http.Request)  {}
func (s *Server) handleForgotPage(w http.ResponseWriter, r *http.Request) {}
func (s *Server) handleForgotForm(w http.ResponseWriter, r *http.Request) {}
