package app

// trustBeforeWindow: WebView2 takes a pinned certificate through browser arguments it reads when the
// window's web view is created, so the Omni Desktop and sign-in windows apply the pin before wails.Run
// (WebKitGTK takes it on its main loop, from OnStartup).
const trustBeforeWindow = true
