package motion

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/tlspin"
)

// Default timeouts of Options.
const (
	DefaultDialTimeout    = 10 * time.Second
	DefaultRequestTimeout = 30 * time.Second
)

// maxBody bounds what is read of an answer.
const maxBody = 1 << 20

// Options configures a Client.
type Options struct {
	// BaseURL is the server, as ParseServerURL returns it (https only); required.
	BaseURL *url.URL
	// Pin is the certificate fingerprint the user trusts for this server; empty: only certificates
	// that verify against Roots are accepted.
	Pin tlspin.Fingerprint
	// Roots verifies the server's certificate; nil: the system roots.
	Roots *x509.CertPool
	// HTTPClient replaces the client built from Pin, Roots and the timeouts (tests). Nil: built here.
	// Its Timeout should be 0 (RequestTimeout applies).
	HTTPClient *http.Client
	// DialContext opens TCP connections; nil: a net.Dialer with DialTimeout.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// DialTimeout bounds connecting plus the TLS handshake, and the wait for the realtime hello; 0:
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// RequestTimeout bounds one REST call; 0: DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Logger receives one line per call (method, path, status, duration; never a body, password or
	// token); nil: discard.
	Logger logrus.FieldLogger
	// ClientKind goes in LoginRequest.Client when the request leaves it empty; "": ClientPhonebar.
	ClientKind string
}

// Client talks to one Motion server. It keeps the session token of the last Login; it is safe for
// concurrent use.
type Client struct {
	base        *url.URL
	hc          *http.Client
	log         logrus.FieldLogger
	reqTimeout  time.Duration
	dialTimeout time.Duration
	kind        string

	mu    sync.Mutex
	token string
}

// New returns a Client for opts.BaseURL. A BaseURL that is not https gives a *NotHTTPSError.
func New(opts Options) (*Client, error) {
	if opts.BaseURL == nil || opts.BaseURL.Host == "" {
		return nil, &BadURLError{Reason: "it is empty"}
	}
	if opts.BaseURL.Scheme != "https" {
		return nil, &NotHTTPSError{Suggested: "https://" + opts.BaseURL.Host}
	}
	c := &Client{
		base:        &url.URL{Scheme: "https", Host: opts.BaseURL.Host},
		log:         opts.Logger,
		reqTimeout:  opts.RequestTimeout,
		dialTimeout: opts.DialTimeout,
		kind:        opts.ClientKind,
	}
	if c.reqTimeout <= 0 {
		c.reqTimeout = DefaultRequestTimeout
	}
	if c.dialTimeout <= 0 {
		c.dialTimeout = DefaultDialTimeout
	}
	if c.kind == "" {
		c.kind = ClientPhonebar
	}
	if c.log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		c.log = l
	}
	c.hc = opts.HTTPClient
	if c.hc == nil {
		dial := opts.DialContext
		if dial == nil {
			dial = (&net.Dialer{Timeout: c.dialTimeout, KeepAlive: 30 * time.Second}).DialContext
		}
		c.hc = &http.Client{
			Transport: &http.Transport{
				Proxy:               http.ProxyFromEnvironment,
				DialContext:         dial,
				TLSClientConfig:     tlspin.ClientConfig(c.base.Hostname(), opts.Roots, opts.Pin),
				TLSHandshakeTimeout: c.dialTimeout,
				ForceAttemptHTTP2:   true,
				MaxIdleConns:        4,
				IdleConnTimeout:     90 * time.Second,
			},
			// The API does not redirect; following one could send the token elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return c, nil
}

// BaseURL returns the server's origin URL.
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

// LoggedIn reports whether the client holds a session token.
func (c *Client) LoggedIn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token != ""
}

func (c *Client) bearer() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

func (c *Client) setToken(t string) {
	c.mu.Lock()
	c.token = t
	c.mu.Unlock()
}

