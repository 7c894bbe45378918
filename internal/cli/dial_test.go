package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/instance"
)

// TestDial hands numbers to a running instance (a real channel, with a stand-in window that
// answers) and checks what the terminal says and the exit status.
func TestDial(t *testing.T) {
	where := instance.Options{Dir: filepath.Join(t.TempDir(), "run")}
	require.NoError(t, os.Mkdir(where.Dir, 0o700))
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := dial(context.Background(), args, Stdio{Out: &out, Err: &errb}, where)
		return code, out.String(), errb.String()
	}

	code, _, stderr := run("+39 06 123")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "No Phonebar window is running for you: start the Phonebar")

	srv, err := instance.Claim(where)
	require.NoError(t, err)
	defer srv.Close()
	got := make(chan instance.Request, 8)
	srv.Serve(func(r instance.Request) instance.Reply {
		got <- r
		if r.Dial == "*44" {
			return instance.Reply{Code: "NOT_REGISTERED", Message: "Not dialled: *44 because the phone is not registered (registering): wait for the green dot, then try again."}
		}
		return instance.Reply{OK: true, Message: "Dialling " + r.Dial + ".", CallID: "c-1"}
	})

	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
		sent           string
	}{
		{"number", []string{"+39 06 123"}, 0, "Dialling +39 06 123.\n", "", "+39 06 123"},
		{"tel link", []string{"tel:+3906123"}, 0, "Dialling tel:+3906123.\n", "", "tel:+3906123"},
		{"sip address", []string{"sip:1001@pbx.example.com"}, 0, "Dialling sip:1001@pbx.example.com.\n", "", "sip:1001@pbx.example.com"},
		{"not registered", []string{"*44"}, 1, "", "phonebar dial: Not dialled: *44 because the phone is not registered (registering): wait for the green dot, then try again.\n", "*44"},
		{"letters", []string{"1800FLOWERS"}, 2, "", "phonebar dial: \"1800FLOWERS\" is not dialled: a number must not contain letters: only digits, a leading +, * and #\n", ""},
		{"control characters", []string{"tel:123%0aBYE"}, 2, "", "control characters", ""},
		{"another scheme", []string{"http://evil.example/"}, 2, "", `"http" links are not dialled`, ""},
		{"no number", nil, 2, "", "give one number or link", ""},
		{"two numbers", []string{"1", "2"}, 2, "", "give one number or link", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(tt.args...)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.stdout, stdout)
			assert.Contains(t, stderr, tt.stderr)
			if tt.sent == "" {
				assert.Empty(t, got, "nothing is sent for bad input")
				return
			}
			r := <-got
			assert.Equal(t, instance.Request{Dial: tt.sent}, r, "dial does not pull the window to the front")
		})
	}

	code, stdout, _ := run("--json", "tel:*43")
	<-got
	assert.Equal(t, 0, code)
	var res dialResult
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Equal(t, dialResult{OK: true, Target: "*43", CallID: "c-1", Message: "Dialling tel:*43."}, res)
}
