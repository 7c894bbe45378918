package omni

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/phonebar/phonebar/internal/motion"
)

// FillScript returns the JavaScript that fills and submits the login form, for config.HandoffForm.
// The Controller runs it once per window, only on a load it saw commit at the login page, and in a
// script world of its own (WebView.RunIsolated): the page's scripts share the DOM with it but not
// its JavaScript objects, so a replaced value setter, Function.prototype.call or setTimeout of the
// page is never used here. What a page can still see: the filled fields are DOM state, so a script
// running in the login page itself (a stored XSS there, or a compromised server) can read them
// before the form leaves. It waits up to 15 s for a form rendered late.
func FillScript(h Handoff) string {
	f := withDefaults(h.Form)
	lit := func(s string) string {
		b, _ := json.Marshal(s) // escapes quotes, <, >, &, U+2028 and U+2029
		return string(b)
	}
	r := strings.NewReplacer(
		"__ORIGIN__", lit(strings.TrimSuffix(h.Origin, "/")),
		"__USER_SEL__", lit(f.UsernameSelector),
		"__PASS_SEL__", lit(f.PasswordSelector),
		"__SUBMIT_SEL__", lit(f.SubmitSelector),
		"__USER__", lit(h.Username),
		"__PASS__", lit(h.Password),
	)
	return r.Replace(fillTemplate)
}

const fillTemplate = `(function () {
  "use strict";
  if (location.origin !== __ORIGIN__) return;
  var deadline = Date.now() + 15000;
  var setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  function visible(el) { return !!(el && (el.offsetWidth || el.offsetHeight || el.getClientRects().length)); }
  function first(sel) {
    var all = document.querySelectorAll(sel);
    for (var i = 0; i < all.length; i++) { if (visible(all[i]) && !all[i].disabled) return all[i]; }
    return null;
  }
  function set(el, value) {
    el.focus();
    Reflect.apply(setValue, el, [value]);
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
    set(u, __USER__);
    set(p, __PASS__);
    setTimeout(function () { if (location.origin === __ORIGIN__ && !b.disabled) b.click(); }, 50);
  }
  attempt();
})();`

// LogoutScript returns the JavaScript that ends the Omni Desktop's web session when its window
// closes, for a session the window did not log in itself (the form fallback, or the agent logged in
// again by hand): it posts the logout with the page's own cookie. It does nothing on another origin,
// and carries nothing secret.
func LogoutScript(h Handoff) string {
	origin, _ := json.Marshal(strings.TrimSuffix(h.Origin, "/"))
	path, _ := json.Marshal(motion.PathLogout)
	return fmt.Sprintf(`(function () {
  if (location.origin !== %s) return;
  try { fetch(%s, { method: "POST", credentials: "same-origin", keepalive: true }); } catch (e) {}
})();`, origin, path)
}
