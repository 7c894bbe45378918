package motionsim

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim/pbx"
)

// Server is the Motion-compatible server: an http.Handler with in-memory state. Serve it with Start
// (HTTPS on a real port) or from any http.Server; Close ends its background work.
type Server struct {
	now       func() time.Time
	log       logrus.FieldLogger
	dataDir   string
	httpAddr  string
	cost      int
	heartbeat time.Duration
	maxBody   int64
	sweep     time.Duration
	hooks     Hooks
	publicURL string // Config.PublicURL, without a trailing slash; "" until Start when not configured
	// dummyOnce makes dummyHash on the first login of a name no account has (not in New: bcrypt
	// at the default cost is slow, and most runs never need it).
	dummyOnce sync.Once
	dummyHash []byte
	pbx       *pbx.PBX // nil when Config.PBX.Disabled
	routes    map[string]map[string]http.HandlerFunc
	prefixes  []prefixRoute

	mu       sync.Mutex // guards st and the fields below
	st       state
	httpSrv  *http.Server
	plainSrv *http.Server // the plain-http listener of Options.HTTPListen
	httpsURL string       // the base URL of the https listener once started
	cert     *tls.Certificate
	closed   bool
	stopping chan struct{} // closed by Close
	wg       sync.WaitGroup

	rtPaused  atomic.Bool // PauseRealtime
	hookMu    sync.Mutex  // serializes Hooks.OnRecord
	closeOnce sync.Once
}

var _ http.Handler = (*Server)(nil)

// New builds a server from opts (see Options for what zero values mean). It fails on an invalid
// Config.
func New(opts Options) (*Server, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = DefaultConfig()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{
		now:       opts.Now,
		log:       opts.Logger,
		dataDir:   opts.DataDir,
		httpAddr:  opts.HTTPListen,
		cost:      opts.BcryptCost,
		heartbeat: time.Duration(opts.HeartbeatMS) * time.Millisecond,
		maxBody:   opts.MaxBodyBytes,
		sweep:     opts.SweepInterval,
		hooks:     opts.Hooks,
		stopping:  make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		s.log = l
	}
	if s.cost == 0 {
		s.cost = bcrypt.DefaultCost
	}
	if s.heartbeat <= 0 {
		s.heartbeat = defaultHeartbeatMS * time.Millisecond
	}
	if s.maxBody <= 0 {
		s.maxBody = defaultMaxBodyBytes
	}
	if s.sweep <= 0 {
		s.sweep = defaultSweep
	}
	if err := s.seed(cfg); err != nil {
		return nil, err
	}
	s.publicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	var err error
	if s.pbx, err = s.newPBX(cfg); err != nil {
		return nil, err
	}
	s.routes = map[string]map[string]http.HandlerFunc{
		motion.PathAuthLocal:        {http.MethodPost: s.handleAuthLocal},
		motion.PathLogin:            {http.MethodPost: s.handleLogin},
		motion.PathLogout:           {http.MethodPost: s.handleLogout},
		motion.PathWhoami:           {http.MethodGet: s.handleWhoami},
		motion.PathUsers:            {http.MethodGet: s.handleUsers},
		motion.PathChangePassword:   {http.MethodPut: s.handleChangePassword},
		motion.PathForgotPassword:   {http.MethodPost: s.handleForgotPassword},
		motion.PathRealtime:         {http.MethodGet: s.handleRealtime},
		"/":                         {http.MethodGet: s.handleRoot},
		motion.PathWebLogin:         {http.MethodGet: s.handleLoginPage, http.MethodPost: s.handleLoginForm},
		motion.PathWebDesktop:       {http.MethodGet: s.handleDesktop},
		pathWebLogout:               {http.MethodGet: s.handleWebLogout, http.MethodPost: s.handleWebLogout},
		pathWebForgot:               {http.MethodGet: s.handleForgotPage, http.MethodPost: s.handleForgotForm},
		pathWebPassword:             {http.MethodPost: s.handlePasswordForm},
		motion.PathPhones:           {http.MethodGet: s.handlePhones},
		motion.PathAuthProviders:    {http.MethodGet: s.handleProviders},
		motion.PathAuthSSO:          {http.MethodPost: s.handleSSOExchange},
		motion.PathSSOCallback:      {http.MethodGet: s.handleSSOCallback},
		motion.PathAuthWebCode:      {http.MethodPost: s.handleWebCode},
		motion.PathAgentStatus:      {http.MethodGet: s.handleAgentStatus, http.MethodPut: s.handleAgentStatus},
		motion.PathPauseTypes:       {http.MethodGet: s.handlePauseTypes},
		motion.PathAgentLine:        {http.MethodPut: s.handleAgentLine},
		motion.PathResetPassword:    {http.MethodPost: s.handleResetPassword},
		motion.PathWebResetPassword: {http.MethodGet: s.handleResetPage, http.MethodPost: s.handleResetForm},
		motion.PathAdminSettings:    {http.MethodGet: s.handleAdminSettings, http.MethodPut: s.handleAdminSettings},
		motion.PathAdminUsers:       {http.MethodGet: s.handleAdminUsers},
		motion.PathAdminPhones:      {http.MethodGet: s.handleAdminPhones},
		motion.PathAdminOutbox:      {http.MethodGet: s.handleAdminOutbox},
		motion.PathAdminCalls:       {http.MethodGet: s.handleAdminCalls, http.MethodPost: s.handleAdminCalls},
		PathSIPWebSocket:            {http.MethodGet: s.handleSIPWebSocket},
		pathWebAdminCalls:           {http.MethodPost: s.handleAdminCallForm},
		motion.PathWebAdmin:         {http.MethodGet: s.handleAdminPage},
		pathWebAdminOutbox:          {http.MethodGet: s.handleAdminPage},
		pathWebAdminSettings:        {http.MethodPost: s.handleAdminSettingsForm},
	}
	// Routes with a name in the path; their handlers check the method themselves.
	s.prefixes = []prefixRoute{
		{motion.PathAdminUsers + "/", s.handleAdminUser},
		{motion.PathAdminPhones + "/", s.handleAdminPhone},
		{motion.PathSSOAuthorizePrefix, s.handleSSOAuthorizeRoute},
		{pathWebAdminUsers, s.handleAdminUserForm},
		{pathWebAdminPhones, s.handleAdminPhoneForm},
	}
	return s, nil
}

