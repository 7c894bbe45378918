//go:build !linux || !cgo

package omni

import "fmt"

// CanShowPages says whether the window loads a page it is given (Launcher.ShowPage): not without
// AttachWebView.
const CanShowPages = false

// AttachWebView is written for WebKitGTK only. WebView2 (Windows: ICoreWebView2CookieManager,
// NavigationCompleted, AddScriptToExecuteOnDocumentCreated has no isolated world) and WKWebView
// (macOS: WKHTTPCookieStore, WKContentWorld, didCommitNavigation) each need their own code, which
// could not be built or run from the Linux machine this was written on. The window then shows the
// reason and offers the server's login page, with nothing handed over.
func AttachWebView(*Controller) (WebView, error) {
	return nil, fmt.Errorf("%w: the Omni Desktop login hand-off needs the platform's web view code (written for Linux so far)", ErrUnsupported)
}
