package station

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/rtc"
)

func TestCallerOf(t *testing.T) {
	tests := []struct {
		name, remote, remoteName, want string
	}{
		{"name and number", "sip:+390212345678@127.0.0.1", "Dana Customer", "Dana Customer (+390212345678)"},
		{"number alone", "sip:+390212345678@pbx.example.com;transport=ws", "", "+390212345678"},
		{"a name that is the number", "sips:1002@pbx", "1002", "1002"},
		{"no user part", "sip:pbx.example.com", "", "pbx.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, CallerOf(desk.CallView{Remote: tt.remote, RemoteName: tt.remoteName}))
		})
	}
}

func TestCallViewOf(t *testing.T) {
	held := time.UnixMilli(1_700_000_000_000)
	tests := []struct {
		name  string
		in    desk.CallView
		check func(t *testing.T, v CallView)
	}{
		{"consultation and hold time", desk.CallView{ID: "dial-3", State: phone.StateHeld, ConsultFor: "c1", HeldSince: held}, func(t *testing.T, v CallView) {
			assert.Equal(t, "dial-3", v.ID)
			assert.Equal(t, "c1", v.ConsultFor)
			assert.Equal(t, held.UnixMilli(), v.HeldAt)
			assert.Empty(t, v.Notice)
		}},
		{"not held", desk.CallView{State: phone.StateActive}, func(t *testing.T, v CallView) { assert.Zero(t, v.HeldAt) }},
		{"no audio says why", desk.CallView{State: phone.StateActive, MediaErr: rtc.ErrICEFailed}, func(t *testing.T, v CallView) {
			assert.Equal(t, "warning", v.NoticeKind)
			assert.NotEmpty(t, v.Notice)
		}},
		{"moved is news", desk.CallView{State: phone.StateActive, Moved: true}, func(t *testing.T, v CallView) {
			assert.Equal(t, "info", v.NoticeKind)
			assert.Contains(t, v.Notice, "new one")
		}},
		{"audio that could not follow a new address", desk.CallView{State: phone.StateActive, MoveErr: fmt.Errorf("%w: %w", phone.ErrMediaNotMoved, errors.New("488"))}, func(t *testing.T, v CallView) {
			assert.Equal(t, "warning", v.NoticeKind)
			assert.Equal(t, problem.Of(phone.ErrMediaNotMoved).Message, v.Notice)
			assert.Contains(t, v.Notice, "Hang up and call again")
		}},
		{"not moved outweighs no audio", desk.CallView{State: phone.StateActive, MediaErr: rtc.ErrNoRTP, MoveErr: errors.New("refused")}, func(t *testing.T, v CallView) {
			assert.Equal(t, "warning", v.NoticeKind)
			assert.Equal(t, notMoved, v.Notice)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, CallViewOf(tt.in)) })
	}
}
