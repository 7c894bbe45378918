package controlapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/dialurl"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/problem"
)

// actionTimeout bounds one action on a call (a SIP transaction; a transfer waits longer).
const actionTimeout = 40 * time.Second

// route is one path of the API with the methods it answers. Actions answer GET too, as the real
// Phonebar's are called from links and simple scripts. [ours: GET and POST both]
type route struct {
	path    string
	methods []string
	handle  func(http.ResponseWriter, *http.Request)
}

var (
	get        = []string{http.MethodGet}
	getAndPost = []string{http.MethodGet, http.MethodPost}
)

// routeTable lists every route; openapi.json describes exactly these (a test checks it).
func (s *Server) routeTable() []route {
	return []route{
		{"/api/calls", get, s.handleCalls},
		{"/api/answer", getAndPost, s.handleAnswer},
		{"/api/answer/{id}", getAndPost, s.handleAnswer},
		{"/api/originate/{number}", getAndPost, s.handleOriginate},
		{"/api/hangup", getAndPost, s.handleHangup},
		{"/api/hangup/{id}", getAndPost, s.handleHangup},
		{"/api/hold", getAndPost, s.handleHold},
		{"/api/hold/{id}", getAndPost, s.handleHold},
		{"/api/transfer/{number}", getAndPost, s.handleTransfer},
		// The older API.
		{"/xcally/svc/channels", get, s.handleCalls},
		{"/xcally/svc/recents", get, s.handleRecents},
		{"/xcally/svc/originate/{number}", getAndPost, s.handleOriginate},
		{"/xcally/svc/answer", getAndPost, s.handleAnswer},
		{"/xcally/svc/hangup/{id}", getAndPost, s.handleHangup},
		{"/xcally/svc/holding/{id}", getAndPost, s.handleHold},
		{"/xcally/svc/transfer/{number}", getAndPost, s.handleTransfer},
		{"/xcally/svc/atxfer/{number}", getAndPost, s.notSupported("An attended transfer from the control API is not supported: put the caller on hold, call your colleague with /api/originate, then use Transfer to… in the Phonebar.")},
		{"/xcally/svc/conference/{number}", getAndPost, s.notSupported("Conference calls are not supported by this Phonebar.")},
	}
}

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		rt := rt
		mux.HandleFunc(rt.path, func(w http.ResponseWriter, r *http.Request) {
			if !slices.Contains(rt.methods, r.Method) {
				w.Header().Set("Allow", strings.Join(rt.methods, ", "))
				writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", fmt.Sprintf("%s answers %s only.", rt.path, strings.Join(rt.methods, " and ")), nil)
				return
			}
			rt.handle(w, r)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "No such route: the routes are listed in the Phonebar's openapi.json (GET /api/calls, /api/originate/{number}, ...).", nil)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string, calls []Call) {
	writeJSON(w, status, ErrorBody{Code: code, Message: message, Calls: calls})
}

// statusOfCode is the HTTP status of a problem code.
func statusOfCode(code problem.Code) int {
	switch code {
	case problem.CodeNoCall:
		return http.StatusNotFound
	case problem.CodeBadTarget, problem.CodeBadDTMF:
		return http.StatusBadRequest
	case problem.CodeNotLoggedIn, problem.CodeNoPhone, problem.CodeNotRegistered, problem.CodeCallState,
		problem.CodeTransferNotReady, problem.CodeTransferSameCall, problem.CodeCallChangeRefused:
		return http.StatusConflict
	case problem.CodeTimeout:
		return http.StatusGatewayTimeout
	case problem.CodeInternal:
		return http.StatusInternalServerError
	}
	return http.StatusBadGateway
}

// fail answers err as the window would word it.
func (s *Server) fail(w http.ResponseWriter, err error, calls []Call) {
	p := problem.Of(err)
	writeError(w, statusOfCode(p.Code), string(p.Code), p.Message, calls)
}

