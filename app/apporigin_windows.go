package app

// appOrigin is the origin of the window's own pages in the webview (WebView2 on Windows).
const appOrigin = "http://wails.localhost"
