package problem

// Code is the machine word of a problem: the window branches on it, and `--json` output of the
// command line carries it. It never changes for the same situation.
type Code string

// The codes. SIP refusals are "SIP_" and the status ("SIP_486"): see SIPCode.
const (
	// Login and session (the Motion server's answers).
	CodeInvalidCredentials    Code = "INVALID_CREDENTIALS"
	CodeAccountLocked         Code = "ACCOUNT_LOCKED"
	CodeSessionExists         Code = "SESSION_EXISTS"
	CodePasswordRules         Code = "PASSWORD_RULES"
	CodePasswordExpired       Code = "PASSWORD_EXPIRED"
	CodeSessionEnded          Code = "SESSION_ENDED"
	CodeUnauthorized          Code = "UNAUTHORIZED"
	CodePhoneRequired         Code = "PHONE_REQUIRED"
	CodePhoneUnavailable      Code = "PHONE_UNAVAILABLE"
	CodeUnknownAuthFormat     Code = "UNKNOWN_AUTHORIZATION_FORMAT"
	CodeServerError           Code = "SERVER_ERROR"
	CodeServerRefused         Code = "SERVER_REFUSED"
	CodeNotMotion             Code = "NOT_MOTION"
	CodeMissingCredentials    Code = "MISSING_CREDENTIALS"
	CodeMissing               Code = "MISSING"
	CodeBusy                  Code = "BUSY"
	CodeBadEmail              Code = "BAD_EMAIL"
	CodeNotLoggedIn           Code = "NOT_LOGGED_IN"
	CodeNoSavedLogin          Code = "NO_SAVED_LOGIN"
	CodeNoSavedPassword       Code = "NO_SAVED_PASSWORD"
	CodeSavedPasswordRejected Code = "SAVED_PASSWORD_REJECTED"
	CodeMicrophoneNeeded      Code = "MICROPHONE_NEEDED"
	// CodeUnknownPauseType: a pause names a pause type the server does not have.
	CodeUnknownPauseType Code = "UNKNOWN_PAUSE_TYPE"
	CodeSignInCancelled  Code = "SIGN_IN_CANCELLED"
	CodeSignInFailed     Code = "SIGN_IN_FAILED"

	// Addresses, network and certificates.
	CodeBadURL               Code = "BAD_URL"
	CodeNotHTTPS             Code = "NOT_HTTPS"
	CodeUnreachable          Code = "UNREACHABLE"
	CodeTimeout              Code = "TIMEOUT"
	CodeBadFingerprint       Code = "BAD_FINGERPRINT"
	CodeUntrustedCertificate Code = "UNTRUSTED_CERTIFICATE"
	// CodeCertificateMismatch: a pinned server now shows another certificate (the command line
	// said CERTIFICATE_CHANGED before this vocabulary was one).
	CodeCertificateMismatch Code = "CERTIFICATE_MISMATCH"

	// This computer: keyring, settings, history, sound.
	CodeKeyringUnavailable Code = "KEYRING_UNAVAILABLE"
	// CodeKeyringTimeout: the keyring did not answer in time (a frozen Secret Service).
	CodeKeyringTimeout  Code = "KEYRING_TIMEOUT"
	CodePasswordTooLong Code = "PASSWORD_TOO_LONG"
	// The settings file: damaged (kept, never written over), unreadable, or locked by another
	// process for too long.
	CodeSettingsDamaged    Code = "SETTINGS_DAMAGED"
	CodeSettingsUnreadable Code = "SETTINGS_UNREADABLE"
	CodeSettingsLocked     Code = "SETTINGS_LOCKED"
	CodeHistoryDamaged     Code = "HISTORY_DAMAGED"
	CodeNoSoundSystem      Code = "NO_SOUND_SYSTEM"
	CodeNoSuchDevice       Code = "NO_SUCH_DEVICE"
	CodeCallDevice         Code = "CALL_DEVICE"
	CodeMicCheckFailed     Code = "MIC_CHECK_FAILED"
	CodePlaybackFailed     Code = "PLAYBACK_FAILED"

	// The phone and its calls.
	CodeNoPhone   Code = "NO_PHONE"
	CodeNoCall    Code = "NO_CALL"
	CodeCallState Code = "CALL_STATE"
	// CodeCallChangeRefused: a hold or resume did not happen; the call goes on as it was.
	CodeCallChangeRefused Code = "CALL_CHANGE_REFUSED"
	CodeNotRegistered     Code = "NOT_REGISTERED"
	CodeConnectFailed     Code = "CONNECT_FAILED"
	// CodeInsecureSIP: the server handed out a plain ws:// SIP address the settings do not allow.
	CodeInsecureSIP         Code = "INSECURE_SIP_WS"
	CodeNoCommonCodec       Code = "NO_COMMON_CODEC"
	CodeNoRelay             Code = "NO_RELAY"
	CodeBadTarget           Code = "BAD_TARGET"
	CodeBadAccount          Code = "BAD_ACCOUNT"
	CodeBadDTMF             Code = "BAD_DTMF"
	CodeTransferSameCall    Code = "TRANSFER_SAME_CALL"
	CodeTransferNotReady    Code = "TRANSFER_NOT_READY"
	CodeTransferFailed      Code = "TRANSFER_FAILED"
	CodeTransferUnconfirmed Code = "TRANSFER_UNCONFIRMED"
	CodeTransferAbandoned   Code = "TRANSFER_ABANDONED"
	CodeCallFailed          Code = "CALL_FAILED"
	// Why a call's audio does not arrive, by the first step that failed: this computer had no
	// address for the media, ICE found no pair of addresses, DTLS failed, or no RTP came.
	CodeNoLocalCandidate Code = "NO_LOCAL_CANDIDATE"
	CodeICEFailed        Code = "ICE_FAILED"
	CodeDTLSFailed       Code = "DTLS_FAILED"
	CodeNoAudio          Code = "NO_AUDIO"
	// CodeMediaNotMoved: the network changed under a call and its audio could not follow to the
	// new address (the ICE restart was refused or failed); the call is still up, silent.
	CodeMediaNotMoved Code = "MEDIA_NOT_MOVED"

	// The diagnostics bundle: its file exists and replacing it was not asked for, or it could not
	// be written.
	CodeFileExists  Code = "FILE_EXISTS"
	CodeWriteFailed Code = "WRITE_FAILED"

	// Anything else.
	CodeUsage    Code = "USAGE"
	CodeCanceled Code = "CANCELED"
	CodeInternal Code = "INTERNAL"

	// CodeNotRunning: `phonebar dial` found no Phonebar window of this user to hand the number to.
	CodeNotRunning Code = "NOT_RUNNING"
)

