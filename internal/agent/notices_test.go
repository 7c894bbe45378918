package agent

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestNoticesOncePerSession(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	days := 3
	license := now.Add(10 * 24 * time.Hour)
	p := Profile{PasswordExpiresInDays: &days, LicenseExpiresAt: &license}
	ids := func(ns []Notice) []string {
		out := []string{}
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}
	tests := []struct {
		name    string
		dismiss []string
		reset   bool
		want    []string
	}{
		{"both shown", nil, false, []string{NoticePasswordExpiry, NoticeLicense}},
		{"expiry dismissed", []string{NoticePasswordExpiry}, false, []string{NoticeLicense}},
		{"both dismissed", []string{NoticePasswordExpiry, NoticeLicense}, false, []string{}},
		{"a new session shows them again", []string{NoticePasswordExpiry, NoticeLicense}, true, []string{NoticePasswordExpiry, NoticeLicense}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n Notices
			for _, id := range tt.dismiss {
				n.Dismiss(id)
			}
			if tt.reset {
				n.Reset()
			}
			assert.Equal(t, tt.want, ids(n.For(p, now)))
		})
	}
	var n Notices
	got := n.For(p, now)
	assert.True(t, got[0].ChangePassword)
	assert.Equal(t, 3, got[0].Days)
	assert.Equal(t, 10, got[1].Days)
	assert.Empty(t, n.For(Profile{}, now), "nothing to say")
}
