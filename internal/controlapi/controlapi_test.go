package controlapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus/hooks/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/sipua"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const crm = "https://crm.example.com"

// rig is a server over a fake desk, called in memory through its guards.
type rig struct {
	srv  *Server
	desk *fakeDesk
	log  *test.Hook
}

func newRig(t *testing.T, opts Options, calls ...desk.CallView) *rig {
	t.Helper()
	r := &rig{desk: newFakeDesk(calls...)}
	logger, hook := test.NewNullLogger()
	r.log = hook
	opts.Logger = logger
	if opts.Desk == nil {
		opts.Desk = func() (Desk, error) { return r.desk, nil }
	}
	if opts.Rate == 0 {
		opts.Rate, opts.Burst = rate.Inf, 1
	}
	r.srv = New(opts)
	return r
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r *rig) do(t *testing.T, method, path string, header http.Header) reply {
	t.Helper()
	req := httptest.NewRequest(method, "http://127.0.0.1:9888"+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	if h := header.Get("Host"); h != "" {
		req.Host = h
	}
	w := httptest.NewRecorder()
	r.srv.Handler().ServeHTTP(w, req)
	return reply{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
}

func (rp reply) errBody(t *testing.T) ErrorBody {
	t.Helper()
	var e ErrorBody
	require.NoError(t, json.Unmarshal(rp.body, &e), string(rp.body))
	return e
}

func ringing(id, from string) desk.CallView {
	return desk.CallView{ID: id, Direction: desk.DirectionIn, Remote: from, State: phone.StateRinging}
}

func active(id, to string) desk.CallView {
	return desk.CallView{ID: id, Direction: desk.DirectionOut, Remote: to, State: phone.StateActive, Answered: time.Unix(1_700_000_000, 0)}
}

func TestStateBits(t *testing.T) {
	tests := []struct {
		state phone.State
		want  CallState
		names []string
	}{
		{phone.StateDialing, 2, []string{"CONNECTING"}},
		{phone.StateRinging, 36, []string{"ALERTING", "INCOMING"}},
		{phone.StateActive, 8, []string{"ACTIVE"}},
		{phone.StateHeld, 72, []string{"ACTIVE", "HOLDING"}},
		{phone.StateEnded, 144, []string{"RELEASED", "TERMINATED"}},
		{phone.StateUnknown, 0, []string{"NULL"}},
	}
	for _, tt := range tests {
		t.Run(tt.state.String(), func(t *testing.T) {
			got := stateOf(desk.CallView{State: tt.state})
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.names, got.Names())
		})
	}
}

func TestGuards(t *testing.T) {
	token := strings.Repeat("k", 40)
	tests := []struct {
		name       string
		opts       Options
		method     string
		header     http.Header
		wantStatus int
		wantCode   string
		wantCORS   string
	}{
		{"a program on this computer", Options{}, "GET", nil, 200, "", ""},
		{"localhost", Options{}, "GET", http.Header{"Host": {"localhost:9888"}}, 200, "", ""},
		{"ipv6 loopback", Options{}, "GET", http.Header{"Host": {"[::1]:9888"}}, 200, "", ""},
		{"dns rebinding", Options{}, "GET", http.Header{"Host": {"evil.example"}}, 403, "FORBIDDEN_HOST", ""},
		{"dns rebinding with the port", Options{}, "GET", http.Header{"Host": {"evil.example:9888"}}, 403, "FORBIDDEN_HOST", ""},
		{"a name under localhost", Options{}, "GET", http.Header{"Host": {"localhost.evil.example"}}, 403, "FORBIDDEN_HOST", ""},
		{"another address", Options{}, "GET", http.Header{"Host": {"192.168.1.10:9888"}}, 403, "FORBIDDEN_HOST", ""},
		{"a page of another origin", Options{AllowedOrigins: []string{crm}}, "GET", http.Header{"Origin": {"https://evil.example"}}, 403, "FORBIDDEN_ORIGIN", ""},
		{"no origin is allowed by default", Options{}, "GET", http.Header{"Origin": {crm}}, 403, "FORBIDDEN_ORIGIN", ""},
		{"an allowed page", Options{AllowedOrigins: []string{crm}}, "GET", http.Header{"Origin": {crm}}, 200, "", crm},
		{"an allowed origin is exact", Options{AllowedOrigins: []string{crm}}, "GET", http.Header{"Origin": {crm + ":8443"}}, 403, "FORBIDDEN_ORIGIN", ""},
		{"an image of another site", Options{AllowedOrigins: []string{crm}}, "GET", http.Header{"Sec-Fetch-Site": {"cross-site"}, "Referer": {"https://evil.example/page"}}, 403, "FORBIDDEN_ORIGIN", ""},
		{"a link without referrer", Options{}, "GET", http.Header{"Sec-Fetch-Site": {"cross-site"}}, 403, "FORBIDDEN_ORIGIN", ""},
		{"an old browser's referrer", Options{}, "GET", http.Header{"Referer": {"http://evil.example/"}}, 403, "FORBIDDEN_ORIGIN", ""},
		{"a sandboxed page", Options{}, "GET", http.Header{"Origin": {"null"}}, 403, "FORBIDDEN_ORIGIN", ""},
		{"typed in the address bar", Options{}, "GET", http.Header{"Sec-Fetch-Site": {"none"}}, 200, "", ""},
		{"preflight of an allowed page", Options{AllowedOrigins: []string{crm}}, "OPTIONS", http.Header{"Origin": {crm}, "Access-Control-Request-Method": {"POST"}}, 204, "", crm},
		{"preflight of another page", Options{AllowedOrigins: []string{crm}}, "OPTIONS", http.Header{"Origin": {"https://evil.example"}, "Access-Control-Request-Method": {"POST"}}, 403, "FORBIDDEN_ORIGIN", ""},
		{"token missing", Options{Token: token}, "GET", nil, 401, "UNAUTHORIZED", ""},
		{"token wrong", Options{Token: token}, "GET", http.Header{"Authorization": {"Bearer " + strings.Repeat("x", 40)}}, 401, "UNAUTHORIZED", ""},
		{"token given", Options{Token: token}, "GET", http.Header{"Authorization": {"Bearer " + token}}, 200, "", ""},
		{"basic is not the token", Options{Token: token}, "GET", http.Header{"Authorization": {"Basic " + token}}, 401, "UNAUTHORIZED", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.opts)
			rp := r.do(t, tt.method, "/api/calls", tt.header)
			assert.Equal(t, tt.wantStatus, rp.status, string(rp.body))
			assert.Equal(t, tt.wantCORS, rp.header.Get("Access-Control-Allow-Origin"), "CORS only for allowed origins")
			if tt.wantCode != "" {
				e := rp.errBody(t)
				assert.Equal(t, tt.wantCode, e.Code)
				assert.NotEmpty(t, e.Message)
			}
			// Every request is logged, and never with a header's value.
			require.Len(t, r.log.AllEntries(), 1)
			line, err := r.log.LastEntry().String()
			require.NoError(t, err)
			assert.Contains(t, line, "control API request")
			assert.Contains(t, line, "status="+strconv.Itoa(tt.wantStatus))
			assert.NotContains(t, line, token)
		})
	}
}