// CloseIdleConnections closes the client's idle connections (call when done with it).
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Login logs in with POST PathAuthLocal and keeps the token for later calls. Errors: *APIError
// (ErrInvalidCredentials, ErrAccountLocked, ErrSessionExists, ErrUnknownAuthFormat, ...), *NetError,
// *tlspin.UntrustedError, *tlspin.MismatchError, or the ctx's error.
func (c *Client) Login(ctx context.Context, req LoginRequest) (LoginResponse, error) {
	if req.Client == "" {
		req.Client = c.kind
	}
	c.log.WithFields(logrus.Fields{"user": req.Name, "force": req.Force, "client": req.Client}).Info("motion: logging in")
	var resp LoginResponse
	if err := c.do(ctx, "login", http.MethodPost, PathAuthLocal, false, req, &resp); err != nil {
		return LoginResponse{}, err
	}
	if resp.Token == "" {
		return LoginResponse{}, &NetError{Kind: NetNotMotion, Host: c.base.Hostname(), Port: port(c.base), Reason: "the login answer has no token"}
	}
	c.setToken(resp.Token)
	return resp, nil
}

// Whoami returns the logged-in user (with SIP settings for WebRTC agents).
func (c *Client) Whoami(ctx context.Context) (User, error) {
	var u User
	err := c.do(ctx, "whoami", http.MethodGet, PathWhoami, true, nil, &u)
	return u, err
}

// Logout ends the session on the server and forgets the token (also when the server call fails).
func (c *Client) Logout(ctx context.Context) error {
	if c.bearer() == "" {
		return nil
	}
	err := c.do(ctx, "logout", http.MethodPost, PathLogout, true, nil, nil)
	c.setToken("")
	return err
}

// ChangePassword changes the logged-in user's password. A refused new password gives an *APIError
// matching ErrPasswordRules with the broken rules in Rules.
func (c *Client) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	return c.do(ctx, "the password change", http.MethodPut, PathChangePassword, true,
		ChangePasswordRequest{OldPassword: oldPassword, NewPassword: newPassword}, nil)
}

// ForgotPassword asks the server to email a reset link to email. The server answers the same
// whether or not the address is known.
func (c *Client) ForgotPassword(ctx context.Context, email string) error {
	return c.do(ctx, "the password reset", http.MethodPost, PathForgotPassword, false, ForgotPasswordRequest{Email: email}, nil)
}

// Phones lists the hot-desk telephones an external agent may pick. It sends the token when there is
// one.
func (c *Client) Phones(ctx context.Context) (PhoneList, error) {
	var l PhoneList
	err := c.do(ctx, "the phone list", http.MethodGet, PathPhones, c.bearer() != "", nil, &l)
	return l, err
}

// PhonesFor lists the hot-desk telephones for a login that is not made yet (after
// ErrPhoneRequired), with the login's credentials as HTTP Basic. The server filters the list: in
// use by another agent, busy after a failed logout or unregistered are hidden, all are listed when
// none is connected.
func (c *Client) PhonesFor(ctx context.Context, name, password string) (PhoneList, error) {
	var l PhoneList
	req, _ := http.NewRequest(http.MethodGet, "/", nil) // only to encode the Basic header
	req.SetBasicAuth(name, password)
	err := c.doAuth(ctx, "the phone list", http.MethodGet, PathPhones, req.Header.Get("Authorization"), nil, &l)
	return l, err
}

// LoginSSO exchanges the one-time code of a finished provider sign-in (PathSSOCallback) for a
// session, like Login. The server keeps the code when it refuses with ErrSessionExists or
// ErrPhoneRequired, so the same code answers the agent's choice.
func (c *Client) LoginSSO(ctx context.Context, req SSOLoginRequest) (LoginResponse, error) {
	if req.Client == "" {
		req.Client = c.kind
	}
	c.log.WithFields(logrus.Fields{"force": req.Force, "client": req.Client}).Info("motion: logging in with a provider sign-in")
	var resp LoginResponse
	if err := c.do(ctx, "login", http.MethodPost, PathAuthSSO, false, req, &resp); err != nil {
		return LoginResponse{}, err
	}
	if resp.Token == "" {
		return LoginResponse{}, &NetError{Kind: NetNotMotion, Host: c.base.Hostname(), Port: port(c.base), Reason: "the login answer has no token"}
	}
	c.setToken(resp.Token)
	return resp, nil
}

// PhonesForCode is PhonesFor for a provider sign-in not exchanged yet (after ErrPhoneRequired).
func (c *Client) PhonesForCode(ctx context.Context, code string) (PhoneList, error) {
	var l PhoneList
	err := c.doQuery(ctx, "the phone list", http.MethodGet, PathPhones, url.Values{QueryCode: {code}}, "", nil, &l)
	return l, err
}

