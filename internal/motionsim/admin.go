package motionsim

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/motion"
)

// This file holds the administration of the demo server: the settings an administrator of the
// real server changes in its own GUI, the users' security state (unlock), and the hot-desk
// telephones, through motion.PathAdmin* (JSON) and the /admin page.

// AdminSettings is the JSON of GET and PUT motion.PathAdminSettings: the Config keys an
// administrator changes at run time, with the same meaning.
type AdminSettings struct {
	SecuritySuite               bool     `json:"securitySuite"`
	MaxLoginAttempts            int      `json:"maxLoginAttempts"`
	UnlockAfterMinutes          int      `json:"unlockAfterMinutes"`
	PasswordMaxAgeDays          int      `json:"passwordMaxAgeDays"`
	PasswordHistory             int      `json:"passwordHistory"`
	LicenseExpiresAt            string   `json:"licenseExpiresAt"` // RFC 3339; "" for none
	DisconnectionTimeoutMinutes int      `json:"disconnectionTimeoutMinutes"`
	SSOProviders                []string `json:"ssoProviders"`
	PhonebarMultiLogin          bool     `json:"phonebarMultiLogin"`
	// PauseTypes and LoginPaused mean what they mean in Config (LoginPaused resolved: never
	// absent here).
	PauseTypes  []motion.PauseType `json:"pauseTypes"`
	LoginPaused bool               `json:"loginPaused"`
}

// adminSettingsPatch is the body of PUT PathAdminSettings: only the keys present change.
type adminSettingsPatch struct {
	SecuritySuite               *bool     `json:"securitySuite"`
	MaxLoginAttempts            *int      `json:"maxLoginAttempts"`
	UnlockAfterMinutes          *int      `json:"unlockAfterMinutes"`
	PasswordMaxAgeDays          *int      `json:"passwordMaxAgeDays"`
	PasswordHistory             *int      `json:"passwordHistory"`
	LicenseExpiresAt            *string   `json:"licenseExpiresAt"`
	DisconnectionTimeoutMinutes *int      `json:"disconnectionTimeoutMinutes"`
	SSOProviders                *[]string `json:"ssoProviders"`
	PhonebarMultiLogin          *bool     `json:"phonebarMultiLogin"`
	// PauseTypes replaces the whole list; a session paused with a type that is gone keeps it.
	PauseTypes  *[]motion.PauseType `json:"pauseTypes"`
	LoginPaused *bool               `json:"loginPaused"`
}

// AdminUser is one row of GET PathAdminUsers and the answer of the per-user routes.
type AdminUser struct {
	motion.User
	HotDesk            bool       `json:"hotDesk"`
	MustChangePassword bool       `json:"mustChangePassword"`
	PasswordChangedAt  time.Time  `json:"passwordChangedAt"`
	Locked             bool       `json:"locked"`
	FailedAttempts     int        `json:"failedAttempts"`
	UnlockAt           *time.Time `json:"unlockAt,omitempty"` // absent: only an administrator unlocks
	LiveSessions       int        `json:"liveSessions"`
	// Phone is the hot-desk telephone of a live session, if any.
	Phone string `json:"phone,omitempty"`
	// Status is the agent's status in its live session (the Phonebar's, else the newest); nil
	// without one.
	Status *motion.AgentStatus `json:"status,omitempty"`
}

// adminUserPatch is the body of PUT PathAdminUsers/NAME: only the keys present change.
type adminUserPatch struct {
	Typology           *string `json:"typology"`
	HotDesk            *bool   `json:"hotDesk"`
	MustChangePassword *bool   `json:"mustChangePassword"`
	Email              *string `json:"email"` // "" clears it
	PasswordChangedAt  *string `json:"passwordChangedAt"`
	RemoteControl      *bool   `json:"remoteControl"`
}

// AdminPhone is one row of GET PathAdminPhones.
type AdminPhone struct {
	Name       string `json:"name"`
	Registered bool   `json:"registered"`
	Busy       bool   `json:"busy"`
	// InUseBy is the agent whose live session holds the telephone, or "".
	InUseBy string `json:"inUseBy,omitempty"`
}

// adminPhonePatch is the body of PUT PathAdminPhones/NAME.
type adminPhonePatch struct {
	Registered *bool `json:"registered"`
	Busy       *bool `json:"busy"`
}

// AdminList is the answer of the admin list routes.
type AdminList[T any] struct {
	Count int `json:"count"`
	Rows  []T `json:"rows"`
}