func TestPreflightAnswersPrivateNetworkAccess(t *testing.T) {
	r := newRig(t, Options{AllowedOrigins: []string{crm}, Token: strings.Repeat("k", 40)})
	rp := r.do(t, "OPTIONS", "/api/originate/123", http.Header{"Origin": {crm}, "Access-Control-Request-Method": {"POST"},
		"Access-Control-Request-Private-Network": {"true"}})
	assert.Equal(t, 204, rp.status)
	assert.Equal(t, "true", rp.header.Get("Access-Control-Allow-Private-Network"))
	assert.Equal(t, "Authorization", rp.header.Get("Access-Control-Allow-Headers"))
	assert.Empty(t, r.desk.did(), "a preflight does nothing")
}

func TestRateLimit(t *testing.T) {
	r := newRig(t, Options{Rate: rate.Every(time.Hour), Burst: 3})
	var statuses []int
	for range 5 {
		statuses = append(statuses, r.do(t, "GET", "/api/calls", nil).status)
	}
	assert.Equal(t, []int{200, 200, 200, 429, 429}, statuses)
	rp := r.do(t, "GET", "/api/calls", nil)
	assert.Equal(t, "1", rp.header.Get("Retry-After"))
	assert.Equal(t, "RATE_LIMITED", rp.errBody(t).Code)
}

