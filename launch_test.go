package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/instance"
)

// TestLaterStartHandsOver: with a Phonebar running for this user, `phonebar LINK` and a plain
// `phonebar` hand over to it and end with what it answered; a link is never taken for a command.
func TestLaterStartHandsOver(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	srv, err := instance.Claim(instance.Options{})
	require.NoError(t, err)
	defer srv.Close()
	got := make(chan instance.Request, 4)
	srv.Serve(func(r instance.Request) instance.Reply {
		got <- r
		switch r.Dial {
		case "":
			return instance.Reply{OK: true, Message: "The Phonebar is already running."}
		case "tel:1800FLOWERS":
			return instance.Reply{Code: "BAD_TARGET", Message: `Not dialled: "tel:1800FLOWERS" is refused: a number must not contain letters.`}
		}
		return instance.Reply{OK: true, Message: "Dialling *43."}
	})

	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string
		sent     instance.Request
	}{
		{"link", []string{"tel:*43"}, 0, "phonebar: Dialling *43.\n", "", instance.Request{Dial: "tel:*43", Show: true}},
		{"link in capitals", []string{"CALLTO:*43"}, 0, "phonebar: Dialling *43.\n", "", instance.Request{Dial: "CALLTO:*43", Show: true}},
		{"refused link", []string{"tel:1800FLOWERS"}, 1, "", "phonebar: Not dialled: \"tel:1800FLOWERS\" is refused: a number must not contain letters.\n", instance.Request{Dial: "tel:1800FLOWERS", Show: true}},
		{"no link", nil, 0, "phonebar: The Phonebar is already running.\n", "", instance.Request{Show: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runArgs(tt.args...)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.out, out)
			assert.Equal(t, tt.err, errOut)
			select {
			case r := <-got:
				assert.Equal(t, tt.sent, r)
			case <-time.After(10 * time.Second):
				t.Errorf("the running instance got nothing; want %+v", tt.sent)
			}
		})
	}
	code, _, errOut := runArgs("tel:1", "tel:2")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unexpected argument "tel:1"`)
	assert.Empty(t, got, "nothing handed over")
}