// settingsConfigLocked turns the current settings back into their Config keys.
func (s *Server) settingsConfigLocked() *Config {
	st := &s.st.settings
	c := &Config{
		SecuritySuite:               st.securitySuite,
		MaxLoginAttempts:            st.maxAttempts,
		UnlockAfterMinutes:          int(st.unlockAfter / time.Minute),
		PasswordMaxAgeDays:          int(st.passwordMaxAge / (24 * time.Hour)),
		PasswordHistory:             st.passwordHistory,
		DisconnectionTimeoutMinutes: int(st.disconnectTimeout / time.Minute),
		SSOProviders:                slices.Clone(st.ssoProviders),
		PhonebarMultiLogin:          st.phonebarMultiLogin,
		SIP:                         st.sip,
		PauseTypes:                  slices.Clone(st.pauseTypes),
		LoginPaused:                 &st.loginPaused,
	}
	if !st.licenseExpiresAt.IsZero() {
		c.LicenseExpiresAt = st.licenseExpiresAt.UTC().Format(time.RFC3339)
	}
	return c
}

// Settings returns the current administrator settings.
func (s *Server) Settings() AdminSettings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return adminSettingsOf(s.settingsConfigLocked())
}

func adminSettingsOf(c *Config) AdminSettings {
	return AdminSettings{
		SecuritySuite: c.SecuritySuite, MaxLoginAttempts: c.MaxLoginAttempts, UnlockAfterMinutes: c.UnlockAfterMinutes,
		PasswordMaxAgeDays: c.PasswordMaxAgeDays, PasswordHistory: c.PasswordHistory, LicenseExpiresAt: c.LicenseExpiresAt,
		DisconnectionTimeoutMinutes: c.DisconnectionTimeoutMinutes, SSOProviders: append([]string{}, c.SSOProviders...),
		PhonebarMultiLogin: c.PhonebarMultiLogin,
		PauseTypes:         append([]motion.PauseType{}, c.PauseTypes...),
		LoginPaused:        c.LoginPaused == nil || *c.LoginPaused,
	}
}

// updateSettings applies a patch after validating the result; a bad value changes nothing.
func (s *Server) updateSettings(p adminSettingsPatch) (AdminSettings, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.settingsConfigLocked()
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	if p.SecuritySuite != nil {
		c.SecuritySuite = *p.SecuritySuite
	}
	set(&c.MaxLoginAttempts, p.MaxLoginAttempts)
	set(&c.UnlockAfterMinutes, p.UnlockAfterMinutes)
	set(&c.PasswordMaxAgeDays, p.PasswordMaxAgeDays)
	set(&c.PasswordHistory, p.PasswordHistory)
	set(&c.DisconnectionTimeoutMinutes, p.DisconnectionTimeoutMinutes)
	if p.LicenseExpiresAt != nil {
		c.LicenseExpiresAt = strings.TrimSpace(*p.LicenseExpiresAt)
	}
	if p.SSOProviders != nil {
		c.SSOProviders = slices.Clone(*p.SSOProviders)
	}
	if p.PhonebarMultiLogin != nil {
		c.PhonebarMultiLogin = *p.PhonebarMultiLogin
	}
	if p.PauseTypes != nil {
		c.PauseTypes = slices.Clone(*p.PauseTypes)
	}
	if p.LoginPaused != nil {
		c.LoginPaused = p.LoginPaused
	}
	if err := c.validateSettings(); err != nil {
		ce := err.(*ConfigError)
		return AdminSettings{}, badRequest("%s: %s", ce.Field, ce.Problem)
	}
	s.st.settings = resolveSettings(c)
	s.log.WithField("settings", adminSettingsOf(c)).Info("settings changed by an administrator")
	return adminSettingsOf(s.settingsConfigLocked()), nil
}

// settingsValid checks the current settings as a configuration would be (for tests).
func (s *Server) settingsValid() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settingsConfigLocked().validateSettings()
}

// adminUserLocked describes an account; the caller holds s.mu.
func (s *Server) adminUserLocked(a *account) AdminUser {
	u := AdminUser{
		User: a.user, HotDesk: a.hotDesk, MustChangePassword: a.mustChange, PasswordChangedAt: a.changedAt.UTC(),
		Locked: a.locked, FailedAttempts: a.failures,
	}
	if a.locked && !a.unlockAt.IsZero() {
		if !s.now().Before(a.unlockAt) {
			u.Locked, u.FailedAttempts = false, 0 // unlocked by itself; the account learns at its next login
		} else {
			at := a.unlockAt.UTC()
			u.UnlockAt = &at
		}
	}
	var shown *session // the Phonebar's session, else the newest
	for _, ss := range s.st.sessions {
		if ss.acct == a {
			u.LiveSessions++
			u.Phone = cmp.Or(u.Phone, ss.info.Phone)
			if shownBefore(ss, shown) {
				shown = ss
			}
		}
	}
	if shown != nil && a.user.Role == motion.RoleAgent {
		st := shown.statusOf()
		u.Status = &st
	}
	return u
}

