package screenpop

import "github.com/pkg/browser"

// OpenInBrowser opens url in the system's web browser (xdg-open on Linux, open on macOS, the
// URL's registered handler on Windows).
func OpenInBrowser(url string) error { return browser.OpenURL(url) }
