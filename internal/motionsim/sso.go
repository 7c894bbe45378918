package motionsim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/motion"
)

// This file simulates the single sign-on providers (Active Directory, Google): the login page's
// buttons lead to the provider's sign-in page, served here, which checks the account (by email
// for Google, by login name for Active Directory, with the user's Motion password standing in
// for the directory's) and ends at motion.PathSSOCallback with a one-time code. A browser is
// logged in there; the Phonebar exchanges the code at motion.PathAuthSSO.

// ssoCodeTTL is how long a sign-in code may be exchanged. [ours]
const ssoCodeTTL = 2 * time.Minute

// ssoCode is a finished provider sign-in, waiting for its exchange.
type ssoCode struct {
	acct     *account
	provider string
	client   string
	expires  time.Time
}

// ssoEnabled reports whether the administrator enabled the provider.
func (s *Server) ssoEnabled(provider string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.st.settings.ssoProviders, provider)
}

func (s *Server) handleProviders(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	list := append([]string{}, s.st.settings.ssoProviders...)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, motion.ProvidersResponse{Providers: list})
}

type ssoPage struct {
	pageBase
	Provider, Label string
	Client, State   string
	Check           string
	Account         string
	Error           string
}

// ssoProviderOf returns the provider named by a /sso/{provider}/authorize path.
func ssoProviderOf(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, motion.PathSSOAuthorizePrefix)
	if !ok {
		return "", false
	}
	p, ok := strings.CutSuffix(rest, motion.PathSSOAuthorizeSuffix)
	return p, ok && motion.ProviderLabels[p] != ""
}

// handleSSOAuthorizeRoute routes /sso/{provider}/authorize by method.
func (s *Server) handleSSOAuthorizeRoute(w http.ResponseWriter, r *http.Request) {
	if _, ok := ssoProviderOf(r.URL.Path); !ok {
		writeError(w, &apiError{Status: http.StatusNotFound, Body: motion.ErrorBody{Code: motion.CodeNotFound, Message: "no such route: " + r.Method + " " + r.URL.Path}})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		methodNotAllowed(w, r, http.MethodGet, http.MethodPost)
		return
	}
	s.handleSSOAuthorize(w, r)
}

// handleSSOAuthorize serves the simulated provider's sign-in page (GET) and form (POST).
func (s *Server) handleSSOAuthorize(w http.ResponseWriter, r *http.Request) {
	s.recordPublic(r)
	provider, ok := ssoProviderOf(r.URL.Path)
	if !ok || !s.ssoEnabled(provider) {
		writeError(w, &apiError{Status: http.StatusNotFound, Body: motion.ErrorBody{Code: motion.CodeNotFound, Message: "This sign-in provider is not enabled on this server."}})
		return
	}
	nonce := newNonce()
	check := checkValue(r)
	setCheckCookie(w, r, check)
	page := ssoPage{pageBase: pageBase{Title: "Sign in with " + motion.ProviderLabels[provider], Nonce: nonce},
		Provider: provider, Label: motion.ProviderLabels[provider], Check: check}
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		page.Client, page.State = q.Get(motion.QueryClient), q.Get(motion.QueryState)
		if page.Client == "" {
			page.Client = motion.ClientWeb
		}
		if page.Client != motion.ClientWeb && page.Client != motion.ClientPhonebar || len(page.State) > 256 {
			writeError(w, badRequest("client must be %q or %q and state at most 256 characters", motion.ClientWeb, motion.ClientPhonebar))
			return
		}
		s.render(w, r, http.StatusOK, "sso", nonce, page)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	if err := r.ParseForm(); err != nil {
		writeError(w, badRequest("the sign-in form could not be read"))
		return
	}
	page.Client, page.State = r.PostForm.Get("client"), r.PostForm.Get("state")
	page.Account = strings.TrimSpace(r.PostForm.Get("account"))
	if page.Client != motion.ClientWeb && page.Client != motion.ClientPhonebar || len(page.State) > 256 {
		writeError(w, badRequest("client must be %q or %q and state at most 256 characters", motion.ClientWeb, motion.ClientPhonebar))
		return
	}
	fail := func(status int, msg string) {
		page.Error = msg
		s.render(w, r, status, "sso", nonce, page)
	}
	if c, err := r.Cookie(checkCookie); err != nil || r.PostForm.Get("check") != c.Value {
		fail(http.StatusBadRequest, "The sign-in form expired or cookies are blocked: allow cookies and try again.")
		return
	}
	pw := r.PostForm.Get("password")
	if page.Account == "" || pw == "" || len(page.Account) > 254 || len(pw) > 1024 {
		fail(http.StatusBadRequest, "Type your account and password.")
		return
	}
	// Google knows the agent by email, Active Directory by login name.
	s.mu.Lock()
	var name string
	for _, a := range s.st.accounts {
		if provider == motion.ProviderGoogle && a.user.Email != "" && strings.EqualFold(a.user.Email, page.Account) ||
			provider == motion.ProviderActiveDirectory && strings.EqualFold(a.user.Name, page.Account) {
			name = a.user.Name
		}
	}
	s.mu.Unlock()
	if name == "" {
		// No such account: the check still spends the time of a password check and counts the
		// failures of this provider account (a name no login name can be), so that the answers
		// are those of an account with a wrong password.
		name = provider + ":" + strings.ToLower(page.Account)
	}
	acct, res := s.checkPassword(name, pw, ViaSSO)
	if res.err != nil {
		if res.err.Body.Code == motion.CodeAccountLocked {
			fail(res.err.Status, res.err.Body.Message)
			return
		}
		fail(http.StatusUnauthorized, "Wrong account or password.")
		return
	}
	code := newToken()
	s.mu.Lock()
	makeRoom(s.st.ssoCodes, maxSSOCodes, func(c *ssoCode) time.Time { return c.expires })
	s.st.ssoCodes[code] = &ssoCode{acct: acct, provider: provider, client: page.Client, expires: s.now().Add(ssoCodeTTL)}
	s.mu.Unlock()
	s.log.WithFields(map[string]any{"user": acct.user.Name, "provider": provider, "client": page.Client}).Info("provider sign-in done")
	q := url.Values{motion.QueryCode: {code}}
	if page.State != "" {
		q.Set(motion.QueryState, page.State)
	}
	http.Redirect(w, r, motion.PathSSOCallback+"?"+q.Encode(), http.StatusSeeOther)
}