// shownBefore says whether the admin page shows the status of session a rather than of b (nil):
// a Phonebar's session before a web one, then the newest.
func shownBefore(a, b *session) bool {
	if b == nil {
		return true
	}
	if pa, pb := a.info.Client == motion.ClientPhonebar, b.info.Client == motion.ClientPhonebar; pa != pb {
		return pa
	}
	return a.seq > b.seq
}

// Users returns every user with its security state, by id.
func (s *Server) Users() []AdminUser {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AdminUser, 0, len(s.st.accounts))
	for _, a := range s.st.accounts {
		out = append(out, s.adminUserLocked(a))
	}
	return out
}

// Unlock unlocks a user's account, as an administrator does. It fails for an unknown user.
func (s *Server) Unlock(name string) (AdminUser, error) {
	u, err := s.unlock(name)
	if err != nil {
		return AdminUser{}, err
	}
	return u, nil
}

func (s *Server) unlock(name string) (AdminUser, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.byName[strings.ToLower(name)]
	if a == nil {
		return AdminUser{}, noSuchUser(name)
	}
	was := a.locked
	a.locked, a.failures, a.unlockAt = false, 0, time.Time{}
	s.log.WithFields(map[string]any{"user": a.user.Name, "wasLocked": was}).Info("account unlocked by an administrator")
	return s.adminUserLocked(a), nil
}

func noSuchUser(name string) *apiError {
	return &apiError{Status: http.StatusNotFound, Body: motion.ErrorBody{Code: motion.CodeNotFound, Message: "No user is named " + quoteShort(name) + "."}}
}

func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + s + `"`
}

// updateUser applies a patch to a user after validating the result; a bad value changes nothing.
func (s *Server) updateUser(name string, p adminUserPatch) (AdminUser, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.byName[strings.ToLower(name)]
	if a == nil {
		return AdminUser{}, noSuchUser(name)
	}
	typology, hotDesk, email, mustChange, changedAt := a.user.Typology, a.hotDesk, a.user.Email, a.mustChange, a.changedAt
	if p.Typology != nil {
		if a.user.Role != motion.RoleAgent {
			return AdminUser{}, badRequest("only agents have a typology (%s is %s)", a.user.Name, a.user.Role)
		}
		switch *p.Typology {
		case motion.TypologyPhonebar, motion.TypologyExternal, motion.TypologyMobile:
		case motion.TypologyWebRTC:
			if a.sipPassword == "" {
				return AdminUser{}, badRequest("%s has no SIP password (sipPassword in the configuration): cannot be a webrtc agent", a.user.Name)
			}
		default:
			return AdminUser{}, badRequest("typology must be one of phonebar, external, webrtc, mobile, not %s", quoteShort(*p.Typology))
		}
		typology = *p.Typology
	}
	if p.HotDesk != nil {
		hotDesk = *p.HotDesk
	}
	if hotDesk && typology != motion.TypologyExternal {
		return AdminUser{}, badRequest("hotDesk is only for external agents (typology is %s)", cmp.Or(typology, "none"))
	}
	if p.Email != nil {
		email = strings.TrimSpace(*p.Email)
		if email != "" {
			if err := validateEmail(email); err != nil {
				return AdminUser{}, err
			}
		}
	}
	if p.MustChangePassword != nil {
		mustChange = *p.MustChangePassword
	}
	if p.PasswordChangedAt != nil {
		t, err := time.Parse(time.RFC3339, *p.PasswordChangedAt)
		if err != nil {
			return AdminUser{}, badRequest("passwordChangedAt must be an RFC 3339 time such as 2026-09-01T00:00:00Z, not %s", quoteShort(*p.PasswordChangedAt))
		}
		changedAt = t
	}
	remote := a.user.RemoteControl
	if p.RemoteControl != nil {
		if *p.RemoteControl && a.user.Role != motion.RoleAgent {
			return AdminUser{}, badRequest("only agents have Remote Control (%s is %s)", a.user.Name, a.user.Role)
		}
		remote = *p.RemoteControl
	}
	a.user.Typology, a.hotDesk, a.user.Email, a.mustChange, a.changedAt = typology, hotDesk, email, mustChange, changedAt
	a.user.RemoteControl = remote
	s.log.WithField("user", a.user.Name).Info("user changed by an administrator")
	return s.adminUserLocked(a), nil
}

