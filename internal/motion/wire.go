package motion

// This file is the one place that holds the wire details of the Motion API that are not public
// (marked [ours] in the project's notes). When a real server is found to differ, correct it here:
// the demo server (internal/motionsim) speaks the same constants and types, so both move together.

import "time"

// HTTP paths of the Motion server.
const (
	// PathAuthLocal takes a JSON LoginRequest and answers a LoginResponse. [seen, unconfirmed]
	PathAuthLocal = "/api/auth/local"
	// PathLogin takes HTTP Basic credentials and answers a LoginResponse. [ours]
	PathLogin = "/api/login"
	// PathLogout ends the session of the bearer token. [ours]
	PathLogout = "/api/auth/logout"
	// PathWhoami answers the current User. [ours]
	PathWhoami = "/api/users/whoami"
	// PathUsers answers a UserList. [seen]
	PathUsers = "/api/users"
	// PathChangePassword takes a ChangePasswordRequest (PUT). [ours]
	PathChangePassword = "/api/users/password"
	// PathForgotPassword takes a ForgotPasswordRequest (POST) and always answers 202. [ours]
	PathForgotPassword = "/api/auth/forgot"
	// PathPhones lists the hot-desk telephones (GET, PhoneList). [ours]
	PathPhones = "/api/phones"
	// PathRealtime is the realtime WebSocket; the client authenticates with the bearer token
	// (Authorization header) or, in a browser, with the token cookie. [ours]
	PathRealtime = "/api/realtime"
	// PathWebLogin is the Omni Desktop login page, for every role. [doc]
	PathWebLogin = "/login"
	// PathWebDesktop is where the Omni Desktop lands after login. [ours]
	PathWebDesktop = "/desktop"

	// PathAuthProviders answers the single sign-on providers the administrator enabled
	// (GET, ProvidersResponse), without authentication, so that a login screen can show the
	// buttons before anyone logs in. An empty list: no buttons. [ours]
	PathAuthProviders = "/api/auth/providers"
	// PathAuthSSO exchanges the one-time code of a finished provider sign-in for a session (POST,
	// SSOLoginRequest → LoginResponse, with the same errors as PathAuthLocal). [ours]
	PathAuthSSO = "/api/auth/sso"
	// PathSSOAuthorizePrefix + provider + PathSSOAuthorizeSuffix is the provider's sign-in page,
	// opened in a window (GET, query QueryClient and optional QueryState). It ends, once the agent
	// signed in, at PathSSOCallback?code=CODE&state=STATE. [ours]
	PathSSOAuthorizePrefix = "/sso/"
	PathSSOAuthorizeSuffix = "/authorize"
	// PathSSOCallback is where a provider sign-in ends; its QueryCode parameter is good once, for
	// two minutes, at PathAuthSSO. For ClientWeb the page logs the browser in itself. [ours]
	PathSSOCallback = "/sso/callback"
	// PathAuthWebCode gives the logged-in caller (Bearer) a one-time code, good once for two
	// minutes at PathSSOCallback, that logs a browser in as the same user (POST, no body,
	// WebCodeResponse). The Phonebar opens the Omni Desktop this way for an agent who signed in
	// with a provider. [ours]
	PathAuthWebCode = "/api/auth/webcode"
	// PathAgentStatus is the agent's own availability in the session (GET, or PUT with
	// AgentStatusRequest; AgentStatus): ready to take contacts, or not ready (paused). A new
	// session starts paused (not ready, no pause type) unless the administrator turned "log in
	// paused" off, then ready. A pause may name one of the PathPauseTypes (AgentStatusRequest.
	// PauseTypeID; an unknown one is 400 BAD_REQUEST). [ours]
	PathAgentStatus = "/api/agent/status"
	// PathPauseTypes lists the pause types the administrator defined, the reasons an agent gives
	// for not being ready (GET, PauseTypeList), to any logged-in user. [ours: the real server has
	// pause types, doc; their route and shape are not public]
	PathPauseTypes = "/api/agent/pausetypes"
	// PathAgentLine changes where the calls of an external agent without Hot Desk ring, for the
	// rest of the session (PUT with AgentLineRequest; 204): what LoginRequest.Line chose at login.
	// 400 BAD_REQUEST for another agent or an unknown line. [ours]
	PathAgentLine = "/api/agent/line"
	// PathResetPassword takes a ResetPasswordRequest (POST): the token of a forgot-password link
	// and the new password; 204, 422 PASSWORD_RULES, or 400 BAD_REQUEST when the link is unknown,
	// used or older than one hour. The link in the message is PathWebResetPassword?token=TOKEN. [ours]
	PathResetPassword = "/api/auth/reset"
	// PathWebResetPassword is the page a forgot-password link opens. [ours]
	PathWebResetPassword = "/reset-password"

	// Administration of the demo server (the real one has its own admin GUI): every route needs
	// an admin user (Bearer token, Basic or apikey), else 403 FORBIDDEN. [ours]
	// PathAdminSettings: GET the settings, PUT some of them (JSON object with only the keys to change).
	PathAdminSettings = "/api/admin/settings"
	// PathAdminUsers: GET the users with their security state. PathAdminUsers + "/" + NAME: PUT
	// some of a user's fields; + "/" + NAME + "/unlock": POST unlocks the account.
	PathAdminUsers = "/api/admin/users"
	// PathAdminPhones: GET every hot-desk telephone with its state; PathAdminPhones + "/" + NAME:
	// PUT registered and busy.
	PathAdminPhones = "/api/admin/phones"
	// PathAdminOutbox: GET the messages the server "sent" (forgot password), newest last.
	PathAdminOutbox = "/api/admin/outbox"
	// PathAdminCalls: GET the demo PBX's calls (live first, then the latest ended) and its
	// registrations; POST {"agent": NAME or EXTENSION, "seconds": N} makes the PBX ring that webrtc
	// agent's softphone as a customer would: 202 with the call, ringing; 404 NOT_FOUND for an unknown
	// agent; 409 NOT_REGISTERED when the agent is not a webrtc agent or its softphone is not
	// registered. [ours]
	PathAdminCalls = "/api/admin/calls"
	// PathWebAdmin is the administrator's page (log in through PathWebLogin as an admin).
	PathWebAdmin = "/admin"
)

