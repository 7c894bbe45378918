package motionsim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim/pbx"
)

// Paths of the administrator's pages (motion.PathWebAdmin is the main one).
const (
	pathWebAdminOutbox   = "/admin/outbox"
	pathWebAdminSettings = "/admin/settings"
	pathWebAdminUsers    = "/admin/users/"  // + NAME (POST: save) or NAME/unlock (POST)
	pathWebAdminPhones   = "/admin/phones/" // + NAME (POST: save)
)

type adminPage struct {
	pageBase
	Admin     motion.User
	Check     string
	Outbox    bool // the outbox page rather than the main one
	Settings  AdminSettings
	SSO       map[string]bool
	Users     []AdminUser
	Phones    []AdminPhone
	Messages  []OutboxMessage
	Notice    string
	Error     string
	Typologes []string
	// PBX is on; Softphones are the webrtc agents, Calls the PBX's calls.
	PBX        bool
	Softphones []softphoneRow
	Calls      []pbx.CallInfo
}

// adminSession authenticates an admin page: the web session of an administrator. It answers
// itself (login page, or 403) and returns nil otherwise.
func (s *Server) adminSession(w http.ResponseWriter, r *http.Request) *session {
	ss, err := s.webSession(r)
	if err != nil {
		s.toLogin(w, r, err)
		return nil
	}
	if ss.acct.user.Role != motion.RoleAdmin {
		writeError(w, &apiError{Status: http.StatusForbidden, Body: motion.ErrorBody{Code: motion.CodeForbidden, Message: "Only administrators may open the administration page: log in as an administrator."}})
		return nil
	}
	return ss
}

func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, ss *session, status int, notice, errMsg string) {
	nonce := newNonce()
	check := checkValue(r)
	setCheckCookie(w, r, check)
	st := s.Settings()
	page := adminPage{
		pageBase: pageBase{Title: "Administration", Nonce: nonce},
		Admin:    ss.acct.user, Check: check, Outbox: r.URL.Path == pathWebAdminOutbox,
		Settings: st, SSO: map[string]bool{}, Users: s.Users(), Phones: s.Phones(), Messages: s.Outbox(),
		Notice: notice, Error: errMsg,
		Typologes: []string{motion.TypologyPhonebar, motion.TypologyExternal, motion.TypologyWebRTC, motion.TypologyMobile},
		PBX:       s.pbx != nil, Softphones: s.softphones(), Calls: s.PBXCalls().Rows,
	}
	slices.Reverse(page.Messages) // newest first
	for _, p := range st.SSOProviders {
		page.SSO[p] = true
	}
	s.render(w, r, status, "admin", nonce, page)
}

var adminNotices = map[string]string{
	"settings": "Settings saved.",
	"user":     "User saved.",
	"unlocked": "Account unlocked.",
	"phone":    "Telephone saved.",
	"calling":  "Calling the agent as a customer: answer in the Phonebar.",
}

func (s *Server) handleAdminPage(w http.ResponseWriter, r *http.Request) {
	ss := s.adminSession(w, r)
	if ss == nil {
		return
	}
	s.renderAdmin(w, r, ss, http.StatusOK, adminNotices[r.URL.Query().Get("m")], "")
}

// adminForm authenticates and reads an admin form, checking that it came from this server's page
// (the hidden check field equals the check cookie). It answers itself and returns nil on failure.
func (s *Server) adminForm(w http.ResponseWriter, r *http.Request) *session {
	ss := s.adminSession(w, r)
	if ss == nil {
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	if err := r.ParseForm(); err != nil {
		s.renderAdmin(w, r, ss, http.StatusBadRequest, "", "The form could not be read: reload the page and try again.")
		return nil
	}
	if c, err := r.Cookie(checkCookie); err != nil || r.PostForm.Get("check") != c.Value {
		s.renderAdmin(w, r, ss, http.StatusBadRequest, "", "The form expired: reload the page and try again.")
		return nil
	}
	return ss
}

// formInt reads a whole number field; an error names it.
func formInt(r *http.Request, field string) (*int, *apiError) {
	v := strings.TrimSpace(r.PostForm.Get(field))
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, badRequest("%s must be a whole number, not %s", field, quoteShort(v))
	}
	return &n, nil
}

