package screenpop

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, tpl, reason string
	}{
		{"search", "https://crm.example/search?phone={callerNumber}&name={callerName}", ""},
		{"every variable", "https://crm.example:8443/a/{callerNumber}?agent={agent}&call={callId}#{callerName}", ""},
		{"no variable", "https://crm.example/new", ""},
		{"http", "http://crm.internal/?p={callerNumber}", ""},
		{"empty opens nothing", "", ""},
		{"unknown variable", "https://crm.example/?p={phone}", "unknown variable {phone}: use {callerNumber}, {callerName}, {agent}, {callId}"},
		{"open brace", "https://crm.example/?p={callerNumber", "a { without its }"},
		{"close brace", "https://crm.example/?p=callerNumber}", "a } without its {"},
		{"javascript", "javascript:alert({callerName})", "must start with https://"},
		{"file", "file:///tmp/{callerNumber}", "must start with https://"},
		{"relative", "/search?p={callerNumber}", "must start with https://"},
		{"no host", "https:///x?p={callerNumber}", "must name a host"},
		{"variable in host", "https://{callerNumber}.crm.example/", "stands in the scheme or host"},
		{"variable as host", "HTTPS://{callerName}", "stands in the scheme or host"},
		{"variable in port", "https://crm.example:{callerNumber}/", "not a URL"},
		{"variable in scheme", "{callerName}://crm.example/", "must start with https://"},
		{"user info", "https://u:p@crm.example/?p={callerNumber}", "user name or password"},
		{"space", "https://crm.example/?p={callerNumber} x", "space or a control character"},
		{"newline", "https://crm.example/?p={callerNumber}\n", "space or a control character"},
		{"too long", "https://crm.example/?" + strings.Repeat("a", MaxTemplate), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Parse(tt.tpl)
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.tpl == "", tpl.IsZero())
				return
			}
			require.ErrorIs(t, err, ErrTemplate)
			assert.Contains(t, err.Error(), tt.reason)
		})
	}
}

func TestExpandEscapesEveryValue(t *testing.T) {
	tpl, err := Parse("https://crm.example/c/{callId}/search?phone={callerNumber}&name={callerName}&agent={agent}")
	require.NoError(t, err)
	hostile := Vars{
		CallerNumber: "+39 06&admin=1#x",
		CallerName:   "Dé <script>?a=b/../",
		Agent:        "alice@x",
		CallID:       "../../evil.example/",
	}
	got := tpl.Expand(hostile)
	u, err := url.Parse(got)
	require.NoError(t, err)
	assert.Equal(t, "crm.example", u.Host, "no value moves the page to another host")
	assert.Equal(t, "https", u.Scheme)
	assert.Empty(t, u.Fragment, "a # in a value stays in its value")
	q := u.Query()
	assert.Equal(t, []string{"+39 06&admin=1#x"}, q["phone"], "each value comes back whole")
	assert.Equal(t, []string{"Dé <script>?a=b/../"}, q["name"])
	assert.Equal(t, []string{"alice@x"}, q["agent"])
	assert.Len(t, q, 3, "no parameter smuggled in")
	assert.Equal(t, "/c/..%2F..%2Fevil.example%2F/search", u.EscapedPath(), "a value cannot climb the path")
	assert.Equal(t, "", Template{}.Expand(hostile), "the zero template opens nothing")
}

func TestCallerNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sip:+3906123@pbx.example", "+3906123"},
		{"SIPS:1001@pbx.example;transport=wss", "1001"},
		{`"Customer" <sip:0612@pbx.example>`, "0612"},
		{"tel:+3906123", "+3906123"},
		{"+3906123", "+3906123"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) { assert.Equal(t, tt.want, CallerNumber(tt.in)) })
	}
}

func TestCheckOpen(t *testing.T) {
	for _, ok := range []string{"", OpenBrowser, OpenOmni} {
		assert.NoError(t, CheckOpen(ok), ok)
	}
	err := CheckOpen("tab")
	require.ErrorIs(t, err, ErrTemplate)
	assert.Contains(t, err.Error(), `must be "browser" (the system's web browser) or "omni" (the Omni Desktop window)`)
}

func FuzzExpand(f *testing.F) {
	f.Add("+3906123", "Name")
	f.Add("&x=1#", "</a>")
	tpl, err := Parse("https://crm.example/search?phone={callerNumber}&name={callerName}")
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, number, name string) {
		u, err := url.Parse(tpl.Expand(Vars{CallerNumber: number, CallerName: name}))
		require.NoError(t, err)
		assert.Equal(t, "crm.example", u.Host)
		assert.Equal(t, "/search", u.Path)
		assert.Empty(t, u.Fragment)
		assert.Len(t, u.Query(), 2)
	})
}