// call is one request of TestRoutes, with the route pattern it must reach (for the OpenAPI check).
type call struct {
	name       string
	method     string
	path       string
	route      string
	calls      []desk.CallView
	setup      func(*fakeDesk)
	deskErr    error
	wantStatus int
	wantCode   string
	wantMsg    string
	wantDid    []string
	check      func(t *testing.T, body []byte)
}

func routeCalls() []call {
	in := ringing("c1", "+33123456789")
	out := active("c2", "*43")
	held := out
	held.State = phone.StateHeld
	return []call{
		{name: "list", method: "GET", path: "/api/calls", route: "/api/calls", calls: []desk.CallView{in, out}, wantStatus: 200,
			check: func(t *testing.T, body []byte) {
				var c Calls
				require.NoError(t, json.Unmarshal(body, &c))
				assert.True(t, c.Registered)
				require.Len(t, c.Calls, 2)
				assert.Equal(t, StateIncoming|StateAlerting, c.Calls[0].State)
				assert.Equal(t, StateActive, c.Calls[1].State)
				assert.Equal(t, "*43", c.Calls[1].Number)
				require.NotNil(t, c.Calls[1].AnsweredAt)
			}},
		{name: "old channels", method: "GET", path: "/xcally/svc/channels", route: "/xcally/svc/channels", calls: []desk.CallView{out}, wantStatus: 200},
		{name: "list by POST", method: "POST", path: "/api/calls", route: "/api/calls", wantStatus: 405, wantCode: "METHOD_NOT_ALLOWED"},
		{name: "not logged in", method: "GET", path: "/api/calls", route: "/api/calls", deskErr: agent.ErrNotLoggedIn, wantStatus: 409, wantCode: "NOT_LOGGED_IN", wantMsg: "Log in first"},
		{name: "no softphone", method: "GET", path: "/api/originate/123", route: "/api/originate/{number}", deskErr: desk.ErrNoPhone, wantStatus: 409, wantCode: "NO_PHONE"},
		{name: "originate", method: "POST", path: "/api/originate/*43", route: "/api/originate/{number}", wantStatus: 202, wantDid: []string{"originate *43"},
			check: func(t *testing.T, body []byte) {
				var a ActionResult
				require.NoError(t, json.Unmarshal(body, &a))
				assert.Equal(t, "dial-1", a.Call.ID)
				assert.Equal(t, StateConnecting, a.Call.State)
			}},
		{name: "originate with separators", method: "GET", path: "/api/originate/+33%201%2023-45", route: "/api/originate/{number}", wantStatus: 202, wantDid: []string{"originate +3312345"}},
		{name: "old originate", method: "GET", path: "/xcally/svc/originate/1002", route: "/xcally/svc/originate/{number}", wantStatus: 202, wantDid: []string{"originate 1002"}},
		{name: "originate letters", method: "GET", path: "/api/originate/1800FLOWERS", route: "/api/originate/{number}", wantStatus: 400, wantCode: "BAD_TARGET", wantMsg: "must not contain letters"},
		{name: "originate control characters", method: "GET", path: "/api/originate/123%0d%0aX", route: "/api/originate/{number}", wantStatus: 400, wantCode: "BAD_TARGET", wantMsg: "control characters"},
		{name: "originate not registered", method: "GET", path: "/api/originate/*43", route: "/api/originate/{number}",
			setup: func(f *fakeDesk) { f.reg, f.regErr = sipua.StateFailed, errors.New("connection refused") }, wantStatus: 409, wantCode: "NOT_REGISTERED", wantMsg: "not registered (failed"},
		{name: "answer the ringing call", method: "POST", path: "/api/answer", route: "/api/answer", calls: []desk.CallView{in, out}, wantStatus: 200, wantDid: []string{"answer c1"}},
		{name: "answer by ID", method: "GET", path: "/api/answer/c1", route: "/api/answer/{id}", calls: []desk.CallView{in}, wantStatus: 200, wantDid: []string{"answer c1"}},
		{name: "old answer", method: "GET", path: "/xcally/svc/answer", route: "/xcally/svc/answer", calls: []desk.CallView{in}, wantStatus: 200, wantDid: []string{"answer c1"}},
		{name: "answer with nothing ringing", method: "GET", path: "/api/answer", route: "/api/answer", calls: []desk.CallView{out}, wantStatus: 404, wantCode: "NO_CALL", wantMsg: "There is no ringing call to answer: the calls now are c2 (active *43)."},
		{name: "unknown call", method: "GET", path: "/api/hangup/c9", route: "/api/hangup/{id}", calls: []desk.CallView{in, out}, wantStatus: 404, wantCode: "NO_CALL",
			wantMsg: `No call has the ID "c9": the calls now are c1 (alerting+incoming +33123456789), c2 (active *43).`,
			check: func(t *testing.T, body []byte) {
				var e ErrorBody
				require.NoError(t, json.Unmarshal(body, &e))
				require.Len(t, e.Calls, 2, "the 404 lists the calls there are")
			}},
		{name: "unknown call, none at all", method: "GET", path: "/api/hold/c9", route: "/api/hold/{id}", wantStatus: 404, wantCode: "NO_CALL", wantMsg: "there are no calls now"},
		{name: "hangup the current call", method: "POST", path: "/api/hangup", route: "/api/hangup", calls: []desk.CallView{in, out}, wantStatus: 200, wantDid: []string{"hangup c2"},
			check: func(t *testing.T, body []byte) {
				var a ActionResult
				require.NoError(t, json.Unmarshal(body, &a))
				assert.Equal(t, StateReleased|StateTerminated, a.Call.State, "the call as it is after: gone")
			}},
		{name: "hangup the only call", method: "GET", path: "/api/hangup", route: "/api/hangup", calls: []desk.CallView{in}, wantStatus: 200, wantDid: []string{"hangup c1"}},
		{name: "hangup with two held calls", method: "GET", path: "/api/hangup", route: "/api/hangup", calls: []desk.CallView{held, func() desk.CallView { h := held; h.ID = "c3"; return h }()},
			wantStatus: 404, wantCode: "NO_CALL"},
		{name: "old hangup", method: "GET", path: "/xcally/svc/hangup/c2", route: "/xcally/svc/hangup/{id}", calls: []desk.CallView{out}, wantStatus: 200, wantDid: []string{"hangup c2"}},
		{name: "hold", method: "POST", path: "/api/hold", route: "/api/hold", calls: []desk.CallView{out}, wantStatus: 200, wantDid: []string{"hold=true c2"},
			check: func(t *testing.T, body []byte) {
				var a ActionResult
				require.NoError(t, json.Unmarshal(body, &a))
				assert.Equal(t, "hold", a.Action)
				assert.Equal(t, StateActive|StateHolding, a.Call.State)
			}},
		{name: "hold again resumes", method: "GET", path: "/api/hold/c2", route: "/api/hold/{id}", calls: []desk.CallView{held}, wantStatus: 200, wantDid: []string{"hold=false c2"}},
		{name: "hold without ID resumes the only held call", method: "GET", path: "/api/hold", route: "/api/hold", calls: []desk.CallView{held}, wantStatus: 200, wantDid: []string{"hold=false c2"}},
		{name: "old holding", method: "GET", path: "/xcally/svc/holding/c2", route: "/xcally/svc/holding/{id}", calls: []desk.CallView{out}, wantStatus: 200, wantDid: []string{"hold=true c2"}},
		{name: "hold refused", method: "GET", path: "/api/hold/c2", route: "/api/hold/{id}", calls: []desk.CallView{out},
			setup: func(f *fakeDesk) { f.failOn["hold=true"] = phone.ErrCallState }, wantStatus: 409, wantCode: "CALL_STATE"},
		{name: "transfer", method: "POST", path: "/api/transfer/1003", route: "/api/transfer/{number}", calls: []desk.CallView{in, out}, wantStatus: 200, wantDid: []string{"transfer c2 to 1003"}},
		{name: "old transfer", method: "GET", path: "/xcally/svc/transfer/1003", route: "/xcally/svc/transfer/{number}", calls: []desk.CallView{out}, wantStatus: 200, wantDid: []string{"transfer c2 to 1003"}},
		{name: "transfer to letters", method: "GET", path: "/api/transfer/abc", route: "/api/transfer/{number}", calls: []desk.CallView{out}, wantStatus: 400, wantCode: "BAD_TARGET"},
		{name: "transfer with no call", method: "GET", path: "/api/transfer/1003", route: "/api/transfer/{number}", calls: []desk.CallView{in}, wantStatus: 404, wantCode: "NO_CALL"},
		{name: "old attended transfer", method: "GET", path: "/xcally/svc/atxfer/1003", route: "/xcally/svc/atxfer/{number}", wantStatus: 501, wantCode: "NOT_SUPPORTED"},
		{name: "old conference", method: "POST", path: "/xcally/svc/conference/1003", route: "/xcally/svc/conference/{number}", wantStatus: 501, wantCode: "NOT_SUPPORTED"},
		{name: "old recents", method: "GET", path: "/xcally/svc/recents", route: "/xcally/svc/recents", wantStatus: 200},
		{name: "unknown route", method: "GET", path: "/api/dial/123", route: "", wantStatus: 404, wantCode: "NOT_FOUND"},
	}
}

