package motionsim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim/pbx"
)

// This file joins the demo server and its PBX (internal/motionsim/pbx): the SIP WebSocket at
// PathSIPWebSocket on the server's own listeners, the WebRTC agents' SIP accounts as its accounts,
// and customer calls through motion.PathAdminCalls and the /admin page.

// PathSIPWebSocket is where the PBX serves SIP over WebSocket; the default sip.wsUri points here.
const PathSIPWebSocket = "/ws"

// pathWebAdminCalls is the admin page's form that starts a customer call (POST).
const pathWebAdminCalls = "/admin/calls"

// newPBX makes the PBX of cfg, or nil when it is disabled.
func (s *Server) newPBX(cfg *Config) (*pbx.PBX, error) {
	if cfg.PBX.Disabled {
		return nil, nil
	}
	return pbx.New(pbx.Options{
		Lookup:            s.sipPassword,
		CustomerToneHz:    cfg.PBX.CustomerToneHz,
		RingTimeout:       time.Duration(cfg.PBX.RingSeconds) * time.Second,
		CustomerCallLimit: time.Duration(cfg.PBX.CustomerCallSeconds) * time.Second,
		MaxCallDuration:   time.Hour,
		RegisterTimeout:   time.Duration(cfg.PBX.RegisterSeconds) * time.Second,
		MaxCallsPerUser:   cfg.PBX.MaxCallsPerUser,

		MaxConnectionsPerAddress: cfg.PBX.MaxConnectionsPerAddress,
		Logger:                   slog.New(logging.SlogHandler(s.log.WithField("part", "pbx"))),
	})
}

// sipPassword is the PBX's account lookup: the SIP password of the WebRTC agent whose SIP user
// (extension, or login name without one) is user.
func (s *Server) sipPassword(user string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.sipAccountByUserLocked(user)
	if a == nil || a.sipPassword == "" {
		return "", false
	}
	return a.sipPassword, true
}

func (s *Server) sipAccountByUserLocked(user string) *account {
	for _, a := range s.st.accounts {
		if a.user.Typology == motion.TypologyWebRTC && strings.EqualFold(sipUser(a), user) {
			return a
		}
	}
	return nil
}

// sipUser is an account's SIP user name.
func sipUser(a *account) string { return cmp.Or(a.user.Internal, a.user.Name) }

// defaultWSURI is the SIP WebSocket URI handed out when the configuration names none.
// hostPort is the public address's host[:port] (else the request's Host), host the same without
// the port.
func (s *Server) defaultWSURI(r *http.Request, hostPort, host string) string {
	if s.pbx == nil {
		return "wss://" + net.JoinHostPort(host, "8089") + "/ws"
	}
	scheme := "wss"
	if r.TLS == nil && s.publicURL == "" {
		scheme = "ws"
	}
	return scheme + "://" + hostPort + PathSIPWebSocket
}

func (s *Server) handleSIPWebSocket(w http.ResponseWriter, r *http.Request) {
	if s.pbx == nil {
		writeError(w, &apiError{Status: http.StatusNotFound, Body: motion.ErrorBody{Code: motion.CodeNotFound,
			Message: "The demo server's PBX is turned off (pbx.disabled in the configuration): sip.wsUri names the SIP server to use."}})
		return
	}
	s.pbx.ServeHTTP(w, r)
}

// AdminCallRequest is the body of POST motion.PathAdminCalls: a customer call to an agent.
type AdminCallRequest struct {
	// Agent is the agent's login name or extension. Required.
	Agent string `json:"agent"`
	// CallerName and CallerNumber are what the agent's phone shows; empty: a demo customer.
	CallerName   string `json:"callerName,omitempty"`
	CallerNumber string `json:"callerNumber,omitempty"`
	// Seconds is how long the answered call lasts at most, 1 to 3600; 0 means pbx.customerCallSeconds.
	Seconds int `json:"seconds,omitempty"`
}

// AdminCalls is the answer of GET motion.PathAdminCalls: the PBX's calls, live first then the
// latest ended ones, and its registrations.
type AdminCalls struct {
	Count         int                `json:"count"`
	Rows          []pbx.CallInfo     `json:"rows"`
	Registrations []pbx.Registration `json:"registrations"`
}

// PBXCalls returns the PBX's calls and registrations (empty when the PBX is off).
func (s *Server) PBXCalls() AdminCalls {
	out := AdminCalls{Rows: []pbx.CallInfo{}, Registrations: []pbx.Registration{}}
	if s.pbx == nil {
		return out
	}
	out.Rows = append(out.Rows, s.pbx.Calls()...)
	out.Registrations = append(out.Registrations, s.pbx.Registrations()...)
	out.Count = len(out.Rows)
	return out
}

// CallAgent starts a customer call to an agent, as the admin API does.
func (s *Server) CallAgent(ctx context.Context, req AdminCallRequest) (pbx.CallInfo, error) {
	info, err := s.callAgent(ctx, req)
	if err != nil {
		return pbx.CallInfo{}, err
	}
	return info, nil
}

