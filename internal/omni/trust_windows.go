package omni

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
)

// webView2ArgumentsVariable is read by the WebView2 loader when a web view's environment is created:
// extra switches for its browser process. It must be set before the window is created (before
// wails.Run); later changes have no effect on that window.
const webView2ArgumentsVariable = "WEBVIEW2_ADDITIONAL_BROWSER_ARGUMENTS"

// spkiSwitch makes the WebView2 browser accept a certificate whose public key (SHA-256 of the
// SubjectPublicKeyInfo, base64) is in its list, in place of the certificate error it would raise.
const spkiSwitch = "--ignore-certificate-errors-spki-list="

// smartScreenSwitch is the switch Wails passes in its own options (it keeps SmartScreen from sending
// the pages' addresses to Microsoft). Repeated here because the variable may take the place of the
// options' switches.
const smartScreenSwitch = "--disable-features=msSmartScreenProtection"

// trustInWebView makes the window's WebView2 accept the pinned certificate: its public key goes into
// the browser's SPKI allow list through WEBVIEW2_ADDITIONAL_BROWSER_ARGUMENTS, which the window
// process reads when it creates its web view, so it must run before wails.Run. WebView2's own
// ServerCertificateErrorDetected event would allow one host only, but Wails v2 does not hand its web
// view out; the list accepts this one key on any host, and this window only goes to the pinned server.
func trustInWebView(hostport string, pemBytes []byte) error {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		return fmt.Errorf("%w: the pinned certificate of %s is not a PEM certificate", ErrBadHandoff, hostport)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fmt.Errorf("%w: the pinned certificate of %s does not parse: %v", ErrBadHandoff, hostport, err)
	}
	os.Setenv(webView2ArgumentsVariable, withSPKI(os.Getenv(webView2ArgumentsVariable), spkiHash(cert)))
	return nil
}

// spkiHash is the base64 SHA-256 of the certificate's SubjectPublicKeyInfo, as Chromium's SPKI list
// wants it.
func spkiHash(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// withSPKI returns the browser arguments args with hash in the SPKI list (added once) and Wails'
// SmartScreen switch present; other switches are kept as they were.
func withSPKI(args, hash string) string {
	var out []string
	var hashes []string
	smartScreen := false
	for _, a := range strings.Fields(args) {
		switch {
		case strings.HasPrefix(a, spkiSwitch):
			for _, h := range strings.Split(strings.TrimPrefix(a, spkiSwitch), ",") {
				if h != "" && h != hash {
					hashes = append(hashes, h)
				}
			}
		case a == smartScreenSwitch:
			smartScreen = true
			out = append(out, a)
		default:
			out = append(out, a)
		}
	}
	if !smartScreen {
		out = append(out, smartScreenSwitch)
	}
	hashes = append(hashes, hash)
	return strings.Join(append(out, spkiSwitch+strings.Join(hashes, ",")), " ")
}