func TestRoutes(t *testing.T) {
	for _, tt := range routeCalls() {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{}
			r := newRig(t, opts, tt.calls...)
			if tt.deskErr != nil {
				r.srv.opts.Desk = func() (Desk, error) { return nil, tt.deskErr }
			}
			if tt.setup != nil {
				tt.setup(r.desk)
			}
			rp := r.do(t, tt.method, tt.path, nil)
			require.Equal(t, tt.wantStatus, rp.status, string(rp.body))
			assert.Equal(t, "application/json; charset=utf-8", rp.header.Get("Content-Type"))
			if tt.wantCode != "" {
				e := rp.errBody(t)
				assert.Equal(t, tt.wantCode, e.Code)
				assert.Contains(t, e.Message, tt.wantMsg)
			}
			assert.Equal(t, tt.wantDid, r.desk.did())
			if tt.check != nil {
				tt.check(t, rp.body)
			}
		})
	}
}

// TestOpenAPIMatchesTheHandlers holds openapi.json and the handlers together: the same paths and
// methods, and every answer TestRoutes sees is declared with a body that has the schema's required
// fields.
func TestOpenAPIMatchesTheHandlers(t *testing.T) {
	data, err := os.ReadFile("openapi.json")
	require.NoError(t, err)
	var spec openAPI
	require.NoError(t, json.Unmarshal(data, &spec))
	assert.Equal(t, "3.0.3", spec.OpenAPI)

	srv := New(Options{})
	have := map[string][]string{}
	for _, rt := range srv.routeTable() {
		for _, m := range rt.methods {
			have[rt.path] = append(have[rt.path], strings.ToLower(m))
		}
	}
	documented := map[string][]string{}
	for p, ops := range spec.Paths {
		for m := range ops {
			documented[p] = append(documented[p], m)
		}
		slices.Sort(documented[p])
	}
	for p := range have {
		slices.Sort(have[p])
	}
	assert.Equal(t, have, documented, "openapi.json lists exactly the handlers' paths and methods")

	for _, tt := range routeCalls() {
		if tt.route == "" || tt.wantStatus == http.StatusMethodNotAllowed {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Options{}, tt.calls...)
			if tt.deskErr != nil {
				r.srv.opts.Desk = func() (Desk, error) { return nil, tt.deskErr }
			}
			if tt.setup != nil {
				tt.setup(r.desk)
			}
			rp := r.do(t, tt.method, tt.path, nil)
			op, ok := spec.Paths[tt.route][strings.ToLower(tt.method)]
			require.True(t, ok, "%s %s is documented", tt.method, tt.route)
			resp, ok := op.Responses[strconv.Itoa(rp.status)]
			require.True(t, ok, "%s %s documents status %d", tt.method, tt.route, rp.status)
			var body any
			require.NoError(t, json.Unmarshal(rp.body, &body))
			checkSchema(t, spec, resp.Content["application/json"].Schema, body, "body")
		})
	}
}