func (s *Server) handleAdminSettingsForm(w http.ResponseWriter, r *http.Request) {
	ss := s.adminForm(w, r)
	if ss == nil {
		return
	}
	on := func(f string) *bool { b := r.PostForm.Get(f) == "on"; return &b }
	var p adminSettingsPatch
	p.SecuritySuite, p.PhonebarMultiLogin = on("securitySuite"), on("phonebarMultiLogin")
	for _, f := range []struct {
		name string
		dst  **int
	}{
		{"maxLoginAttempts", &p.MaxLoginAttempts}, {"unlockAfterMinutes", &p.UnlockAfterMinutes},
		{"passwordMaxAgeDays", &p.PasswordMaxAgeDays}, {"passwordHistory", &p.PasswordHistory},
		{"disconnectionTimeoutMinutes", &p.DisconnectionTimeoutMinutes},
	} {
		n, err := formInt(r, f.name)
		if err != nil {
			s.renderAdmin(w, r, ss, err.Status, "", err.Body.Message)
			return
		}
		*f.dst = n
	}
	lic := strings.TrimSpace(r.PostForm.Get("licenseExpiresAt"))
	p.LicenseExpiresAt = &lic
	sso := []string{}
	for _, prov := range []string{motion.ProviderGoogle, motion.ProviderActiveDirectory} {
		if r.PostForm.Get("sso_"+prov) == "on" {
			sso = append(sso, prov)
		}
	}
	p.SSOProviders = &sso
	p.LoginPaused = on("loginPaused")
	types := s.pauseTypesFromLines(r.PostForm.Get("pauseTypes"))
	p.PauseTypes = &types
	if _, err := s.updateSettings(p); err != nil {
		s.renderAdmin(w, r, ss, err.Status, "", err.Body.Message)
		return
	}
	http.Redirect(w, r, motion.PathWebAdmin+"?m=settings", http.StatusSeeOther)
}

func (s *Server) handleAdminUserForm(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, r, http.MethodPost)
		return
	}
	ss := s.adminForm(w, r)
	if ss == nil {
		return
	}
	name, action, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, pathWebAdminUsers), "/")
	var err *apiError
	notice := "user"
	switch action {
	case "unlock":
		_, err = s.unlock(name)
		notice = "unlocked"
	case "":
		var p adminUserPatch
		if v := r.PostForm.Get("typology"); v != "" {
			p.Typology = &v
		}
		hot, must := r.PostForm.Get("hotDesk") == "on", r.PostForm.Get("mustChangePassword") == "on"
		email := r.PostForm.Get("email")
		p.HotDesk, p.MustChangePassword, p.Email = &hot, &must, &email
		if s.isAgent(name) {
			remote := r.PostForm.Get("remoteControl") == "on"
			p.RemoteControl = &remote
		}
		if v := strings.TrimSpace(r.PostForm.Get("passwordChangedAt")); v != "" {
			p.PasswordChangedAt = &v
		}
		_, err = s.updateUser(name, p)
	default:
		err = &apiError{Status: http.StatusNotFound, Body: motion.ErrorBody{Code: motion.CodeNotFound, Message: "no such route: " + r.URL.Path}}
	}
	if err != nil {
		s.renderAdmin(w, r, ss, err.Status, "", err.Body.Message)
		return
	}
	http.Redirect(w, r, motion.PathWebAdmin+"?m="+notice+"#users", http.StatusSeeOther)
}

func (s *Server) handleAdminPhoneForm(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, r, http.MethodPost)
		return
	}
	ss := s.adminForm(w, r)
	if ss == nil {
		return
	}
	reg, busy := r.PostForm.Get("registered") == "on", r.PostForm.Get("busy") == "on"
	if _, err := s.updatePhone(strings.TrimPrefix(r.URL.Path, pathWebAdminPhones), adminPhonePatch{Registered: &reg, Busy: &busy}); err != nil {
		s.renderAdmin(w, r, ss, err.Status, "", err.Body.Message)
		return
	}
	http.Redirect(w, r, motion.PathWebAdmin+"?m=phone#phones", http.StatusSeeOther)
}

// pauseTypesFromLines reads the pause types of the settings form, one name per line: a name the
// server already has keeps its ID (so that agents paused with it keep their reason), a new one
// gets the next free ID. Blank lines are skipped; the result is validated by updateSettings.
func (s *Server) pauseTypesFromLines(text string) []motion.PauseType {
	s.mu.Lock()
	current := slices.Clone(s.st.settings.pauseTypes)
	s.mu.Unlock()
	next := 1
	for _, pt := range current {
		next = max(next, pt.ID+1)
	}
	out := []motion.PauseType{}
	used := map[int]bool{}
	for line := range strings.Lines(text) {
		name := strings.TrimSpace(line)
		if name == "" {
			continue
		}
		i := slices.IndexFunc(current, func(pt motion.PauseType) bool { return strings.EqualFold(pt.Name, name) })
		if i >= 0 && !used[current[i].ID] { // a name given twice gets a new ID: validation names the duplicate
			used[current[i].ID] = true
			out = append(out, motion.PauseType{ID: current[i].ID, Name: name})
			continue
		}
		out = append(out, motion.PauseType{ID: next, Name: name})
		next++
	}
	return out
}

// isAgent reports whether name is an agent's login name.
func (s *Server) isAgent(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.byName[strings.ToLower(name)]
	return a != nil && a.user.Role == motion.RoleAgent
}
