package omni

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/phonebar/phonebar/internal/motion"
)

// HandoffFlag is the sessionStorage key the login script sets once it has submitted the form, so that
// a login page shown again in the same window (a wrong password, or the agent logged out) is never
// submitted a second time.
const HandoffFlag = "phonebar.handoff"

// Script returns the JavaScript that fills and submits the login form. The window runs it after every
// page load. On any other origin it does nothing. On the configured origin it gives the page the
// one-phone-per-agent signal when the Phonebar owns the phone; on the login path it fills and submits
// the form (or, with a sign-in code, opens the sign-in callback), once per window. The credentials are only read after the origin and path checks. location.origin and location.pathname cannot be
// redefined by a page's scripts.
func Script(h Handoff) string {
	f := withDefaults(h.Form)
	lit := func(s string) string {
		b, _ := json.Marshal(s) // escapes quotes, <, >, &, U+2028 and U+2029
		return string(b)
	}
	r := strings.NewReplacer(
		"__ORIGIN__", lit(strings.TrimSuffix(h.Origin, "/")),
		"__PATH__", lit(f.LoginPath),
		"__USER_SEL__", lit(f.UsernameSelector),
		"__PASS_SEL__", lit(f.PasswordSelector),
		"__SUBMIT_SEL__", lit(f.SubmitSelector),
		"__FLAG__", lit(HandoffFlag),
		"__USER__", lit(h.Username),
		"__PASS__", lit(h.Password),
		"__CODE__", lit(h.SignInCode),
		"__CALLBACK__", lit(motion.PathSSOCallback+"?"+motion.QueryCode+"="),
		"__OWNS_PHONE__", fmt.Sprint(h.PhonebarOwnsPhone),
		"__PHONE_COOKIE__", lit(motion.PhoneOwnerCookie+"=1; path=/; Secure; SameSite=Strict"),
		"__PHONE_FLAG__", lit(motion.PhoneOwnerFlag),
		"__PHONE_EVENT__", lit(motion.PhoneOwnerEvent),
	)
	return r.Replace(scriptTemplate)
}

const scriptTemplate = `(function () {
  "use strict";
  var path = __PATH__;
  if (location.origin !== __ORIGIN__) return;
  if (__OWNS_PHONE__) {
    // One phone per agent: the Phonebar's softphone is the phone, the page must not register one.
    try { document.cookie = __PHONE_COOKIE__; } catch (e) {}
    window[__PHONE_FLAG__] = true;
    window.dispatchEvent(new Event(__PHONE_EVENT__));
  }
  if (location.pathname !== path && location.pathname !== path + "/") return;
  try { if (sessionStorage.getItem(__FLAG__)) return; } catch (e) { return; }
  var code = __CODE__;
  if (code) {
    // A provider sign-in: the one-time code logs this window in, no form to fill.
    try { sessionStorage.setItem(__FLAG__, String(Date.now())); } catch (e) { return; }
    location.replace(__ORIGIN__ + __CALLBACK__ + encodeURIComponent(code));
    return;
  }
  var deadline = Date.now() + 15000;
  function visible(el) { return !!(el && (el.offsetWidth || el.offsetHeight || el.getClientRects().length)); }
  function first(sel) {
    var all = document.querySelectorAll(sel);
    for (var i = 0; i < all.length; i++) { if (visible(all[i]) && !all[i].disabled) return all[i]; }
    return null;
  }
  function set(el, value) {
    var desc = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
    el.focus();
    desc.set.call(el, value);
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
    el.dispatchEvent(new Event("blur"));
  }
  function attempt() {
    if (location.origin !== __ORIGIN__) return;
    var u = first(__USER_SEL__), p = first(__PASS_SEL__), b = first(__SUBMIT_SEL__);
    if (!u || !p || !b) {
      if (Date.now() < deadline) setTimeout(attempt, 100);
      return;
    }
    try { sessionStorage.setItem(__FLAG__, String(Date.now())); } catch (e) { return; }
    set(u, __USER__);
    set(p, __PASS__);
    setTimeout(function () { if (location.origin === __ORIGIN__ && !b.disabled) b.click(); }, 50);
  }
  attempt();
})();`

// LogoutScript returns the JavaScript that ends the Omni Desktop's web session when its window closes,
// so that opening it again is not refused as a second login. It does nothing on another origin.
func LogoutScript(h Handoff) string {
	origin, _ := json.Marshal(strings.TrimSuffix(h.Origin, "/"))
	path, _ := json.Marshal(motion.PathLogout)
	return fmt.Sprintf(`(function () {
  if (location.origin !== %s) return;
  try { fetch(%s, { method: "POST", credentials: "same-origin", keepalive: true }); } catch (e) {}
})();`, origin, path)
}
