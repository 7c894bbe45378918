// The login screen: server, username, password, remember me; the certificate prompt; demo logins.

import { asUIError, session, type SessionView, type UIError } from "../api";
import { h, typologyLabel } from "../dom";

export interface LoginDeps {
  onLoggedIn(v: SessionView): void;
}

export function loginView(v: SessionView, deps: LoginDeps, initialError?: UIError): HTMLElement {
  const server = h("input", {
    id: "server", name: "server", type: "text", autocomplete: "url", spellcheck: "false",
    placeholder: "motion.example.com", value: v.server || v.demo?.server || "", required: true,
  });
  const username = h("input", {
    id: "username", name: "username", type: "text", autocomplete: "username", spellcheck: "false",
    value: v.username, required: true,
  });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password" });
  const remember = h("input", {
    id: "remember", type: "checkbox", checked: v.rememberAvailable && v.remember, disabled: !v.rememberAvailable,
  });
  const submit = h("button", { id: "login", type: "submit", class: "primary" }, "Log in");
  const errorBox = h("div", { id: "login-error", class: "alert error", role: "alert", hidden: true });
  const trustBox = h("div", { id: "trust", class: "trust", hidden: true });

  const showError = (e: UIError | undefined) => {
    trustBox.hidden = true;
    if (!e) {
      errorBox.hidden = true;
      return;
    }
    errorBox.replaceChildren(h("strong", {}, titleFor(e.code)), h("p", {}, e.message));
    if (e.suggestion) {
      const s = e.suggestion;
      errorBox.append(
        h("button", { type: "button", class: "link", onclick: () => { server.value = s; showError(undefined); server.focus(); } }, `Use ${s}`),
      );
    }
    errorBox.hidden = false;
    if (e.code === "UNTRUSTED_CERTIFICATE" && e.fingerprint) showTrust(e);
  };

  const showTrust = (e: UIError) => {
    errorBox.hidden = true;
    const fp = e.fingerprint ?? "";
    trustBox.replaceChildren(
      h("strong", {}, "Unverified server certificate"),
      h("p", {}, `${e.host ?? "The server"} presented a certificate this computer does not trust. ` +
        "Compare its fingerprint with the one your administrator gave you. Trust it only if they match."),
      h("code", { id: "fingerprint", class: "fingerprint" }, fp),
      h("div", { class: "row" },
        h("button", { type: "button", id: "trust-cancel", class: "ghost", onclick: () => { trustBox.hidden = true; } }, "Cancel"),
        h("button", {
          type: "button", id: "trust-accept", class: "primary",
          onclick: async () => {
            try {
              await session.trust(server.value, fp);
              trustBox.hidden = true;
              form.requestSubmit();
            } catch (err) {
              showError(asUIError(err));
            }
          },
        }, "Trust and log in"),
      ),
    );
    trustBox.hidden = false;
    (trustBox.querySelector("#trust-accept") as HTMLButtonElement | null)?.focus();
  };

  const busy = (on: boolean) => {
    submit.disabled = on;
    submit.textContent = on ? "Logging in…" : "Log in";
    document.body.classList.toggle("busy", on);
  };

  const form = h("form", {
    id: "login-form", class: "card", novalidate: true,
    onsubmit: async (ev: Event) => {
      ev.preventDefault();
      if (!server.value.trim() || !username.value.trim() || !password.value) {
        showError({ code: "MISSING", message: "Enter the server address, your username and your password." });
        (!server.value.trim() ? server : !username.value.trim() ? username : password).focus();
        return;
      }
      showError(undefined);
      busy(true);
      try {
        const next = await session.login({
          server: server.value.trim(), username: username.value.trim(), password: password.value, remember: remember.checked,
        });
        password.value = "";
        deps.onLoggedIn(next);
      } catch (err) {
        const e = asUIError(err);
        showError(e);
        if (e.code === "INVALID_CREDENTIALS") { password.select(); password.focus(); }
      } finally {
        busy(false);
      }
    },
  },
    h("label", { for: "server" }, "Server"), server,
    h("label", { for: "username" }, "Username"), username,
    h("label", { for: "password" }, "Password"), password,
    h("label", { class: "check", title: v.rememberAvailable ? "" : v.rememberNote },
      remember, h("span", {}, "Remember me on this computer")),
    !v.rememberAvailable && v.rememberNote ? h("p", { id: "remember-note", class: "hint" }, v.rememberNote) : null,
    errorBox,
    trustBox,
    submit,
  );

  const demo = v.demo
    ? h("section", { class: "demo card", id: "demo" },
      h("strong", {}, "Demo server"),
      h("p", { class: "hint" }, "These logins exist only on the built-in demo server. Click one to fill the form."),
      h("ul", {}, ...v.demo.logins.map((l) =>
        h("li", {},
          h("button", {
            type: "button", class: "demo-login",
            onclick: () => { username.value = l.name; password.value = l.password; password.focus(); },
          }, h("span", { class: "mono" }, l.name), h("span", { class: "badge" }, typologyLabel(l.typology))),
          h("span", { class: "mono dim" }, l.password),
        ))),
    )
    : null;

  const notice = v.notice ? h("div", { id: "notice", class: "alert warn", role: "status" }, v.notice) : null;

  const root = h("main", { class: "login" },
    h("header", { class: "brand" }, h("div", { class: "logo", "aria-hidden": "true" }, "☎"), h("h1", {}, "Phonebar")),
    notice, form, demo);

  queueMicrotask(() => {
    showError(initialError);
    (v.server || v.demo ? (v.username ? password : username) : server).focus();
  });
  return root;
}

function titleFor(code: string): string {
  switch (code) {
    case "INVALID_CREDENTIALS": return "Login refused";
    case "ACCOUNT_LOCKED": return "Account locked";
    case "UNREACHABLE": return "Server unreachable";
    case "NOT_HTTPS": return "Secure connection needed";
    case "BAD_URL": return "Server address not valid";
    case "CERTIFICATE_MISMATCH": return "Certificate changed: connection may be intercepted";
    case "KEYRING_UNAVAILABLE": return "Password not saved";
    case "NO_SAVED_PASSWORD": case "SAVED_PASSWORD_REJECTED": return "Type your password";
    case "SESSION_EXISTS": return "Already logged in elsewhere";
    case "MISSING": return "Missing details";
    default: return "Login failed";
  }
}
