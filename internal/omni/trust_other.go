//go:build (!linux || !cgo) && !windows

package omni

import "fmt"

// trustInWebView is not written yet for this platform: WebView2 (ServerCertificateErrorDetected) on
// Windows and WKNavigationDelegate's authentication challenge on macOS each need their own code. Until
// then a self-signed Motion server needs its certificate installed in the system store there.
func trustInWebView(hostport string, _ []byte) error {
	return fmt.Errorf("%w: trusting the pinned certificate of %s in the Omni Desktop window is not supported on this platform yet; install the server's certificate in the system store", ErrUnsupported, hostport)
}
