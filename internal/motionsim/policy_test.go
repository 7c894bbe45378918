package motionsim

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
)

func TestPasswordRulesBroken(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want []string
	}{
		{"all rules kept", "Demo-Alice-1001", nil},
		{"every special accepted", "Abcdefg1~", nil},
		{"too short", "Ab1-x", []string{RuleMinLength}},
		{"no lowercase", "ABCDEFG1-", []string{RuleLower}},
		{"no uppercase", "abcdefg1-", []string{RuleUpper}},
		{"no digit", "Abcdefgh-", []string{RuleDigit}},
		{"no special", "Abcdefgh1", []string{RuleSpecial}},
		{"special outside the list", "Abcdefgh1?", []string{RuleSpecial}},
		{"empty", "", []string{RuleMinLength, RuleLower, RuleUpper, RuleDigit, RuleSpecial}},
		{"too long for bcrypt", "Aa1-" + string(make([]byte, 70)), []string{RuleMaxLength}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, passwordRulesBroken(tt.pw))
		})
	}
}

func TestCheckNewPassword(t *testing.T) {
	assert.Nil(t, checkNewPassword("New-Pass-2027", false))
	e := checkNewPassword("Demo-Alice-1001", true)
	require.NotNil(t, e)
	assert.Equal(t, http.StatusUnprocessableEntity, e.Status)
	assert.Equal(t, motion.CodePasswordRules, e.Body.Code)
	assert.Equal(t, []string{RuleNotCurrent}, e.Body.Rules)
	e = checkNewPassword("short", false)
	require.NotNil(t, e)
	assert.Contains(t, e.Body.Rules, RuleMinLength)
	assert.Contains(t, e.Body.Message, RuleMinLength)
}

