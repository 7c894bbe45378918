package sipua

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseReplaces(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Replaces
		wantErr bool
	}{
		{name: "RFC 3891 example", in: "425928@bobster.example.org;to-tag=7743;from-tag=6472",
			want: Replaces{CallID: "425928@bobster.example.org", ToTag: "7743", FromTag: "6472"}},
		{name: "tags in any order, spaces, case", in: " abc ; FROM-TAG = f1 ;To-Tag=t1",
			want: Replaces{CallID: "abc", ToTag: "t1", FromTag: "f1"}},
		{name: "early-only", in: "abc;to-tag=t;from-tag=f;early-only",
			want: Replaces{CallID: "abc", ToTag: "t", FromTag: "f", EarlyOnly: true}},
		{name: "unknown parameter ignored", in: "abc;to-tag=t;from-tag=f;x-foo=\"bar baz\";flag",
			want: Replaces{CallID: "abc", ToTag: "t", FromTag: "f"}},
		{name: "JsSIP style Call-ID", in: "jq8c5b0v2d6f1bqk1l1e;from-tag=8l6eg2m0lf;to-tag=d2b0bd5d",
			want: Replaces{CallID: "jq8c5b0v2d6f1bqk1l1e", ToTag: "d2b0bd5d", FromTag: "8l6eg2m0lf"}},
		{name: "empty", in: "", wantErr: true},
		{name: "no tags", in: "abc", wantErr: true},
		{name: "no from-tag", in: "abc;to-tag=t", wantErr: true},
		{name: "empty tag", in: "abc;to-tag=;from-tag=f", wantErr: true},
		{name: "tag twice", in: "abc;to-tag=t;to-tag=u;from-tag=f", wantErr: true},
		{name: "bad Call-ID", in: "a b;to-tag=t;from-tag=f", wantErr: true},
		{name: "two @", in: "a@b@c;to-tag=t;from-tag=f", wantErr: true},
		{name: "bad tag character", in: "abc;to-tag=t<;from-tag=f", wantErr: true},
		{name: "early-only with a value", in: "abc;to-tag=t;from-tag=f;early-only=1", wantErr: true},
		{name: "CRLF injection", in: "abc;to-tag=t\r\nVia: x;from-tag=f", wantErr: true},
		{name: "too long", in: strings.Repeat("a", 2000) + ";to-tag=t;from-tag=f", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReplaces(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrBadReplaces)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReferTarget(t *testing.T) {
	var target sip.Uri
	require.NoError(t, sip.ParseUri("sip:1002@pbx.example.com", &target))
	tests := []struct {
		name string
		r    Replaces
		want string
	}{
		{
			name: "plain",
			r:    Replaces{CallID: "a1b2", ToTag: "t1", FromTag: "f1"},
			want: "<sip:1002@pbx.example.com?Replaces=a1b2%3Bto-tag%3Dt1%3Bfrom-tag%3Df1>",
		},
		{
			name: "Call-ID with @ and characters an URI header must escape",
			r:    Replaces{CallID: `x%y@host"<1>`, ToTag: "t-1.2", FromTag: "f!~*"},
			want: "<sip:1002@pbx.example.com?Replaces=x%25y%40host%22%3C1%3E%3Bto-tag%3Dt-1.2%3Bfrom-tag%3Df!~*>",
		},
		{
			name: "early-only",
			r:    Replaces{CallID: "c", ToTag: "t", FromTag: "f", EarlyOnly: true},
			want: "<sip:1002@pbx.example.com?Replaces=c%3Bto-tag%3Dt%3Bfrom-tag%3Df%3Bearly-only>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := referTarget(target, tt.r)
			assert.Equal(t, tt.want, got)
			uri, back, err := replacesFromReferTo(got)
			require.NoError(t, err)
			assert.Equal(t, "sip:1002@pbx.example.com", uri)
			assert.Equal(t, tt.r, back)
			// What goes on the wire is one header line that sipgo reads back whole.
			req := sip.NewRequest(sip.REFER, target)
			req.AppendHeader(sip.NewHeader("Refer-To", got))
			assert.Equal(t, "Refer-To: "+got+"\r\n", req.GetHeader("Refer-To").String()+"\r\n")
		})
	}
}

func TestReferTargetDropsTargetHeaders(t *testing.T) {
	var target sip.Uri
	require.NoError(t, sip.ParseUri("sip:1002@pbx.example.com;transport=ws?subject=hi", &target))
	got := referTarget(target, Replaces{CallID: "c", ToTag: "t", FromTag: "f"})
	assert.Equal(t, "<sip:1002@pbx.example.com;transport=ws?Replaces=c%3Bto-tag%3Dt%3Bfrom-tag%3Df>", got)
}

func TestParseSipfrag(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		code   int
		reason string
		ok     bool
	}{
		{"trying", "SIP/2.0 100 Trying", 100, "Trying", true},
		{"ok with CRLF", "SIP/2.0 200 OK\r\n", 200, "OK", true},
		{"with headers", "SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n\r\n", 486, "Busy Here", true},
		{"no reason", "SIP/2.0 603", 603, "", true},
		{"not SIP", "HTTP/1.1 200 OK", 0, "", false},
		{"empty", "", 0, "", false},
		{"bad code", "SIP/2.0 2000 OK", 0, "", false},
		{"out of range", "SIP/2.0 099 Low", 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, reason, ok := parseSipfrag([]byte(tt.body))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.reason, reason)
		})
	}
}

// FuzzParseReplaces feeds the parser what a network peer may send. Whatever it accepts must be a
// valid dialog identifier that survives the trip through a Refer-To URI header unchanged.
func FuzzParseReplaces(f *testing.F) {
	for _, s := range []string{
		"425928@bobster.example.org;to-tag=7743;from-tag=6472",
		"abc;to-tag=t;from-tag=f;early-only",
		" abc ; FROM-TAG = f1 ;To-Tag=t1;x=\"q\"",
		"a%b@c;to-tag=%;from-tag=`'~",
		"abc;to-tag=t;to-tag=u;from-tag=f",
		";;;",
	} {
		f.Add(s)
	}
	var target sip.Uri
	if err := sip.ParseUri("sip:1002@pbx.example.com", &target); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ParseReplaces(in)
		if err != nil {
			return
		}
		if r.CallID == "" || r.ToTag == "" || r.FromTag == "" {
			t.Fatalf("accepted %q without a whole dialog: %+v", in, r)
		}
		if strings.ContainsAny(r.String(), "\r\n ") {
			t.Fatalf("accepted %q with whitespace in the dialog: %+v", in, r)
		}
		again, err := ParseReplaces(r.String())
		if err != nil || again != r {
			t.Fatalf("%q: String %q reads back as %+v, %v", in, r.String(), again, err)
		}
		ref := referTarget(target, r)
		const prefix = "<sip:1002@pbx.example.com?Replaces="
		if !strings.HasPrefix(ref, prefix) || !strings.HasSuffix(ref, ">") {
			t.Fatalf("Refer-To %q", ref)
		}
		for _, c := range []byte(ref[len(prefix) : len(ref)-1]) {
			if c != '%' && !isHvalueChar(c) {
				t.Fatalf("Refer-To %q carries %q unescaped", ref, c)
			}
		}
		_, back, err := replacesFromReferTo(ref)
		if err != nil || back != r {
			t.Fatalf("Refer-To %q reads back as %+v, %v", ref, back, err)
		}
	})
}