// desk returns the agent's desk, or answers why there is none.
func (s *Server) desk(w http.ResponseWriter) Desk {
	if s.opts.Desk == nil {
		s.fail(w, desk.ErrNoPhone, nil)
		return nil
	}
	d, err := s.opts.Desk()
	if err != nil {
		s.fail(w, err, nil)
		return nil
	}
	if d == nil {
		s.fail(w, desk.ErrNoPhone, nil)
		return nil
	}
	return d
}

func callsOf(v desk.View) []Call {
	out := make([]Call, 0, len(v.Calls))
	for _, c := range v.Calls {
		out = append(out, callOf(c))
	}
	return out
}

func (s *Server) handleCalls(w http.ResponseWriter, r *http.Request) {
	d := s.desk(w)
	if d == nil {
		return
	}
	v := d.View()
	writeJSON(w, http.StatusOK, Calls{Registered: v.Registration.CanCall(), Calls: callsOf(v)})
}

func (s *Server) handleRecents(w http.ResponseWriter, r *http.Request) {
	var out []history.Entry
	if s.opts.Recents != nil {
		out = s.opts.Recents()
	}
	if out == nil {
		out = []history.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"recents": out})
}

func (s *Server) handleOriginate(w http.ResponseWriter, r *http.Request) {
	number, err := dialurl.Number(r.PathValue("number"))
	if err != nil {
		var e *dialurl.Error
		msg := "That is not a number to dial."
		if errors.As(err, &e) {
			msg = "Not dialled: " + e.Reason + "."
		}
		writeError(w, http.StatusBadRequest, string(problem.CodeBadTarget), msg, nil)
		return
	}
	d := s.desk(w)
	if d == nil {
		return
	}
	v := d.View()
	if !v.Registration.CanCall() {
		msg := fmt.Sprintf("The phone is not registered (%s), so it cannot call: wait for the green dot in the Phonebar, or check the network.", v.Registration)
		if v.RegistrationErr != nil {
			msg = fmt.Sprintf("The phone is not registered (%s: %s), so it cannot call: wait for the green dot in the Phonebar, or check the network.",
				v.Registration, problem.Of(v.RegistrationErr).Message)
		}
		writeError(w, http.StatusConflict, string(problem.CodeNotRegistered), msg, nil)
		return
	}
	id, _, err := d.DialAsync(number)
	if err != nil {
		s.fail(w, err, nil)
		return
	}
	c, ok := findCall(d.View(), id)
	if !ok { // ended already (refused at once)
		c = Call{ID: id, State: StateReleased | StateTerminated, Direction: desk.DirectionOut.String(), Number: number}
		c.StateNames = c.State.Names()
	}
	writeJSON(w, http.StatusAccepted, ActionResult{Action: "originate", Call: c})
}

func findCall(v desk.View, id string) (Call, bool) {
	for _, c := range v.Calls {
		if c.ID == id {
			return callOf(c), true
		}
	}
	return Call{}, false
}

// pick finds the call an action is for: the one named in the path, else the first call that
// matches want. It answers itself (404 with the calls there are, or 409 when several would do)
// and returns false when there is none.
func (s *Server) pick(w http.ResponseWriter, r *http.Request, d Desk, what string, want func(desk.CallView) bool) (desk.CallView, bool) {
	v := d.View()
	calls := callsOf(v)
	if id := r.PathValue("id"); id != "" {
		for _, c := range v.Calls {
			if c.ID == id {
				return c, true
			}
		}
		writeError(w, http.StatusNotFound, string(problem.CodeNoCall), noCallMessage(fmt.Sprintf("No call has the ID %s", dialurl.Quote(id)), calls), calls)
		return desk.CallView{}, false
	}
	var found []desk.CallView
	for _, c := range v.Calls {
		if want(c) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 1:
		return found[0], true
	case 0:
		writeError(w, http.StatusNotFound, string(problem.CodeNoCall), noCallMessage("There is no "+what, calls), calls)
	default:
		writeError(w, http.StatusConflict, "SEVERAL_CALLS", fmt.Sprintf("There are %d calls that could be meant: name one by its ID (%s).", len(found), idList(calls)), calls)
	}
	return desk.CallView{}, false
}

