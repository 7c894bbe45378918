package motionsim

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/motion"
)

// This file holds "Forgot password": the message the real server sends by SMTP goes to the demo
// server's outbox (GET motion.PathAdminOutbox, the /admin/outbox page, and a log line); its link
// works for one hour and once.

// resetTTL is how long a forgot-password link works. [doc]
const resetTTL = time.Hour

// OutboxMessage is one message the demo server "sent".
type OutboxMessage struct {
	ID      int       `json:"id"`
	At      time.Time `json:"at"`
	To      string    `json:"to"`
	User    string    `json:"user"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	// Link is the link the message carries (the password reset page).
	Link string `json:"link"`
}

// resetLink is one forgot-password link.
type resetLink struct {
	acct    *account
	expires time.Time
	// seq orders the links as they were made: a coarse clock (Windows) gives several the same
	// expiry.
	seq int
}

// linkBaseLocked is the scheme, host and port of the links the server sends: Config.PublicURL, or
// the address Start listens on; never the Host header of a request, which its sender chooses. ""
// before Start without a public URL (a handler served some other way): links are then paths.
// The caller holds s.mu.
func (s *Server) linkBaseLocked() string {
	if s.publicURL != "" {
		return s.publicURL
	}
	return s.httpsURL
}

// requestPasswordReset puts a message with a reset link in the outbox for every user with that
// email. The caller's answer is the same whether or not one exists.
func (s *Server) requestPasswordReset(email string) {
	s.mu.Lock()
	now := s.now()
	sent := 0
	for _, a := range s.st.accounts {
		if a.user.Email == "" || !strings.EqualFold(a.user.Email, email) {
			continue
		}
		tok := newToken()
		s.retireResetLinksLocked(a, maxResetsPerUser-1)
		s.st.resets[tok] = &resetLink{acct: a, expires: now.Add(resetTTL), seq: s.st.outboxSeq + 1}
		link := s.linkBaseLocked() + motion.PathWebResetPassword + "?token=" + tok
		s.st.outboxSeq++
		msg := OutboxMessage{
			ID: s.st.outboxSeq, At: now, To: a.user.Email, User: a.user.Name,
			Subject: "Motion: choose a new password",
			Body: fmt.Sprintf("Hello %s,\n\nsomeone asked to reset the password of the login name %s. To choose a new password, open this link within one hour:\n\n%s\n\nThe link works once. If you did not ask, ignore this message: your password stays as it is.\n",
				a.user.Fullname, a.user.Name, link),
			Link: link,
		}
		s.st.outbox.push(msg)
		sent++
		s.log.WithFields(map[string]any{"known": true, "to": a.user.Email, "user": a.user.Name, "outbox": msg.ID}).Info("password reset message sent to the outbox (the demo server has no SMTP): see /admin/outbox")
	}
	if sent == 0 {
		s.log.WithFields(map[string]any{"known": false, "to": clip(email)}).Info("password reset asked for an email no user has: nothing sent")
	}
	s.mu.Unlock()
}

// retireResetLinksLocked drops the oldest live reset links of a until it has at most keep.
func (s *Server) retireResetLinksLocked(a *account, keep int) {
	var toks []string
	for t, l := range s.st.resets {
		if l.acct == a {
			toks = append(toks, t)
		}
	}
	slices.SortFunc(toks, func(x, y string) int { return cmp.Compare(s.st.resets[x].seq, s.st.resets[y].seq) })
	for len(toks) > max(keep, 0) {
		delete(s.st.resets, toks[0])
		toks = toks[1:]
	}
}

// Outbox returns the messages kept, oldest first: the latest 256 (maxOutbox).
func (s *Server) Outbox() []OutboxMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.outbox.all()
}

// resetLinkLocked finds a live reset link; the caller holds s.mu.
func (s *Server) resetLinkLocked(tok string) *resetLink {
	l, ok := s.st.resets[tok]
	if !ok || !s.now().Before(l.expires) {
		return nil
	}
	return l
}

var errResetLink = badRequest("This password reset link is not valid: it was used already, is older than one hour, or was never sent. Ask for a new one with Forgot Password.")

// resetPassword sets a new password through a reset link, which then stops working. Of several
// uses of one link at once, exactly one succeeds: the link is taken under the lock in the same step
// that stores the password. A password the rules refuse leaves the link usable.
func (s *Server) resetPassword(tok, newPW string) *apiError {
	if tok == "" || len(tok) > 128 {
		return errResetLink
	}
	if newPW == "" {
		return badRequest("newPassword is required")
	}
	s.mu.Lock()
	l := s.resetLinkLocked(tok)
	s.mu.Unlock()
	if l == nil {
		return errResetLink
	}
	return s.setPassword(l.acct, nil, newPW, nil, func() *apiError {
		if s.resetLinkLocked(tok) != l {
			return errResetLink
		}
		delete(s.st.resets, tok)
		return nil
	})
}

func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request) {
	var req motion.ResetPasswordRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if req.Token == "" {
		writeError(w, badRequest("token is required"))
		return
	}
	if err := s.resetPassword(req.Token, req.NewPassword); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type resetPage struct {
	pageBase
	Token   string
	Invalid bool
	Error   string
	Check   string
}

func (s *Server) handleResetPage(w http.ResponseWriter, r *http.Request) {
	s.recordPublic(r)
	nonce := newNonce()
	tok := r.URL.Query().Get("token")
	s.mu.Lock()
	ok := len(tok) <= 128 && s.resetLinkLocked(tok) != nil
	s.mu.Unlock()
	page := resetPage{pageBase: pageBase{Title: "New password", Nonce: nonce}, Token: tok, Invalid: !ok}
	status := http.StatusOK
	if !ok {
		status = http.StatusBadRequest
		page.Error = errResetLink.Body.Message
	}
	s.render(w, r, status, "reset", nonce, page)
}

func (s *Server) handleResetForm(w http.ResponseWriter, r *http.Request) {
	s.recordPublic(r)
	nonce := newNonce()
	page := resetPage{pageBase: pageBase{Title: "New password", Nonce: nonce}}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	if err := r.ParseForm(); err != nil {
		page.Error, page.Invalid = "The form could not be read: open the link again.", true
		s.render(w, r, http.StatusBadRequest, "reset", nonce, page)
		return
	}
	page.Token = r.PostForm.Get("token")
	pw, again := r.PostForm.Get("newPassword"), r.PostForm.Get("confirmPassword")
	if pw != again {
		page.Error = "The two passwords differ: type the same new password twice."
		s.render(w, r, http.StatusBadRequest, "reset", nonce, page)
		return
	}
	if err := s.resetPassword(page.Token, pw); err != nil {
		page.Error = err.Body.Message
		page.Invalid = err == errResetLink
		s.render(w, r, err.Status, "reset", nonce, page)
		return
	}
	http.Redirect(w, r, motion.PathWebLogin+"?m=reset", http.StatusSeeOther)
}
