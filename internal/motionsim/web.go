package motionsim

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/phonebar/phonebar/internal/motion"
)

// Paths of the Omni Desktop pages that only the pages themselves link to.
const (
	pathWebLogout   = "/logout"
	pathWebForgot   = "/forgot-password"
	pathWebPassword = "/password"
)

// checkCookie is set by the login page and must come back with the form, with the same value as
// the form's hidden "check" field: it proves cookies work (Motion cannot work without them) and
// that the form came from this server.
const checkCookie = "motion_check"

// pendingTTL is how long a "log in here and end the other session?" question stays answerable.
const pendingTTL = 2 * time.Minute

//go:embed web/*.html
var webFS embed.FS

var pages = template.Must(template.ParseFS(webFS, "web/*.html"))

// pageBase is what every page's head needs.
type pageBase struct {
	Title string
	Nonce string
}

type loginPage struct {
	pageBase
	Heading        string
	Check          string
	Error          string
	ErrorCode      string
	Notice         string
	Username       string
	Ticket         string
	CookiesBlocked bool
	SSO            []ssoButton
	// Step is the question a pending login (Ticket) waits for: "confirm", "phone" or "line".
	Step   string
	Phones []motion.Phone
}

type desktopPage struct {
	pageBase
	User            motion.User
	Initials        string
	TypologyLabel   string
	RoleLabel       string
	PhoneOwner      string // browser, phonebar, external, mobile or none
	PhoneOwnerLabel string
	SIP             *motion.SIPAccount // without its password
	RealtimePath    string
	WhoamiPath      string
	StatusPath      string // motion.PathAgentStatus: the Ready / Not ready toggle
	PhoneCookie     string
	PhoneFlag       string
	PhoneEvent      string
	ExpiresInDays   int // 0: no warning
	License         *motion.License
	MustChange      bool
	PasswordError   string
}

// httpShellPage is the desktop application loaded over plain http, without its token.
type httpShellPage struct {
	pageBase
	WhoamiPath string
	HTTPSURL   string // the https address of this server, to offer
}

type forgotPage struct {
	pageBase
	Error  string
	Notice string
}

func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// render writes a page with a Content-Security-Policy that allows only its own nonce'd script and
// style and the realtime socket of this origin.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, nonce string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.WithError(err).WithField("page", name).Error("page template failed")
		writeError(w, &apiError{Status: http.StatusInternalServerError, Body: motion.ErrorBody{Message: "the page could not be built"}})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+
		"'; img-src 'self' data:; connect-src 'self' wss://"+r.Host+"; form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

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

// recordPublic records a request to a page that needs no session.
func (s *Server) recordPublic(r *http.Request) {
	s.mu.Lock()
	s.addRecordLocked(Record{Kind: RecordWebRequest, Web: WebRequest{
		At: s.now(), Method: r.Method, Path: r.URL.Path, Auth: WebAuthPublic, RemoteAddr: remoteIP(r), UserAgent: r.UserAgent(),
	}})
	s.mu.Unlock()
	s.deliver()
}

// webSession authenticates a page request by the token cookie only (as a browser sends it).
func (s *Server) webSession(r *http.Request) (*session, *apiError) {
	var tok string
	if c, err := r.Cookie(motion.TokenCookie); err == nil {
		tok = c.Value
	}
	s.mu.Lock()
	var p *principal
	var perr *apiError
	if tok == "" {
		perr = unauthorized("no session")
	} else {
		p, perr = s.sessionPrincipalLocked(tok)
	}
	s.recordWebLocked(r, p, tok, perr)
	s.mu.Unlock()
	s.deliver()
	if perr != nil {
		return nil, perr
	}
	return p.sess, nil
}

func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	if _, err := s.webSession(r); err == nil {
		http.Redirect(w, r, motion.PathWebDesktop, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, motion.PathWebLogin, http.StatusSeeOther)
}