// all lists every code, in the order above (SIP_nnn aside): the TypeScript union is made from it.
var all = []Code{
	CodeInvalidCredentials, CodeAccountLocked, CodeSessionExists, CodePasswordRules, CodePasswordExpired,
	CodeSessionEnded, CodeUnauthorized, CodePhoneRequired, CodePhoneUnavailable, CodeUnknownAuthFormat,
	CodeServerError, CodeServerRefused, CodeNotMotion, CodeMissingCredentials, CodeMissing, CodeBusy,
	CodeBadEmail, CodeNotLoggedIn, CodeNoSavedLogin, CodeNoSavedPassword, CodeSavedPasswordRejected,
	CodeMicrophoneNeeded, CodeUnknownPauseType, CodeSignInCancelled, CodeSignInFailed,
	CodeBadURL, CodeNotHTTPS, CodeUnreachable, CodeTimeout, CodeBadFingerprint, CodeUntrustedCertificate,
	CodeCertificateMismatch,
	CodeKeyringUnavailable, CodeKeyringTimeout, CodePasswordTooLong, CodeSettingsDamaged, CodeSettingsUnreadable,
	CodeSettingsLocked, CodeHistoryDamaged,
	CodeNoSoundSystem, CodeNoSuchDevice, CodeCallDevice, CodeMicCheckFailed, CodePlaybackFailed,
	CodeNoPhone, CodeNoCall, CodeCallState, CodeCallChangeRefused, CodeNotRegistered, CodeConnectFailed, CodeInsecureSIP, CodeNoCommonCodec,
	CodeNoRelay, CodeBadTarget, CodeBadAccount, CodeBadDTMF, CodeTransferSameCall, CodeTransferNotReady,
	CodeTransferFailed, CodeTransferUnconfirmed, CodeTransferAbandoned, CodeCallFailed,
	CodeNoLocalCandidate, CodeICEFailed, CodeDTLSFailed, CodeNoAudio, CodeMediaNotMoved,
	CodeFileExists, CodeWriteFailed,
	CodeUsage, CodeCanceled, CodeInternal, CodeNotRunning,
}

// Codes returns every code (SIP_nnn aside), in a stable order.
func Codes() []Code { return append([]Code(nil), all...) }