// Single sign-on providers (PathAuthProviders, ProvidersResponse). [doc names, ours spelling]
const (
	ProviderGoogle          = "google"
	ProviderActiveDirectory = "activedirectory"
)

// ProviderLabels are the names people know the single sign-on providers by.
var ProviderLabels = map[string]string{
	ProviderGoogle:          "Google",
	ProviderActiveDirectory: "Active Directory",
}

// Query parameters of the single sign-on pages. [ours]
const (
	QueryState = "state"
	QueryCode  = "code"
)

// External agents without Hot Desk choose which of their numbers the calls go to (LoginRequest.Line).
// [doc choices, ours spelling]
const (
	LineInternal = "internal" // the extension (User.Internal); the default
	LinePhone    = "phone"    // the agent's telephone number
	LineMobile   = "mobile"   // the agent's mobile number
)

// AgentLineRequest is the body of PathAgentLine: LineInternal, LinePhone or LineMobile. [ours]
type AgentLineRequest struct {
	Line string `json:"line"`
}

// TokenCookie is the cookie in which the web pages keep the session token (Secure). [ours]
const TokenCookie = "token"

// Client kinds: a session belongs to a Phonebar or to a web (Omni Desktop) client. A second login of
// the same user and the same client kind is a conflict (409 SESSION_EXISTS) unless forced. [ours]
const (
	ClientPhonebar = "phonebar"
	ClientWeb      = "web"
)

// Agent typologies. [doc values, ours spelling]
const (
	TypologyPhonebar = "phonebar"
	TypologyExternal = "external"
	TypologyWebRTC   = "webrtc"
	TypologyMobile   = "mobile"
)

// Roles. [seen]
const (
	RoleAgent = "agent"
	RoleAdmin = "admin"
	RoleUser  = "user"
)

// Error codes carried in ErrorBody.Code. [ours]
const (
	CodeInvalidCredentials = "INVALID_CREDENTIALS" // 401
	CodeAccountLocked      = "ACCOUNT_LOCKED"      // 423
	CodeSessionExists      = "SESSION_EXISTS"      // 409
	CodePasswordRules      = "PASSWORD_RULES"      // 422
	CodePasswordExpired    = "PASSWORD_EXPIRED"    // 403, only on routes other than password change
	CodeBadRequest         = "BAD_REQUEST"         // 400
	CodeUnauthorized       = "UNAUTHORIZED"        // 401, missing or expired token
	CodeNotFound           = "NOT_FOUND"           // 404
	CodeSessionEnded       = "SESSION_ENDED"       // 401, the session was replaced or timed out
	CodeForbidden          = "FORBIDDEN"           // 403, the user's role may not use the route [ours]
	CodeMethodNotAllowed   = "METHOD_NOT_ALLOWED"  // 405, the path exists for other methods [ours]
	// CodePhoneRequired (428) answers the login of a hot-desk agent that names no LoginRequest.Phone:
	// the password was right; list the telephones with GET PathPhones (Basic credentials of the
	// same login) and log in again with one. [ours]
	CodePhoneRequired = "PHONE_REQUIRED"
	// CodePhoneUnavailable (409) answers a login whose LoginRequest.Phone was taken, or went
	// unregistered, since the list was read: list again. [ours]
	CodePhoneUnavailable = "PHONE_UNAVAILABLE"
	// CodeNotRegistered (409) answers PathAdminCalls for an agent whose softphone is not registered
	// to the demo PBX. [ours]
	CodeNotRegistered = "NOT_REGISTERED"
	// CodePasswordChanged ends the other sessions of a user whose password was changed or reset
	// (EventLogout.Reason and the 401 of their token), and answers (409) a password change that
	// lost a race with another one. [ours]
	CodePasswordChanged = "PASSWORD_CHANGED"
)

