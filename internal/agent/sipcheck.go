package agent

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/phonebar/phonebar/internal/config"
)

// ErrInsecureSIP is matched by an *InsecureSIPError: the Motion server handed out a plain ws:// SIP
// address and the settings do not allow it for that server.
var ErrInsecureSIP = errors.New("plain ws:// SIP address refused")

// InsecureSIPError says which server handed out which plain ws:// SIP address, and how to allow it.
type InsecureSIPError struct {
	// Server is the Motion server's origin; WSURI the SIP address it handed out.
	Server, WSURI string
	// SettingsPath is the settings file where it can be allowed (empty: not known).
	SettingsPath string
}

func (e *InsecureSIPError) Error() string {
	where := "the settings file"
	if e.SettingsPath != "" {
		where = "the settings file " + e.SettingsPath
	}
	return fmt.Sprintf("the Motion server %s hands out the SIP address %s, a plain ws:// WebSocket: SIP messages and the DTLS "+
		"fingerprints that protect the call audio would travel unencrypted, so the phone does not connect. Ask your administrator "+
		"for a wss:// address; or, only on a network you trust, allow it for this server in %s with "+
		`"allowInsecureSipWs": {%q: true}`, e.Server, e.WSURI, where, e.Server)
}

// Is makes errors.Is(err, ErrInsecureSIP) true.
func (e *InsecureSIPError) Is(target error) bool { return target == ErrInsecureSIP }

// CheckSIPAddress refuses, with an *InsecureSIPError, a plain ws:// SIP address handed out by the
// Motion server at origin server unless st allows it for that server (config.Settings
// AllowInsecureSIP). wss:// and anything else pass (the SIP layer rejects other schemes itself).
// settingsPath goes into the message.
func CheckSIPAddress(st config.Settings, settingsPath, server, wsURI string) error {
	u, err := url.Parse(wsURI)
	if err != nil || !strings.EqualFold(u.Scheme, "ws") {
		return nil
	}
	if st.InsecureSIPAllowed(server) {
		return nil
	}
	return &InsecureSIPError{Server: server, WSURI: wsURI, SettingsPath: settingsPath}
}
