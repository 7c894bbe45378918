package omni

// AppOrigin is the origin of a window's own pages in the web view (WebView2 on Windows).
const AppOrigin = "http://wails.localhost"

// TrustBeforeWindow: WebView2 takes a pinned certificate through browser arguments it reads when the
// window's web view is created, so the Omni Desktop and sign-in windows apply the pin before the
// window exists (WebKitGTK takes it on its main loop, once the window started).
const TrustBeforeWindow = true
