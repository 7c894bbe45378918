package app

import "github.com/phonebar/phonebar/internal/agent"

// This file holds the Session service's password change, forgot password, the notices of the
// login (password expiry, license), the sign-in providers and what the window logs for the tests
// and the fault figures.

// DismissNotice hides a notice for the rest of the session.
func (s *Session) DismissNotice(id string) SessionView {
	s.c.st.DismissNotice(id)
	return s.View()
}

// PasswordRules checks a candidate new password against the rules, live, for the form: the
// answer says only which rules hold, never the current password.
func (s *Session) PasswordRules(candidate string) []agent.RuleCheck {
	return s.c.st.PasswordRules(candidate)
}

// ChangePassword changes the password: the required change of a first login (or an expired
// password) or the one offered when it expires soon. current may be empty when the app holds the
// session's password (NeedCurrentPassword false). A remembered password is replaced in the
// keyring. A refused password gives PASSWORD_RULES with the rules broken.
func (s *Session) ChangePassword(current, next string) (SessionView, error) {
	return s.after(s.c.st.ChangePassword(s.c.st.Life(), current, next))
}

// ForgotPassword asks the server to email a reset link. The answer is the same whether or not the
// address is known: the window says "if the address belongs to an account, a link was sent".
func (s *Session) ForgotPassword(server, email string) error {
	return s.c.st.ForgotPassword(s.c.st.Life(), server, email)
}

// Providers lists the single sign-on providers the server at address server offers, for the login
// screen's buttons; none when it offers none, cannot be reached, or its certificate is not trusted
// yet (the buttons then stay hidden: the login form says what is wrong when it is used).
func (s *Session) Providers(server string) []string { return s.c.st.Providers(s.c.st.Life(), server) }

// UIMark logs a moment of the window (the connection banner shown or hidden) and UIState its
// published state (frontend/src/state.ts), so that tests wait for what the agent sees (station.UIMark).
func (s *Session) UIMark(what string)   { s.c.st.UIMark(what) }
func (s *Session) UIState(state string) { s.c.st.UIState(state) }