func (s *Server) callAgent(ctx context.Context, req AdminCallRequest) (pbx.CallInfo, *apiError) {
	name := strings.TrimSpace(req.Agent)
	if name == "" {
		return pbx.CallInfo{}, badRequest("agent is required: the login name or extension of a webrtc agent")
	}
	if req.Seconds < 0 || req.Seconds > maxCustomerCallSeconds {
		return pbx.CallInfo{}, badRequest("seconds must be 1 to %d (0: the configured length), not %d", maxCustomerCallSeconds, req.Seconds)
	}
	if len(req.CallerName) > 64 || len(req.CallerNumber) > 32 {
		return pbx.CallInfo{}, badRequest("callerName is at most 64 characters and callerNumber at most 32")
	}
	if s.pbx == nil {
		return pbx.CallInfo{}, conflict(motion.CodeNotRegistered, "The demo server's PBX is turned off (pbx.disabled in the configuration): it cannot ring anyone.")
	}
	s.mu.Lock()
	a := s.st.byName[strings.ToLower(name)]
	if a == nil {
		for _, acc := range s.st.accounts {
			if acc.user.Internal != "" && acc.user.Internal == name {
				a = acc
				break
			}
		}
	}
	var login, typology, user string
	if a != nil {
		login, typology, user = a.user.Name, a.user.Typology, sipUser(a)
	}
	s.mu.Unlock()
	switch {
	case a == nil:
		return pbx.CallInfo{}, &apiError{Status: http.StatusNotFound, Body: motion.ErrorBody{Code: motion.CodeNotFound,
			Message: "No user is named or has the extension " + quoteShort(name) + ": see the users on the administration page."}}
	case typology != motion.TypologyWebRTC:
		return pbx.CallInfo{}, conflict(motion.CodeNotRegistered, fmt.Sprintf(
			"%s is not a webrtc agent (typology %s): only webrtc agents have a softphone the demo PBX can ring; change the typology under Users.", login, cmp.Or(typology, "none")))
	}
	info, err := s.pbx.CallAgent(ctx, pbx.CustomerCall{
		Agent: user, CallerName: req.CallerName, CallerNumber: req.CallerNumber, Limit: time.Duration(req.Seconds) * time.Second,
	})
	switch {
	case errors.Is(err, pbx.ErrNotRegistered):
		return pbx.CallInfo{}, conflict(motion.CodeNotRegistered, fmt.Sprintf(
			"%s's softphone (SIP user %s) is not registered: log in to the Phonebar as %s and wait for the green dot, then call again.", login, user, login))
	case errors.Is(err, pbx.ErrBusy):
		return pbx.CallInfo{}, conflict(codeAgentBusy, fmt.Sprintf(
			"%s's softphone has as many calls as the demo PBX allows at once (pbx.maxCallsPerUser): wait for one to end, then call again.", login))
	case errors.Is(err, pbx.ErrClosed):
		return pbx.CallInfo{}, &apiError{Status: http.StatusServiceUnavailable, Body: motion.ErrorBody{Message: "The demo server is stopping."}}
	case err != nil:
		return pbx.CallInfo{}, &apiError{Status: http.StatusInternalServerError, Body: motion.ErrorBody{Message: "The PBX could not place the call: " + err.Error()}}
	}
	s.log.WithFields(map[string]any{"agent": login, "call": info.ID}).Info("customer call started by an administrator")
	return info, nil
}

// codeAgentBusy answers motion.PathAdminCalls for an agent with pbx.maxCallsPerUser live calls.
const codeAgentBusy = "AGENT_BUSY"

func conflict(code, msg string) *apiError {
	return &apiError{Status: http.StatusConflict, Body: motion.ErrorBody{Code: code, Message: msg}}
}

// handleAdminCalls serves GET (the calls) and POST (a customer call) of motion.PathAdminCalls.
func (s *Server) handleAdminCalls(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		writeJSON(w, http.StatusOK, s.PBXCalls())
		return
	}
	var req AdminCallRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	info, err := s.callAgent(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, info)
}

// handleAdminCallForm is the admin page's "Call as a customer" button.
func (s *Server) handleAdminCallForm(w http.ResponseWriter, r *http.Request) {
	ss := s.adminForm(w, r)
	if ss == nil {
		return
	}
	if _, err := s.callAgent(r.Context(), AdminCallRequest{Agent: r.PostForm.Get("agent")}); err != nil {
		s.renderAdmin(w, r, ss, err.Status, "", err.Body.Message)
		return
	}
	http.Redirect(w, r, motion.PathWebAdmin+"?m=calling#pbx", http.StatusSeeOther)
}

// softphoneRow is one WebRTC agent on the admin page.
type softphoneRow struct {
	Name, Fullname, SIPUser string
	Registered              bool
}

// softphones lists the WebRTC agents and whether their softphone is registered.
func (s *Server) softphones() []softphoneRow {
	s.mu.Lock()
	var rows []softphoneRow
	for _, a := range s.st.accounts {
		if a.user.Typology == motion.TypologyWebRTC {
			rows = append(rows, softphoneRow{Name: a.user.Name, Fullname: a.user.Fullname, SIPUser: sipUser(a)})
		}
	}
	s.mu.Unlock()
	for i := range rows {
		rows[i].Registered = s.pbx != nil && s.pbx.Registered(rows[i].SIPUser)
	}
	return rows
}