// Query parameters of PathLogin, whose credentials come in the Basic header: QueryForce=true ends an
// existing session of the same client kind (as LoginRequest.Force), QueryClient is ClientPhonebar or
// ClientWeb (as LoginRequest.Client). [ours]
const (
	QueryForce  = "force"
	QueryClient = "client"
)

// One phone per agent [ours]: how the Phonebar tells an Omni Desktop page that the Phonebar's own
// softphone is the agent's phone, so that the page must not register the agent's SIP account itself.
// Any one of these is enough; the page says which is the phone ("Phone: Phonebar app").
const (
	// PhoneOwnerCookie set to "1" on the Motion origin (path /) before the Omni Desktop loads.
	PhoneOwnerCookie = "phonebar-phone"
	// PhoneOwnerFlag is a window property, set to true by a script that runs before the page's own.
	PhoneOwnerFlag = "phonebarOwnsPhone"
	// PhoneOwnerEvent is a DOM event dispatched on window by a script injected after the page
	// started (as WebKit's OnDomReady does); the page then stops its own phone.
	PhoneOwnerEvent = "phonebar:owns-phone"
)

// UnknownAuthorizationFormat is the message of the 401 answered to an Authorization header that is
// neither Basic nor Bearer. [doc message, ours trigger]
const UnknownAuthorizationFormat = "Unknown authorization format"

// LoginRequest is the body of POST PathAuthLocal.
type LoginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	// Force ends an existing session of the same client kind. [ours]
	Force bool `json:"force,omitempty"`
	// Client is ClientPhonebar or ClientWeb; empty means ClientPhonebar. [ours]
	Client string `json:"client,omitempty"`
	// Phone is the hot-desk telephone chosen by an external agent. [ours]
	Phone string `json:"phone,omitempty"`
	// Line is the choice of an external agent without Hot Desk: LineInternal, LinePhone or
	// LineMobile; empty means LineInternal. Refused (400) for other agents. [ours]
	Line string `json:"line,omitempty"`
}

// ProvidersResponse answers PathAuthProviders. [ours]
type ProvidersResponse struct {
	// Providers are ProviderGoogle and/or ProviderActiveDirectory, in the administrator's order.
	Providers []string `json:"providers"`
}

// SSOLoginRequest is the body of POST PathAuthSSO. [ours]
type SSOLoginRequest struct {
	// Code is the QueryCode of PathSSOCallback.
	Code string `json:"code"`
	// Force, Client, Phone and Line mean what they mean in LoginRequest.
	Force  bool   `json:"force,omitempty"`
	Client string `json:"client,omitempty"`
	Phone  string `json:"phone,omitempty"`
	Line   string `json:"line,omitempty"`
}

// AgentStatusRequest is the body of PUT PathAgentStatus. [ours]
type AgentStatusRequest struct {
	Ready bool `json:"ready"`
	// PauseTypeID is the PauseType.ID of a pause (Ready false); 0: a pause without a reason.
	// Must be 0 with Ready true.
	PauseTypeID int `json:"pauseTypeId,omitempty"`
}

// AgentStatus answers PathAgentStatus. [ours]
type AgentStatus struct {
	Ready bool `json:"ready"`
	// PauseType is the reason of a pause; nil when ready, or paused without a reason.
	PauseType *PauseType `json:"pauseType,omitempty"`
	// Since is when the status last changed (the login for a session whose status never changed).
	Since time.Time `json:"since"`
	// LoggedInAt is when the session began; zero from a server that does not say.
	LoggedInAt time.Time `json:"loggedInAt"`
}

// PauseType is one reason an agent may give for a pause ("Lunch", "Training"). [doc concept, ours
// shape]
type PauseType struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// PauseTypeList answers PathPauseTypes, in the administrator's order. [ours]
type PauseTypeList struct {
	Count int         `json:"count"`
	Rows  []PauseType `json:"rows"`
}

// WebCodeResponse answers PathAuthWebCode. [ours]
type WebCodeResponse struct {
	Code string `json:"code"`
}

// ResetPasswordRequest is the body of POST PathResetPassword. [ours]
type ResetPasswordRequest struct {
	Token       string `json:"token"`
	NewPassword string `json:"newPassword"`
}