type openAPI struct {
	OpenAPI    string                          `json:"openapi"`
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Schemas map[string]schema `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	Responses map[string]struct {
		Content map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

type schema struct {
	Ref        string            `json:"$ref"`
	Type       string            `json:"type"`
	Required   []string          `json:"required"`
	Properties map[string]schema `json:"properties"`
	Items      *schema           `json:"items"`
	Enum       []any             `json:"enum"`
}

// checkSchema checks v against s: types, required fields, enums, recursively.
func checkSchema(t *testing.T, spec openAPI, s schema, v any, at string) {
	t.Helper()
	if s.Ref != "" {
		name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		rs, ok := spec.Components.Schemas[name]
		require.True(t, ok, "%s: %s is defined", at, s.Ref)
		s = rs
	}
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		require.True(t, ok, "%s is an object: %v", at, v)
		for _, k := range s.Required {
			assert.Contains(t, m, k, "%s has %s", at, k)
		}
		for k, x := range m {
			ps, ok := s.Properties[k]
			if assert.True(t, ok, "%s.%s is documented", at, k) {
				checkSchema(t, spec, ps, x, at+"."+k)
			}
		}
	case "array":
		a, ok := v.([]any)
		require.True(t, ok, "%s is an array", at)
		for i, x := range a {
			checkSchema(t, spec, *s.Items, x, at+"["+strconv.Itoa(i)+"]")
		}
	case "string":
		_, ok := v.(string)
		assert.True(t, ok, "%s is a string", at)
	case "integer":
		f, ok := v.(float64)
		assert.True(t, ok && f == float64(int64(f)), "%s is an integer", at)
	case "boolean":
		_, ok := v.(bool)
		assert.True(t, ok, "%s is a boolean", at)
	}
	if len(s.Enum) > 0 {
		assert.Contains(t, s.Enum, v, "%s is one of the documented values", at)
	}
}

func TestStartOnlyOnLoopbackAndPortInUse(t *testing.T) {
	_, err := New(Options{Listen: "0.0.0.0:0"}).Start()
	assert.ErrorIs(t, err, ErrNotLoopback)
	_, err = New(Options{Listen: "localhost:0"}).Start()
	assert.ErrorIs(t, err, ErrNotLoopback, "a name could resolve elsewhere: an address is required")

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	_, err = New(Options{Listen: taken.Addr().String()}).Start()
	require.ErrorIs(t, err, ErrInUse)
	assert.Contains(t, err.Error(), taken.Addr().String())
	assert.Contains(t, err.Error(), "controlApi.listen")

	// A real server over real HTTP: a rebinding Host is refused there too.
	r := newRig(t, Options{Listen: "127.0.0.1:0"}, active("c2", "*43"))
	addr, err := r.srv.Start()
	require.NoError(t, err)
	defer func() { require.NoError(t, r.srv.Close()); require.NoError(t, r.srv.Close()) }()
	resp, err := http.Get("http://" + addr.String() + "/api/calls")
	require.NoError(t, err)
	var c Calls
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&c))
	resp.Body.Close()
	assert.Equal(t, "c2", c.Calls[0].ID)
	req, err := http.NewRequest("GET", "http://"+addr.String()+"/api/calls", nil)
	require.NoError(t, err)
	req.Host = "evil.example"
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 403, resp.StatusCode, buf.String())
	http.DefaultClient.CloseIdleConnections()
}