func noCallMessage(head string, calls []Call) string {
	if len(calls) == 0 {
		return head + ", and there are no calls now."
	}
	return head + ": the calls now are " + idList(calls) + "."
}

func idList(calls []Call) string {
	parts := make([]string, 0, len(calls))
	for _, c := range calls {
		parts = append(parts, fmt.Sprintf("%s (%s %s)", c.ID, strings.ToLower(strings.Join(c.StateNames, "+")), c.Number))
	}
	return strings.Join(parts, ", ")
}

// act runs one action on call c and answers with the call as it is after.
func (s *Server) act(w http.ResponseWriter, r *http.Request, d Desk, action string, c desk.CallView, fn func(context.Context) error) {
	ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
	defer cancel()
	if err := fn(ctx); err != nil {
		s.fail(w, err, callsOf(d.View()))
		return
	}
	after, ok := findCall(d.View(), c.ID)
	if !ok {
		after = callOf(c)
		after.State = StateReleased | StateTerminated
		after.StateNames = after.State.Names()
	}
	writeJSON(w, http.StatusOK, ActionResult{Action: action, Call: after})
}

func (s *Server) handleAnswer(w http.ResponseWriter, r *http.Request) {
	d := s.desk(w)
	if d == nil {
		return
	}
	c, ok := s.pick(w, r, d, "ringing call to answer", func(c desk.CallView) bool { return c.State == phone.StateRinging })
	if !ok {
		return
	}
	s.act(w, r, d, "answer", c, func(ctx context.Context) error { return d.Answer(ctx, c.ID) })
}

// current is the call the agent is talking on: established and not on hold.
func current(c desk.CallView) bool { return c.State == phone.StateActive }

func (s *Server) handleHangup(w http.ResponseWriter, r *http.Request) {
	d := s.desk(w)
	if d == nil {
		return
	}
	want := current
	if v := d.View(); len(v.Calls) == 1 {
		want = func(desk.CallView) bool { return true } // the only call, whatever its state
	}
	c, ok := s.pick(w, r, d, "call in progress to hang up", want)
	if !ok {
		return
	}
	s.act(w, r, d, "hangup", c, func(ctx context.Context) error { return d.Hangup(ctx, c.ID) })
}

// handleHold puts the call on hold, or takes it off hold when it is held (as the bar's button
// does). Without an ID: the current call, else the only call on hold.
func (s *Server) handleHold(w http.ResponseWriter, r *http.Request) {
	d := s.desk(w)
	if d == nil {
		return
	}
	want := current
	v := d.View()
	if !slices.ContainsFunc(v.Calls, current) {
		want = func(c desk.CallView) bool { return c.State == phone.StateHeld }
	}
	c, ok := s.pick(w, r, d, "call in progress to hold", want)
	if !ok {
		return
	}
	on, action := c.State != phone.StateHeld, "hold"
	if !on {
		action = "resume"
	}
	s.act(w, r, d, action, c, func(ctx context.Context) error { return d.Hold(ctx, c.ID, on) })
}

// handleTransfer hands the current call to number (blind transfer).
func (s *Server) handleTransfer(w http.ResponseWriter, r *http.Request) {
	number, err := dialurl.Number(r.PathValue("number"))
	if err != nil {
		var e *dialurl.Error
		errors.As(err, &e)
		writeError(w, http.StatusBadRequest, string(problem.CodeBadTarget), "Not transferred: "+e.Reason+".", nil)
		return
	}
	d := s.desk(w)
	if d == nil {
		return
	}
	c, ok := s.pick(w, r, d, "call in progress to transfer", current)
	if !ok {
		return
	}
	s.act(w, r, d, "transfer", c, func(ctx context.Context) error { return d.Transfer(ctx, c.ID, number) })
}

func (s *Server) notSupported(msg string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotImplemented, "NOT_SUPPORTED", msg, nil)
	}
}
