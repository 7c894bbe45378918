// The browser phone page loads this bundle: JsSIP ships CommonJS only.
window.JsSIP = require('jssip');