// Phones returns every hot-desk telephone with its state, in configuration order.
func (s *Server) Phones() []AdminPhone {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.adminPhonesLocked()
}

func (s *Server) adminPhonesLocked() []AdminPhone {
	out := make([]AdminPhone, 0, len(s.st.phones))
	for _, p := range s.st.phones {
		out = append(out, AdminPhone{Name: p.name, Registered: p.registered, Busy: p.busy, InUseBy: s.phoneHolderLocked(p.name)})
	}
	return out
}

// updatePhone sets a telephone's registered and busy flags.
func (s *Server) updatePhone(name string, p adminPhonePatch) (AdminPhone, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ph := range s.st.phones {
		if strings.EqualFold(ph.name, name) {
			if p.Registered != nil {
				ph.registered = *p.Registered
			}
			if p.Busy != nil {
				ph.busy = *p.Busy
			}
			s.log.WithFields(map[string]any{"phone": ph.name, "registered": ph.registered, "busy": ph.busy}).Info("telephone changed by an administrator")
			return AdminPhone{Name: ph.name, Registered: ph.registered, Busy: ph.busy, InUseBy: s.phoneHolderLocked(ph.name)}, nil
		}
	}
	return AdminPhone{}, &apiError{Status: http.StatusNotFound, Body: motion.ErrorBody{Code: motion.CodeNotFound, Message: "No telephone is named " + quoteShort(name) + "."}}
}

// admin authenticates an admin API request; it answers 401/403 itself and returns false.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) bool {
	p := s.authorized(w, r, false)
	if p == nil {
		return false
	}
	if p.acct.user.Role != motion.RoleAdmin {
		writeError(w, &apiError{Status: http.StatusForbidden, Body: motion.ErrorBody{
			Code: motion.CodeForbidden, Message: "Only administrators may use " + r.URL.Path + ".",
		}})
		return false
	}
	return true
}

func (s *Server) handleAdminSettings(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		writeJSON(w, http.StatusOK, s.Settings())
		return
	}
	var p adminSettingsPatch
	if err := s.decodeJSON(w, r, &p); err != nil {
		writeError(w, err)
		return
	}
	out, err := s.updateSettings(p)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	rows := s.Users()
	writeJSON(w, http.StatusOK, AdminList[AdminUser]{Count: len(rows), Rows: rows})
}

// handleAdminUser serves PathAdminUsers/NAME (PUT) and PathAdminUsers/NAME/unlock (POST).
func (s *Server) handleAdminUser(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, motion.PathAdminUsers+"/")
	name, action, _ := strings.Cut(rest, "/")
	method := map[string]string{"": http.MethodPut, "unlock": http.MethodPost}
	want, ok := method[action]
	if !ok || !namePattern.MatchString(name) {
		writeError(w, &apiError{Status: http.StatusNotFound, Body: motion.ErrorBody{Code: motion.CodeNotFound, Message: "no such route: " + r.Method + " " + r.URL.Path}})
		return
	}
	if r.Method != want {
		methodNotAllowed(w, r, want)
		return
	}
	if !s.admin(w, r) {
		return
	}
	var u AdminUser
	var err *apiError
	if action == "unlock" {
		u, err = s.unlock(name)
	} else {
		var p adminUserPatch
		if err := s.decodeJSON(w, r, &p); err != nil {
			writeError(w, err)
			return
		}
		u, err = s.updateUser(name, p)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) handleAdminPhones(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	rows := s.Phones()
	writeJSON(w, http.StatusOK, AdminList[AdminPhone]{Count: len(rows), Rows: rows})
}

// handleAdminPhone serves PUT PathAdminPhones/NAME.
func (s *Server) handleAdminPhone(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, motion.PathAdminPhones+"/")
	if r.Method != http.MethodPut {
		methodNotAllowed(w, r, http.MethodPut)
		return
	}
	if !s.admin(w, r) {
		return
	}
	var p adminPhonePatch
	if err := s.decodeJSON(w, r, &p); err != nil {
		writeError(w, err)
		return
	}
	ph, err := s.updatePhone(name, p)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ph)
}

func (s *Server) handleAdminOutbox(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	rows := s.Outbox()
	writeJSON(w, http.StatusOK, AdminList[OutboxMessage]{Count: len(rows), Rows: rows})
}