// checkValue returns the value of the check cookie, reusing a well-formed one so that two open
// login pages both stay valid.
func checkValue(r *http.Request) string {
	if c, err := r.Cookie(checkCookie); err == nil && len(c.Value) == 22 {
		return c.Value
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// setCheckCookie sets the check cookie; it is Secure over https only, so that it still tells
// whether cookies work on a page opened over http (the token cookie stays Secure always).
func setCheckCookie(w http.ResponseWriter, r *http.Request, v string) {
	http.SetCookie(w, &http.Cookie{Name: checkCookie, Value: v, Path: "/", Secure: r.TLS != nil, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// loginNotices explain, on the login page, why the agent is back there.
var loginNotices = map[string]string{
	"logout":                   "You logged out.",
	motion.CodeSessionExists:   "You were logged out because someone logged in with your credentials.",
	motion.CodeSessionEnded:    "You were logged out after too long without a connection to the server.",
	"password":                 "Your password was changed.",
	"reset":                    "Your new password is set: log in with it.",
	motion.CodePasswordChanged: "You were logged out because your password was changed: log in with the new password.",
}

// ssoButton is one single sign-on button of the login page.
type ssoButton struct {
	Provider, Label, URL string
}

func (s *Server) loginPageData(r *http.Request, nonce, check string) loginPage {
	s.mu.Lock()
	sso := make([]ssoButton, 0, len(s.st.settings.ssoProviders))
	for _, p := range s.st.settings.ssoProviders {
		sso = append(sso, ssoButton{Provider: p, Label: "Log in with " + motion.ProviderLabels[p],
			URL: motion.PathSSOAuthorizePrefix + p + motion.PathSSOAuthorizeSuffix + "?" + motion.QueryClient + "=" + motion.ClientWeb})
	}
	s.mu.Unlock()
	return loginPage{
		pageBase: pageBase{Title: "Login", Nonce: nonce},
		Heading:  "Log in to the Omni Desktop",
		Check:    check,
		Notice:   loginNotices[r.URL.Query().Get("m")],
		SSO:      sso,
	}
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.recordPublic(r)
	check := checkValue(r)
	setCheckCookie(w, r, check)
	nonce := newNonce()
	s.render(w, r, http.StatusOK, "login", nonce, s.loginPageData(r, nonce, check))
}

// handleLoginForm logs in from the login form: a ClientWeb session in the token cookie, then the
// desktop. Errors show on the login page again.
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	s.recordPublic(r)
	nonce := newNonce()
	check := checkValue(r)
	setCheckCookie(w, r, check)
	page := s.loginPageData(r, nonce, check)
	page.Notice = ""
	fail := func(status int, code, msg string) {
		page.Error, page.ErrorCode = msg, code
		s.render(w, r, status, "login", nonce, page)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, motion.CodeBadRequest, "The login form could not be read: reload the page and try again.")
		return
	}
	page.Username = r.PostForm.Get("username")
	c, err := r.Cookie(checkCookie)
	if err != nil {
		page.CookiesBlocked = true
		fail(http.StatusBadRequest, motion.CodeBadRequest, "Motion cannot work without cookies. Allow cookies for this site, then reload the page.")
		return
	}
	if r.PostForm.Get("check") != c.Value {
		fail(http.StatusBadRequest, motion.CodeBadRequest, "The login form expired: try again.")
		return
	}
	phone := false
	if pc, err := r.Cookie(motion.PhoneOwnerCookie); err == nil && pc.Value == "1" {
		phone = true
	}
	req := loginRequest{client: motion.ClientWeb, via: ViaWebForm, remote: remoteIP(r), ua: r.UserAgent(), phonebarPhone: phone, askLine: true}

	var ss *session
	var res loginResult
	if ticket := r.PostForm.Get("ticket"); ticket != "" {
		req.force = r.PostForm.Get("force") == "1"
		req.phone, req.line = r.PostForm.Get("phone"), r.PostForm.Get("line")
		if err := validateChoice(req.phone, req.line); err != nil {
			fail(err.Status, err.Body.Code, err.Body.Message)
			return
		}
		ss, res = s.confirmPending(ticket, req)
		if ss == nil && res.err == nil {
			fail(http.StatusBadRequest, motion.CodeBadRequest, "The question expired: log in again.")
			return
		}
		req = res.req
	} else {
		req.name, req.password = strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
		if req.name == "" || req.password == "" {
			fail(http.StatusBadRequest, motion.CodeBadRequest, "Type your username and password.")
			return
		}
		if !namePattern.MatchString(req.name) || len(req.password) > 1024 {
			fail(http.StatusUnauthorized, motion.CodeInvalidCredentials, invalidCredentials(nil).Body.Message)
			return
		}
		ss, res = s.login(req)
	}
	s.finishWebLogin(w, r, req, ss, res)
}

// finishWebLogin ends a web login: the token cookie and the desktop (the admin page for an
// administrator), or the login page with the error, or with the question the login waits for
// (end the other session, which telephone, which line) and a ticket that carries the answers so far.
func (s *Server) finishWebLogin(w http.ResponseWriter, r *http.Request, req loginRequest, ss *session, res loginResult) {
	nonce := newNonce()
	check := checkValue(r)
	setCheckCookie(w, r, check)
	page := s.loginPageData(r, nonce, check)
	page.Notice = ""
	if res.err != nil {
		page.Username = req.name
		page.Error, page.ErrorCode = res.err.Body.Message, res.err.Body.Code
		step := map[string]pendingStep{
			motion.CodeSessionExists: stepConfirm, motion.CodePhoneRequired: stepPhone,
			motion.CodePhoneUnavailable: stepPhone, codeLineRequired: stepLine,
		}[res.err.Body.Code]
		if step != stepUnknown && req.name != "" {
			page.Ticket = s.addPending(req, step)
			page.Step = map[pendingStep]string{stepConfirm: "confirm", stepPhone: "phone", stepLine: "line"}[step]
			if step == stepPhone {
				s.mu.Lock()
				page.Phones = s.availablePhonesLocked(s.st.byName[strings.ToLower(req.name)])
				s.mu.Unlock()
			}
			if step == stepPhone && res.err.Body.Code == motion.CodePhoneRequired || step == stepLine {
				page.Error = ""
			}
		}
		s.render(w, r, res.err.Status, "login", nonce, page)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: motion.TokenCookie, Value: ss.token, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, motion.PathWebDesktop, http.StatusSeeOther)
}

// addPending remembers a web login whose password was right, with the answers given so far, for
// the form that asks the next question. Sending the form of the "end the other session?" question
// is the confirmation.
func (s *Server) addPending(req loginRequest, step pendingStep) string {
	t := newToken()
	s.mu.Lock()
	makeRoom(s.st.pending, maxPending, func(p *pendingLogin) time.Time { return p.expires })
	s.st.pending[t] = &pendingLogin{
		acct: s.st.byName[strings.ToLower(req.name)], expires: s.now().Add(pendingTTL), phone: req.phonebarPhone,
		via: req.via, force: req.force || step == stepConfirm, hotDesk: req.phone, line: req.line,
	}
	s.mu.Unlock()
	return t
}

// confirmPending goes on with a pending web login, adding the answers of req to the ones kept.
// (nil, no error): the ticket is unknown or expired. The result's req is the merged request.
func (s *Server) confirmPending(ticket string, req loginRequest) (*session, loginResult) {
	s.mu.Lock()
	defer s.deliver()
	defer s.mu.Unlock()
	p, ok := s.st.pending[ticket]
	delete(s.st.pending, ticket)
	if !ok || p.acct == nil || s.now().After(p.expires) {
		return nil, loginResult{}
	}
	req.name = p.acct.user.Name
	req.force = req.force || p.force
	req.phonebarPhone = req.phonebarPhone || p.phone
	req.via = p.via
	req.phone = cmp.Or(req.phone, p.hotDesk)
	req.line = cmp.Or(req.line, p.line)
	ss, res := s.loginVerifiedLocked(p.acct, req)
	res.req = req
	return ss, res
}

// handleDesktop shows the agent's Omni Desktop, or sends to the login page without a session.
func (s *Server) handleDesktop(w http.ResponseWriter, r *http.Request) {
	ss, err := s.webSession(r)
	if err != nil && r.TLS == nil && err.Body.Code != motion.CodeSessionEnded {
		// Over plain http the Secure token cookie was never kept: the desktop application loads
		// and its API calls fail as the real one's do.
		nonce := newNonce()
		s.mu.Lock()
		https := s.httpsURL
		s.mu.Unlock()
		s.render(w, r, http.StatusOK, "desktop-http", nonce, httpShellPage{
			pageBase: pageBase{Title: "Omni Desktop", Nonce: nonce}, WhoamiPath: motion.PathWhoami, HTTPSURL: https,
		})
		return
	}
	if err != nil {
		s.toLogin(w, r, err)
		return
	}
	nonce := newNonce()
	s.render(w, r, http.StatusOK, "desktop", nonce, s.desktopData(r, ss, nonce, ""))
}

// toLogin redirects to the login page, saying why when the session ended.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request, err *apiError) {
	target := motion.PathWebLogin
	if err != nil && err.Body.Code == motion.CodeSessionEnded {
		s.mu.Lock()
		reason := ""
		if c, cerr := r.Cookie(motion.TokenCookie); cerr == nil {
			reason = s.st.ended[c.Value]
		}
		s.mu.Unlock()
		if reason == EndLogout {
			reason = "logout"
		}
		target += "?m=" + url.QueryEscape(reason)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

var typologyLabels = map[string]string{
	motion.TypologyPhonebar: "Phonebar",
	motion.TypologyExternal: "External phone",
	motion.TypologyWebRTC:   "WebRTC",
	motion.TypologyMobile:   "Mobile",
}

var roleLabels = map[string]string{motion.RoleAgent: "Agent", motion.RoleAdmin: "Administrator", motion.RoleUser: "User"}

func (s *Server) desktopData(r *http.Request, ss *session, nonce, pwErr string) desktopPage {
	s.mu.Lock()
	u := ss.acct.user
	var sip *motion.SIPAccount
	if u.Typology == motion.TypologyWebRTC {
		sip = s.sipAccountLocked(ss.acct, r)
		sip.Password = "" // never in a page
	}
	n := ss.notices
	info := ss.info
	s.mu.Unlock()
	d := desktopPage{
		pageBase:      pageBase{Title: "Omni Desktop", Nonce: nonce},
		User:          u,
		Initials:      initials(u.Fullname),
		TypologyLabel: typologyLabels[u.Typology],
		RoleLabel:     roleLabels[u.Role],
		SIP:           sip,
		RealtimePath:  motion.PathRealtime,
		WhoamiPath:    motion.PathWhoami,
		StatusPath:    motion.PathAgentStatus,
		PhoneCookie:   motion.PhoneOwnerCookie,
		PhoneFlag:     motion.PhoneOwnerFlag,
		PhoneEvent:    motion.PhoneOwnerEvent,
		License:       n.license,
		MustChange:    n.mustChange,
		PasswordError: pwErr,
	}
	if n.expiresInDays != nil {
		d.ExpiresInDays = *n.expiresInDays
	}
	if d.TypologyLabel == "" {
		d.TypologyLabel = "No typology"
	}
	phonebarOwns := false
	if c, err := r.Cookie(motion.PhoneOwnerCookie); err == nil && c.Value == "1" {
		phonebarOwns = true
	}
	switch u.Typology {
	case motion.TypologyWebRTC:
		d.PhoneOwner, d.PhoneOwnerLabel = "browser", "Phone: this browser"
		if phonebarOwns {
			d.PhoneOwner, d.PhoneOwnerLabel = "phonebar", "Phone: Phonebar app"
		}
	case motion.TypologyPhonebar:
		d.PhoneOwner, d.PhoneOwnerLabel = "phonebar", "Phone: Phonebar app"
	case motion.TypologyExternal:
		d.PhoneOwner, d.PhoneOwnerLabel = "external", "Phone: desk telephone"
		switch {
		case info.Phone != "":
			d.PhoneOwnerLabel = "Phone: " + info.Phone + " (Hot Desk)"
		case info.Line == motion.LinePhone:
			d.PhoneOwnerLabel = "Phone: your telephone number"
		case info.Line == motion.LineMobile:
			d.PhoneOwnerLabel = "Phone: your mobile number"
		}
	case motion.TypologyMobile:
		d.PhoneOwner, d.PhoneOwnerLabel = "mobile", "Phone: mobile app"
	default:
		d.PhoneOwner, d.PhoneOwnerLabel = "none", "No phone (not an agent)"
	}
	return d
}

func initials(fullname string) string {
	var out []rune
	for _, f := range strings.Fields(fullname) {
		for _, r := range f {
			if unicode.IsLetter(r) {
				out = append(out, unicode.ToUpper(r))
				break
			}
		}
		if len(out) == 2 {
			break
		}
	}
	return string(out)
}

// handlePasswordForm changes the password from the desktop's form (first login, expiry).
func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request) {
	ss, err := s.webSession(r)
	if err != nil {
		s.toLogin(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	nonce := newNonce()
	if perr := r.ParseForm(); perr != nil {
		s.render(w, r, http.StatusBadRequest, "desktop", nonce, s.desktopData(r, ss, nonce, "The form could not be read: try again."))
		return
	}
	if aerr := s.changePassword(ss.acct, ss, r.PostForm.Get("oldPassword"), r.PostForm.Get("newPassword")); aerr != nil {
		s.render(w, r, aerr.Status, "desktop", nonce, s.desktopData(r, ss, nonce, aerr.Body.Message))
		return
	}
	http.Redirect(w, r, motion.PathWebDesktop, http.StatusSeeOther)
}

// handleWebLogout ends the cookie's session and goes back to the login page.
func (s *Server) handleWebLogout(w http.ResponseWriter, r *http.Request) {
	if ss, err := s.webSession(r); err == nil {
		s.mu.Lock()
		s.endSessionLocked(ss, EndLogout, endedMessage(EndLogout))
		s.mu.Unlock()
		s.deliver()
	}
	http.SetCookie(w, &http.Cookie{Name: motion.TokenCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, motion.PathWebLogin+"?m=logout", http.StatusSeeOther)
}

func (s *Server) handleForgotPage(w http.ResponseWriter, r *http.Request) {
	s.recordPublic(r)
	nonce := newNonce()
	s.render(w, r, http.StatusOK, "forgot", nonce, forgotPage{pageBase: pageBase{Title: "Forgot password", Nonce: nonce}})
}

func (s *Server) handleForgotForm(w http.ResponseWriter, r *http.Request) {
	s.recordPublic(r)
	nonce := newNonce()
	page := forgotPage{pageBase: pageBase{Title: "Forgot password", Nonce: nonce}}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	if err := r.ParseForm(); err != nil {
		page.Error = "The form could not be read: try again."
		s.render(w, r, http.StatusBadRequest, "forgot", nonce, page)
		return
	}
	if err := validateEmail(strings.TrimSpace(r.PostForm.Get("email"))); err != nil {
		page.Error = "Type the email address of your login name."
		s.render(w, r, http.StatusBadRequest, "forgot", nonce, page)
		return
	}
	s.requestPasswordReset(strings.TrimSpace(r.PostForm.Get("email")))
	page.Notice = forgotMessage
	s.render(w, r, http.StatusOK, "forgot", nonce, page)
}