// WebCode asks for a one-time code that logs a browser in as the session's user at
// PathSSOCallback: the Omni Desktop window of an agent who signed in with a provider, for whom
// the Phonebar holds no password to type into the login form.
func (c *Client) WebCode(ctx context.Context) (string, error) {
	var r WebCodeResponse
	if err := c.do(ctx, "the Omni Desktop sign-in", http.MethodPost, PathAuthWebCode, true, nil, &r); err != nil {
		return "", err
	}
	if r.Code == "" {
		return "", &NetError{Kind: NetNotMotion, Host: c.base.Hostname(), Port: port(c.base), Reason: "the sign-in answer has no code"}
	}
	return r.Code, nil
}

// SetReady tells the server whether the agent is ready to take contacts (PathAgentStatus); not
// ready is a pause without a reason.
func (c *Client) SetReady(ctx context.Context, ready bool) (AgentStatus, error) {
	return c.SetStatus(ctx, AgentStatusRequest{Ready: ready})
}

// SetStatus sets the agent's status (PathAgentStatus): ready, or paused with an optional
// PauseType.ID.
func (c *Client) SetStatus(ctx context.Context, req AgentStatusRequest) (AgentStatus, error) {
	var st AgentStatus
	err := c.do(ctx, "the agent status", http.MethodPut, PathAgentStatus, true, req, &st)
	return st, err
}

// SetLine changes where the calls of an external agent without Hot Desk ring, for the rest of the
// session (PathAgentLine): motion.LineInternal, LinePhone or LineMobile.
func (c *Client) SetLine(ctx context.Context, line string) error {
	return c.do(ctx, "the line", http.MethodPut, PathAgentLine, true, AgentLineRequest{Line: line}, nil)
}

// Status reads the agent's status in the session (PathAgentStatus).
func (c *Client) Status(ctx context.Context) (AgentStatus, error) {
	var st AgentStatus
	err := c.do(ctx, "the agent status", http.MethodGet, PathAgentStatus, true, nil, &st)
	return st, err
}

// PauseTypes lists the pause types the administrator defined (PathPauseTypes). A server that does
// not offer the route (404) has none.
func (c *Client) PauseTypes(ctx context.Context) ([]PauseType, error) {
	var l PauseTypeList
	err := c.do(ctx, "the pause types", http.MethodGet, PathPauseTypes, true, nil, &l)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil, nil
	}
	return l.Rows, err
}

func (c *Client) do(ctx context.Context, op, method, path string, auth bool, in, out any) error {
	var authz string
	if auth {
		token := c.bearer()
		if token == "" {
			return ErrNotLoggedIn
		}
		authz = "Bearer " + token
	}
	return c.doAuth(ctx, op, method, path, authz, in, out)
}

// doAuth makes one call with authz as the Authorization header ("" for none).
func (c *Client) doAuth(ctx context.Context, op, method, path, authz string, in, out any) error {
	return c.doQuery(ctx, op, method, path, nil, authz, in, out)
}

