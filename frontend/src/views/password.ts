// The password change form: required before anything else at first login (or when the password
// expired), or offered from the expiry notice. Every rule is checked live by the Go side (which
// alone knows the current password); the server checks them again, with the history.

import "../login.css";
import { h } from "../dom";
import { publish } from "../state";
import { asUIError, session, type SessionView, type RuleCheck } from "../api";

export interface PasswordDeps {
  /** The change went through: the new view. */
  onChanged(v: SessionView): void;
  /** Offered change only: the agent closed the form. */
  onCancel?(): void;
}

export function passwordForm(v: SessionView, required: boolean, deps: PasswordDeps): HTMLElement {
  const current = v.needCurrentPassword
    ? h("input", { id: "pw-current", type: "password", autocomplete: "current-password" })
    : null;
  const next = h("input", { id: "pw-new", type: "password", autocomplete: "new-password" });
  const again = h("input", { id: "pw-again", type: "password", autocomplete: "new-password" });
  const list = h("ul", { id: "pw-rules", class: "rules", "aria-live": "polite" });
  const errorBox = h("div", { id: "pw-error", class: "alert error", role: "alert", hidden: true });
  const submit = h("button", { id: "pw-submit", type: "submit", class: "primary", disabled: true }, "Change password");
  let checks: RuleCheck[] = [];

  const draw = () => {
    const match: RuleCheck = { id: "match", text: "Both new passwords match", ok: next.value !== "" && next.value === again.value };
    const all = [...checks, match];
    list.replaceChildren(...all.map((c) =>
      h("li", { class: c.ok ? "ok" : "todo", "data-rule": c.id }, h("span", { class: "mark", "aria-hidden": "true" }, c.ok ? "✓" : "•"), c.text)));
    submit.disabled = !all.every((c) => c.ok) || (current !== null && current.value === "");
    publish({ rules: all.filter((c) => c.ok).map((c) => c.id) });
  };
  let seq = 0;
  const check = async () => {
    const mine = ++seq;
    try {
      const r = await session.rules(next.value);
      if (mine === seq) { checks = r; draw(); }
    } catch {
      // the server checks again on submit
    }
  };
  next.addEventListener("input", () => void check());
  again.addEventListener("input", draw);
  current?.addEventListener("input", draw);

  const form = h("form", {
    id: "password-form", class: required ? "card" : "inline-form", novalidate: true,
    onsubmit: async (ev: Event) => {
      ev.preventDefault();
      if (submit.disabled) return;
      errorBox.hidden = true;
      submit.disabled = true;
      submit.textContent = "Changing…";
      publish({ busy: true, error: "" });
      try {
        const nv = await session.changePassword(current?.value ?? "", next.value);
        next.value = again.value = "";
        if (current) current.value = "";
        deps.onChanged(nv);
      } catch (err) {
        const e = asUIError(err);
        errorBox.replaceChildren(h("strong", {}, e.code === "PASSWORD_RULES" ? "Password refused by the server" : "Password not changed"), h("p", {}, e.message));
        errorBox.hidden = false;
        publish({ error: e.code });
        next.select();
        next.focus();
      } finally {
        submit.textContent = "Change password";
        publish({ busy: false });
        draw();
      }
    },
  },
    required
      ? h("div", { class: "lead" },
        h("strong", {}, "Choose a new password"),
        h("p", { class: "hint" }, "Your administrator requires a new password before you continue. Nothing else can be done until it is changed."))
      : h("strong", {}, "Change your password"),
    current ? h("label", { for: "pw-current" }, "Current password") : null, current,
    h("label", { for: "pw-new" }, "New password"), next,
    h("label", { for: "pw-again" }, "New password again"), again,
    list,
    h("p", { class: "hint" }, "It must also differ from the passwords you used before, which the server checks."),
    errorBox,
    h("div", { class: "row" },
      !required && deps.onCancel ? h("button", { type: "button", id: "pw-cancel", class: "ghost", onclick: () => deps.onCancel?.() }, "Not now") : null,
      submit),
  );
  void check();
  draw();
  queueMicrotask(() => (current ?? next).focus());
  return form;
}

/** The whole window while the password must be changed. */
export function passwordView(v: SessionView, deps: PasswordDeps & { onLogout(): void }): HTMLElement {
  return h("main", { class: "login" },
    h("header", { class: "brand" }, h("div", { class: "logo", "aria-hidden": "true" }, "☎"), h("h1", {}, "Phonebar")),
    h("p", { class: "hint who" }, `${v.agent?.fullname || v.username} on ${v.server}`),
    passwordForm(v, true, deps),
    h("div", { class: "row" }, h("button", { type: "button", id: "pw-logout", class: "link", onclick: deps.onLogout }, "Log out")),
  );
}