func TestDecideLogin(t *testing.T) {
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	suite := settings{securitySuite: true, maxAttempts: 3, unlockAfter: 15 * time.Minute, passwordMaxAge: 90 * day}
	adminUnlock := suite
	adminUnlock.unlockAfter = 0
	noLimit := settings{passwordMaxAge: 90 * day}
	license := noLimit
	license.licenseExpiresAt = now.Add(10*day + time.Hour)
	farLicense := noLimit
	farLicense.licenseExpiresAt = now.Add(200 * day)
	ok := loginInput{now: now, found: true, passwordOK: true, changedAt: now.Add(-10 * day)}
	with := func(f func(*loginInput)) loginInput { in := ok; f(&in); return in }
	ip := func(n int) *int { return &n }

	tests := []struct {
		name         string
		set          settings
		in           loginInput
		wantStatus   int // 0: success
		wantCode     string
		wantLeft     *int
		wantUnlockAt *time.Time
		wantFailures int
		wantLocked   bool
		check        func(t *testing.T, r loginResult)
	}{
		{name: "right password", set: suite, in: ok},
		{name: "unknown name counts down like a wrong password", set: suite, in: with(func(i *loginInput) { i.found = false }),
			wantStatus: 401, wantCode: motion.CodeInvalidCredentials, wantLeft: ip(2), wantFailures: 1},
		{name: "unknown name locks like a wrong password", set: suite, in: with(func(i *loginInput) { i.found = false; i.failures = 2 }),
			wantStatus: 423, wantCode: motion.CodeAccountLocked, wantFailures: 3, wantLocked: true, wantUnlockAt: ptr(now.Add(15 * time.Minute))},
		{name: "first wrong password counts down", set: suite, in: with(func(i *loginInput) { i.passwordOK = false }),
			wantStatus: 401, wantCode: motion.CodeInvalidCredentials, wantLeft: ip(2), wantFailures: 1},
		{name: "wrong password without limit has no count", set: noLimit, in: with(func(i *loginInput) { i.passwordOK = false; i.failures = 40 }),
			wantStatus: 401, wantCode: motion.CodeInvalidCredentials, wantFailures: 41},
		{name: "last wrong password locks with unlock time", set: suite, in: with(func(i *loginInput) { i.passwordOK = false; i.failures = 2 }),
			wantStatus: 423, wantCode: motion.CodeAccountLocked, wantFailures: 3, wantLocked: true, wantUnlockAt: ptr(now.Add(15 * time.Minute))},
		{name: "lock for the administrator has no unlock time", set: adminUnlock, in: with(func(i *loginInput) { i.passwordOK = false; i.failures = 2 }),
			wantStatus: 423, wantCode: motion.CodeAccountLocked, wantFailures: 3, wantLocked: true},
		{name: "locked refuses the right password", set: suite, in: with(func(i *loginInput) { i.locked = true; i.failures = 3; i.unlockAt = now.Add(time.Minute) }),
			wantStatus: 423, wantCode: motion.CodeAccountLocked, wantFailures: 3, wantLocked: true, wantUnlockAt: ptr(now.Add(time.Minute))},
		{name: "lock expired lets in and resets", set: suite, in: with(func(i *loginInput) { i.locked = true; i.failures = 3; i.unlockAt = now }),
			wantFailures: 0},
		{name: "admin-only lock never expires", set: adminUnlock, in: with(func(i *loginInput) { i.locked = true; i.failures = 3 }),
			wantStatus: 423, wantCode: motion.CodeAccountLocked, wantFailures: 3, wantLocked: true},
		{name: "success resets failures", set: suite, in: with(func(i *loginInput) { i.failures = 2 }), wantFailures: 0},
		{name: "session exists", set: suite, in: with(func(i *loginInput) { i.conflict = true }),
			wantStatus: 409, wantCode: motion.CodeSessionExists},
		{name: "session exists, forced", set: suite, in: with(func(i *loginInput) { i.conflict = true; i.force = true }),
			check: func(t *testing.T, r loginResult) { assert.True(t, r.replace) }},
		{name: "wrong password beats session exists", set: suite, in: with(func(i *loginInput) { i.conflict = true; i.passwordOK = false }),
			wantStatus: 401, wantCode: motion.CodeInvalidCredentials, wantLeft: ip(2), wantFailures: 1},
		{name: "first login must change", set: suite, in: with(func(i *loginInput) { i.mustChange = true }),
			check: func(t *testing.T, r loginResult) { assert.True(t, r.mustChange); assert.Nil(t, r.expiresInDays) }},
		{name: "expired password must change", set: suite, in: with(func(i *loginInput) { i.changedAt = now.Add(-90 * day) }),
			check: func(t *testing.T, r loginResult) { assert.True(t, r.mustChange) }},
		{name: "expires in 15 days warns", set: suite, in: with(func(i *loginInput) { i.changedAt = now.Add(-75 * day) }),
			check: func(t *testing.T, r loginResult) {
				require.NotNil(t, r.expiresInDays)
				assert.Equal(t, 15, *r.expiresInDays)
			}},
		{name: "expires in 1 hour warns 1 day", set: suite, in: with(func(i *loginInput) { i.changedAt = now.Add(-90*day + time.Hour) }),
			check: func(t *testing.T, r loginResult) {
				require.NotNil(t, r.expiresInDays)
				assert.Equal(t, 1, *r.expiresInDays)
			}},
		{name: "expires in 16 days is quiet", set: suite, in: with(func(i *loginInput) { i.changedAt = now.Add(-74 * day) }),
			check: func(t *testing.T, r loginResult) { assert.Nil(t, r.expiresInDays); assert.False(t, r.mustChange) }},
		{name: "without the Security Suite nothing expires", set: noLimit, in: with(func(i *loginInput) { i.mustChange = true; i.changedAt = now.Add(-900 * day) }),
			check: func(t *testing.T, r loginResult) { assert.False(t, r.mustChange); assert.Nil(t, r.expiresInDays) }},
		{name: "license within 30 days", set: license, in: ok,
			check: func(t *testing.T, r loginResult) {
				require.NotNil(t, r.license)
				assert.Equal(t, 11, r.license.DaysLeft)
				assert.True(t, r.license.ExpiresAt.Equal(license.licenseExpiresAt))
			}},
		{name: "license far away is quiet", set: farLicense, in: ok,
			check: func(t *testing.T, r loginResult) { assert.Nil(t, r.license) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := decideLogin(&tt.set, tt.in)
			if tt.wantStatus == 0 {
				require.Nil(t, r.err)
			} else {
				require.NotNil(t, r.err)
				assert.Equal(t, tt.wantStatus, r.err.Status)
				assert.Equal(t, tt.wantCode, r.err.Body.Code)
				assert.Equal(t, tt.wantLeft, r.err.Body.AttemptsLeft)
				if tt.wantUnlockAt == nil {
					assert.Nil(t, r.err.Body.UnlockAt)
				} else if assert.NotNil(t, r.err.Body.UnlockAt) {
					assert.True(t, tt.wantUnlockAt.Equal(*r.err.Body.UnlockAt))
				}
				assert.NotEmpty(t, r.err.Body.Message)
			}
			assert.Equal(t, tt.wantFailures, r.failures, "failures")
			assert.Equal(t, tt.wantLocked, r.locked, "locked")
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestLockMessageSaysWhatToDo(t *testing.T) {
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	s := settings{maxAttempts: 5, unlockAfter: 15 * time.Minute}
	e := accountLocked(&s, now, now.Add(15*time.Minute))
	assert.Equal(t, "Account locked after 5 failed attempts: ask your administrator to unlock it, or wait 15 minutes.", e.Body.Message)
	e = accountLocked(&s, now, time.Time{})
	assert.Equal(t, "Account locked after 5 failed attempts: ask your administrator to unlock it.", e.Body.Message)
}

func TestSessionsConflict(t *testing.T) {
	strict := settings{}
	multi := settings{phonebarMultiLogin: true}
	for _, typ := range []string{motion.TypologyPhonebar, motion.TypologyExternal, motion.TypologyWebRTC, ""} {
		assert.True(t, strict.sessionsConflict(typ), typ)
	}
	assert.False(t, multi.sessionsConflict(motion.TypologyPhonebar))
	assert.True(t, multi.sessionsConflict(motion.TypologyWebRTC))
}