// doQuery is doAuth with a query string.
func (c *Client) doQuery(ctx context.Context, op, method, path string, query url.Values, authz string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encoding the request: %w", op, err)
		}
		body = bytes.NewReader(b)
	}
	rctx, cancel := context.WithTimeout(ctx, c.reqTimeout)
	defer cancel()
	u := c.base.JoinPath(path)
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(rctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		err = c.classify(ctx, err)
		c.log.WithFields(logrus.Fields{"method": method, "path": path, "error": err.Error()}).Warn("motion: request failed")
		return err
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	c.log.WithFields(logrus.Fields{"method": method, "path": path, "status": resp.StatusCode, "ms": time.Since(start).Milliseconds()}).Debug("motion: request")
	if rerr != nil {
		return c.classify(ctx, rerr)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return apiError(op, path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &NetError{Kind: NetNotMotion, Host: c.base.Hostname(), Port: port(c.base), Reason: "its answer to " + op + " is not Motion's JSON", Err: err}
	}
	return nil
}

// apiError reads an error answer, coping with bodies that carry only a message or are not JSON.
func apiError(op, path string, status int, data []byte) *APIError {
	var eb ErrorBody
	if json.Unmarshal(data, &eb) != nil {
		eb = ErrorBody{}
	}
	e := &APIError{Op: op, Status: status, Code: eb.Code, Message: eb.Message,
		AttemptsLeft: eb.AttemptsLeft, UnlockAt: eb.UnlockAt, Rules: eb.Rules}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if e.Code == "" && !e.unknownAuthFormat() {
		e.Code, e.Inferred = inferCode(path, status), true
		if e.Code == "" {
			e.Inferred = false
		}
	}
	return e
}

// inferCode deduces the code of an answer that has none.
func inferCode(path string, status int) string {
	login := path == PathAuthLocal || path == PathLogin
	switch {
	case status == http.StatusUnauthorized && login:
		return CodeInvalidCredentials
	case status == http.StatusUnauthorized:
		return CodeUnauthorized
	case status == http.StatusLocked:
		return CodeAccountLocked
	case status == http.StatusConflict && login:
		return CodeSessionExists
	case status == http.StatusPreconditionRequired && login:
		return CodePhoneRequired
	case status == http.StatusUnprocessableEntity && path == PathChangePassword:
		return CodePasswordRules
	case status == http.StatusNotFound:
		return CodeNotFound
	}
	return ""
}

func port(u *url.URL) string { _, p := hostPort(u); return p }

// classify turns a transport error into a *NetError, a tlspin error, or the caller's ctx error.
func (c *Client) classify(ctx context.Context, err error) error {
	host, p := hostPort(c.base)
	return classifyNet(ctx, err, host, p)
}

func classifyNet(ctx context.Context, err error, host, p string) error {
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ctx.Err()
	}
	var ue *tlspin.UntrustedError
	var me *tlspin.MismatchError
	switch {
	case errors.As(err, &ue):
		return ue
	case errors.As(err, &me):
		return me
	}
	// A custom HTTPClient verifies by itself: keep the fingerprint so the user can still be asked.
	var uae x509.UnknownAuthorityError
	var he x509.HostnameError
	var cie x509.CertificateInvalidError
	switch {
	case errors.As(err, &uae) && uae.Cert != nil:
		return &tlspin.UntrustedError{Host: host, Fingerprint: tlspin.Of(uae.Cert), Cause: err}
	case errors.As(err, &he) && he.Certificate != nil:
		return &tlspin.UntrustedError{Host: host, Fingerprint: tlspin.Of(he.Certificate), Cause: err}
	case errors.As(err, &cie) && cie.Cert != nil:
		return &tlspin.UntrustedError{Host: host, Fingerprint: tlspin.Of(cie.Cert), Cause: err}
	}
	ne := &NetError{Host: host, Port: p, Err: err}
	var dnsErr *net.DNSError
	var rhe tls.RecordHeaderError
	var nerr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout():
		ne.Kind, ne.Reason = NetTimeout, "no answer in time"
	case errors.As(err, &dnsErr):
		ne.Kind, ne.Reason = NetUnreachable, "the host name is unknown"
		if dnsErr.IsTemporary || dnsErr.IsTimeout {
			ne.Reason = "the host name could not be looked up"
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		ne.Kind, ne.Reason = NetUnreachable, "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		ne.Kind, ne.Reason = NetUnreachable, "no route to the host"
	case errors.As(err, &rhe), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		ne.Kind, ne.Reason = NetNotMotion, "it does not speak HTTPS on this port"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		ne.Kind, ne.Reason = NetUnreachable, "the connection failed"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		ne.Kind, ne.Reason = NetUnreachable, "the connection was closed"
	default:
		ne.Kind, ne.Reason = NetUnreachable, shortReason(err)
	}
	return ne
}

// shortReason is the innermost error's text (without the URL a *url.Error adds).
func shortReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// Providers lists the single sign-on providers the administrator enabled (ProviderGoogle,
// ProviderActiveDirectory), without logging in. A server that does not offer the route (404) has
// none.
func (c *Client) Providers(ctx context.Context) ([]string, error) {
	var r ProvidersResponse
	err := c.do(ctx, "the sign-in providers", http.MethodGet, PathAuthProviders, false, nil, &r)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil, nil
	}
	return r.Providers, err
}