// seed hashes the configured users into the state; clear passwords stay in cfg only.
func (s *Server) seed(cfg *Config) error {
	start := s.now()
	s.st = state{
		settings: resolveSettings(cfg),
		byName:   map[string]*account{},
		byAPIKey: map[string]*account{},
		sessions: map[string]*session{},
		ended:    map[string]string{},
		pending:  map[string]*pendingLogin{},
		resets:   map[string]*resetLink{},
		ssoCodes: map[string]*ssoCode{},
		ghosts:   map[string]*ghost{},

		endedOrder: newRing[string](maxEnded),
		sessionLog: newRing[*session](maxSessionLog),
		ghostOrder: newRing[string](maxGhosts),
		records:    newRing[Record](maxRecords),
		outbox:     newRing[OutboxMessage](maxOutbox),
	}
	for _, p := range cfg.Phones {
		s.st.phones = append(s.st.phones, &phone{name: p.Name, registered: p.Registered, busy: p.Busy})
	}
	for i, u := range cfg.Users {
		a := &account{
			user: motion.User{
				ID: i + 1, Name: u.Name, Fullname: u.Fullname, Email: u.Email,
				Role: roleOrDefault(u.Role), Typology: u.Typology, Internal: u.Internal,
				PhoneNumber: u.PhoneNumber, MobileNumber: u.MobileNumber,
				RemoteControl: u.RemoteControl && roleOrDefault(u.Role) == motion.RoleAgent,
			},
			apiKey:      u.APIKey,
			sipPassword: u.SIPPassword,
			hotDesk:     u.HotDesk,
			mustChange:  u.MustChangePassword,
			changedAt:   start,
		}
		if a.user.Role == motion.RoleAgent && a.user.Typology == "" {
			a.user.Typology = motion.TypologyPhonebar
		}
		if u.PasswordChangedAt != "" {
			a.changedAt, _ = time.Parse(time.RFC3339, u.PasswordChangedAt) // validated
		}
		if u.PasswordHash != "" {
			a.hash = []byte(u.PasswordHash)
		} else {
			h, err := bcrypt.GenerateFromPassword([]byte(u.Password), s.cost)
			if err != nil {
				return &ConfigError{Field: fmt.Sprintf("users[%d].password", i), Problem: err.Error()}
			}
			a.hash = h
		}
		s.st.accounts = append(s.st.accounts, a)
		s.st.byName[strings.ToLower(u.Name)] = a
		if u.APIKey != "" {
			s.st.byAPIKey[u.APIKey] = a
		}
	}
	return nil
}

// ServeHTTP routes a request; an unknown path answers 404 and a known path with another method
// 405, both as JSON ErrorBody.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		// A handler bug must show as a 500 with a body, and be logged, never kill the server.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.WithField("path", r.URL.Path).Errorf("handler panic: %v", v)
			writeError(w, &apiError{Status: http.StatusInternalServerError, Body: motion.ErrorBody{Message: "internal error of the demo server"}})
		}
	}()
	s.mu.Lock()
	s.sweepLocked()
	s.mu.Unlock()
	s.deliver()
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	byMethod, ok := s.routes[r.URL.Path]
	if !ok {
		for _, pr := range s.prefixes {
			if rest, found := strings.CutPrefix(r.URL.Path, pr.prefix); found && rest != "" {
				if strings.HasPrefix(r.URL.Path, "/api/") {
					if err := checkAuthorizationFormat(r); err != nil {
						writeError(w, err)
						return
					}
				}
				pr.h(w, r)
				return
			}
		}
		s.log.WithFields(map[string]any{"method": r.Method, "path": r.URL.Path}).Warn("unhandled route")
		writeError(w, &apiError{Status: http.StatusNotFound, Body: motion.ErrorBody{
			Code: motion.CodeNotFound, Message: fmt.Sprintf("no such route: %s %s", r.Method, r.URL.Path),
		}})
		return
	}
	h, ok := byMethod[r.Method]
	if !ok && r.Method == http.MethodHead {
		h, ok = byMethod[http.MethodGet]
	}
	if !ok {
		allowed := make([]string, 0, len(byMethod))
		for m := range byMethod {
			allowed = append(allowed, m)
		}
		sort.Strings(allowed)
		methodNotAllowed(w, r, allowed...)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		if err := checkAuthorizationFormat(r); err != nil {
			writeError(w, err)
			return
		}
	}
	h(w, r)
}

// prefixRoute serves every path under prefix (with something after it).
type prefixRoute struct {
	prefix string
	h      http.HandlerFunc
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, e.Body)
}

// methodNotAllowed answers 405 with the Allow header and a message naming the methods to use.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allowed ...string) {
	list := strings.Join(allowed, ", ")
	w.Header().Set("Allow", list)
	writeError(w, &apiError{Status: http.StatusMethodNotAllowed, Body: motion.ErrorBody{
		Code: motion.CodeMethodNotAllowed, Message: fmt.Sprintf("%s does not accept %s (use %s)", r.URL.Path, r.Method, list),
	}})
}