type ssoDonePage struct {
	pageBase
	Label, User string
	Error       string
}

// handleSSOCallback ends a provider sign-in: a browser is logged in (ClientWeb codes); a
// Phonebar's window shows that the agent may go back to the app, which reads the code from the
// address and exchanges it at PathAuthSSO.
func (s *Server) handleSSOCallback(w http.ResponseWriter, r *http.Request) {
	s.recordPublic(r)
	code := r.URL.Query().Get(motion.QueryCode)
	s.mu.Lock()
	c := s.st.ssoCodes[code]
	if c != nil && !s.now().Before(c.expires) {
		c = nil
	}
	s.mu.Unlock()
	nonce := newNonce()
	if code == "" || len(code) > 128 || c == nil {
		s.render(w, r, http.StatusBadRequest, "sso-done", nonce, ssoDonePage{pageBase: pageBase{Title: "Sign-in", Nonce: nonce},
			Error: "This sign-in is not valid any more: go back to the login page and sign in again."})
		return
	}
	if c.client == motion.ClientPhonebar {
		s.render(w, r, http.StatusOK, "sso-done", nonce, ssoDonePage{pageBase: pageBase{Title: "Signed in", Nonce: nonce},
			Label: motion.ProviderLabels[c.provider], User: c.acct.user.Name})
		return
	}
	req := loginRequest{client: motion.ClientWeb, via: ViaSSO, remote: remoteIP(r), ua: r.UserAgent(), askLine: true}
	if pc, err := r.Cookie(motion.PhoneOwnerCookie); err == nil && pc.Value == "1" {
		req.phonebarPhone = true
	}
	s.mu.Lock()
	delete(s.st.ssoCodes, code)
	req.name = c.acct.user.Name
	ss, res := s.loginVerifiedLocked(c.acct, req)
	s.mu.Unlock()
	s.deliver()
	s.finishWebLogin(w, r, req, ss, res)
}

// handleSSOExchange is POST PathAuthSSO: a sign-in code for a session, once.
func (s *Server) handleSSOExchange(w http.ResponseWriter, r *http.Request) {
	var req motion.SSOLoginRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if req.Client == "" {
		req.Client = motion.ClientPhonebar
	}
	switch {
	case req.Code == "":
		writeError(w, badRequest("code is required"))
		return
	case len(req.Code) > 128:
		writeError(w, badRequest("code is too long"))
		return
	case req.Client != motion.ClientPhonebar && req.Client != motion.ClientWeb:
		writeError(w, badRequest("client must be %q or %q", motion.ClientPhonebar, motion.ClientWeb))
		return
	}
	if err := validateChoice(req.Phone, req.Line); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	c := s.st.ssoCodes[req.Code]
	if c == nil || !s.now().Before(c.expires) {
		s.mu.Unlock()
		writeError(w, unauthorized("Unknown, used or expired sign-in code: sign in with the provider again."))
		return
	}
	lr := loginRequest{name: c.acct.user.Name, client: req.Client, force: req.Force, via: ViaSSO,
		remote: remoteIP(r), ua: r.UserAgent(), phone: req.Phone, line: req.Line}
	ss, res := s.loginVerifiedLocked(c.acct, lr)
	if res.err == nil {
		delete(s.st.ssoCodes, req.Code) // once; kept on a refusal the agent can answer (force, phone)
	}
	s.mu.Unlock()
	s.deliver()
	if res.err != nil {
		writeError(w, res.err)
		return
	}
	writeJSON(w, http.StatusOK, loginResponse(ss, res))
}

// handleWebCode is POST PathAuthWebCode: a one-time code that logs a browser in as the caller at
// PathSSOCallback (the Omni Desktop window of a Phonebar whose agent signed in with a provider).
func (s *Server) handleWebCode(w http.ResponseWriter, r *http.Request) {
	p := s.authorized(w, r, false)
	if p == nil {
		return
	}
	code := newToken()
	s.mu.Lock()
	makeRoom(s.st.ssoCodes, maxSSOCodes, func(c *ssoCode) time.Time { return c.expires })
	s.st.ssoCodes[code] = &ssoCode{acct: p.acct, client: motion.ClientWeb, expires: s.now().Add(ssoCodeTTL)}
	s.mu.Unlock()
	s.log.WithField("user", p.acct.user.Name).Info("browser sign-in code given")
	writeJSON(w, http.StatusOK, motion.WebCodeResponse{Code: code})
}