// LoginResponse answers a successful login.
type LoginResponse struct {
	Token string `json:"token"`
	User  User   `json:"user"`
	// MustChangePassword is set at first login under the Security Suite, or when the password
	// expired: the token is then only good for PathChangePassword. [ours]
	MustChangePassword bool `json:"mustChangePassword,omitempty"`
	// PasswordExpiresInDays is set when the password expires within 15 days. [ours]
	PasswordExpiresInDays *int `json:"passwordExpiresInDays,omitempty"`
	// License is set when the license expires soon. [ours]
	License *License `json:"license,omitempty"`
}

// License tells when the server's license expires.
type License struct {
	ExpiresAt time.Time `json:"expiresAt"`
	DaysLeft  int       `json:"daysLeft"`
}

// User is a Motion user as the API returns it. [seen/doc fields; ours for Typology and SIP]
type User struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	Fullname string `json:"fullname"`
	Email    string `json:"email,omitempty"`
	Role     string `json:"role"`
	Typology string `json:"typology,omitempty"`
	Internal string `json:"internal,omitempty"`
	// PhoneNumber and MobileNumber are the numbers LinePhone and LineMobile ring, for external
	// agents (empty: none set). [ours: names]
	PhoneNumber  string `json:"phoneNumber,omitempty"`
	MobileNumber string `json:"mobileNumber,omitempty"`
	// SIP is present for WebRTC agents on PathWhoami only. [ours]
	SIP *SIPAccount `json:"sip,omitempty"`
	// RemoteControl says the administrator turned the Phonebar's local control API on for this
	// agent ("Remote Control" [doc]); on PathWhoami only. [ours: field name and place]
	RemoteControl bool `json:"remoteControl,omitempty"`
}

// SIPAccount is what a WebRTC agent needs to register its softphone. Password is a secret. [ours]
type SIPAccount struct {
	Username   string      `json:"username"`
	AuthUser   string      `json:"authUser,omitempty"`
	Password   string      `json:"password"`
	Domain     string      `json:"domain"`
	WSURI      string      `json:"wsUri"`
	ICEServers []ICEServer `json:"iceServers,omitempty"`
}

// ICEServer is one STUN or TURN server, in the shape of the WebRTC RTCIceServer dictionary.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// UserList is the answer of PathUsers. [seen]
type UserList struct {
	Count int    `json:"count"`
	Rows  []User `json:"rows"`
}

// ErrorBody is the JSON body of every error answer. Real servers may send only Message. [ours]
type ErrorBody struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
	// AttemptsLeft is set on INVALID_CREDENTIALS when a lockout limit is configured.
	AttemptsLeft *int `json:"attemptsLeft,omitempty"`
	// UnlockAt is set on ACCOUNT_LOCKED when the account unlocks by itself; absent when only an
	// administrator can unlock it.
	UnlockAt *time.Time `json:"unlockAt,omitempty"`
	// Rules lists the password rules broken, on PASSWORD_RULES.
	Rules []string `json:"rules,omitempty"`
}

// ChangePasswordRequest is the body of PUT PathChangePassword.
type ChangePasswordRequest struct {
	OldPassword string `json:"oldPassword"`
	NewPassword string `json:"newPassword"`
}

// ForgotPasswordRequest is the body of POST PathForgotPassword.
type ForgotPasswordRequest struct {
	Email string `json:"email"`
}

// Phone is a hot-desk telephone. [ours]
type Phone struct {
	Name       string `json:"name"`
	Registered bool   `json:"registered"`
	InUse      bool   `json:"inUse"`
}

// PhoneList is the answer of PathPhones: only the telephones an agent may pick.
type PhoneList struct {
	Count int     `json:"count"`
	Rows  []Phone `json:"rows"`
}

// Realtime event types, sent by the server as JSON text messages on PathRealtime. [ours]
const (
	// EventHello is the first message: the session is live; HeartbeatMS says how often to expect
	// EventHeartbeat. A client that hears nothing for three intervals treats the socket as dropped.
	EventHello = "hello"
	// EventHeartbeat is sent every HeartbeatMS.
	EventHeartbeat = "heartbeat"
	// EventLogout ends the session: Reason is one of the Code constants (SESSION_EXISTS when
	// someone logged in with the same credentials, SESSION_ENDED on disconnection timeout,
	// PASSWORD_CHANGED when another session changed the password), with a Message to show.
	EventLogout = "logout"
)

// Event is one realtime message.
type Event struct {
	Type        string `json:"type"`
	HeartbeatMS int    `json:"heartbeatMs,omitempty"`
	Reason      string `json:"reason,omitempty"`
	Message     string `json:"message,omitempty"`
}
