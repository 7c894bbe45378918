// The login screen: server, username, password, remember me; the certificate prompt; demo logins;
// and the login paths: "log in anyway?" when the user is logged in elsewhere, the hot-desk
// telephone, forgot password.

import "../login.css";
import { asUIError, session, type SessionView, type UIError } from "../api";
import { h, typologyLabel } from "../dom";
import { publish } from "../state";

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
  // With "remember me", the password is in the keyring: an empty field logs in with it (a failed
  // automatic login keeps it, and the agent need not type it again).
  const saved = () => v.rememberAvailable && v.remember && !!v.server && !!v.username &&
    server.value.trim() === v.server && username.value.trim() === v.username;
  const showSaved = () => { password.placeholder = saved() ? "Saved password (leave empty to use it)" : ""; };
  const remember = h("input", {
    id: "remember", type: "checkbox", checked: v.rememberAvailable && v.remember, disabled: !v.rememberAvailable,
  });
  const submit = h("button", { id: "login", type: "submit", class: "primary", "data-layout": "login" }, "Log in");
  const errorBox = h("div", { id: "login-error", class: "alert error", role: "alert", hidden: true });
  const trustBox = h("div", { id: "trust", class: "trust", hidden: true });
  const choiceBox = h("div", { id: "login-choice", class: "trust", hidden: true });
  // The external agent's line, offered when this user's last login here was one without Hot Desk.
  const lineLabels: [string, string][] = [["internal", "My extension"], ["phone", "My phone"], ["mobile", "My mobile"]];
  const lineBox = h("fieldset", { id: "line", class: "line", hidden: true },
    h("legend", {}, "Calls ring on"),
    ...lineLabels.map(([value, label]) => h("label", { class: "check" },
      h("input", { type: "radio", name: "line", value, id: `line-${value}` }), h("span", {}, label))));
  let lineSeq = 0;
  const showLine = async () => {
    const mine = ++lineSeq;
    const last = await session.lastLine(server.value.trim(), username.value.trim());
    if (mine !== lineSeq) return;
    const was = lineBox.hidden;
    lineBox.hidden = !last;
    // A newly shown choice starts at the last line; one the agent picked in this form is kept.
    if (last && was) {
      const pick = lineBox.querySelector<HTMLInputElement>(`input[value="${last}"]`);
      if (pick) pick.checked = true;
    }
  };
  const line = () => (lineBox.hidden ? "" : lineBox.querySelector<HTMLInputElement>("input[name=line]:checked")?.value ?? "");
  // Single sign-on: the buttons of the providers the administrator enabled, read from the server.
  const ssoBox = h("div", { id: "sso", class: "sso", hidden: true });
  const ssoLabels: Record<string, string> = { google: "Google", activedirectory: "Active Directory" };
  let ssoSeq = 0;
  // The provider of the sign-in whose SESSION_EXISTS or PHONE_REQUIRED the agent is answering:
  // the answer goes back through the same sign-in, not the password form.
  let ssoProvider = "";
  const loadProviders = async () => {
    const mine = ++ssoSeq;
    const addr = server.value.trim();
    const list = addr ? await session.providers(addr).catch(() => [] as string[]) : [];
    if (mine !== ssoSeq) return;
    ssoBox.replaceChildren(
      ...list.filter((p) => ssoLabels[p]).map((p) => h("button", {
        type: "button", id: `sso-${p}`, class: "sso-button",
        onclick: () => { ssoProvider = p; void signInWith(p); },
      }, `Log in with ${ssoLabels[p]}`)),
    );
    ssoBox.hidden = list.length === 0;
  };
  // The sign-in runs in a window of its own; this one says so and offers to stop it.
  const ssoWait = h("div", { id: "sso-wait", class: "trust", role: "status", hidden: true });
  const signInWith = async (p: string) => {
    if (!server.value.trim()) {
      showError({ code: "MISSING", message: "Enter the server address first." });
      server.focus();
      return;
    }
    showError(undefined);
    const f = { force, phone };
    force = false;
    phone = "";
    ssoWait.replaceChildren(
      h("strong", {}, `Signing in with ${ssoLabels[p]}`),
      h("p", {}, "Finish signing in in the window that opened. This screen continues by itself."),
      h("div", { class: "row" }, h("button", { type: "button", id: "sso-cancel", class: "ghost", onclick: () => void session.cancelSSO() }, "Cancel")),
    );
    ssoWait.hidden = false;
    publish({ form: "sso" });
    busy(true);
    try {
      const next = await session.loginSSO({ server: server.value.trim(), provider: p, force: f.force, phone: f.phone, line: line() });
      ssoProvider = "";
      deps.onLoggedIn(next as SessionView);
    } catch (err) {
      const e = asUIError(err) as UIError;
      if (e.code !== "SESSION_EXISTS" && e.code !== "PHONE_REQUIRED" && e.code !== "PHONE_UNAVAILABLE" && e.code !== "UNTRUSTED_CERTIFICATE") ssoProvider = "";
      showError(e);
      if (e.code === "SIGN_IN_CANCELLED") setTimeout(() => ssoBox.querySelector<HTMLButtonElement>(`#sso-${p}`)?.focus(), 0);
    } finally {
      ssoWait.hidden = true;
      busy(false);
    }
  };
  for (const el of [username, password]) el.addEventListener("input", () => { ssoProvider = ""; });
  // An error about what the agent is now changing is stale: it goes (and so does a pending retry).
  for (const el of [server, username, password]) {
    el.addEventListener("input", () => {
      stopRetry();
      showSaved();
      if (!errorBox.hidden) { errorBox.hidden = true; publish({ error: "" }); }
      if (el !== password) { trustBox.hidden = true; choiceBox.hidden = true; }
    });
  }
  let ssoTimer = 0;
  server.addEventListener("input", () => { clearTimeout(ssoTimer); ssoTimer = window.setTimeout(() => void loadProviders(), 500); });
  // What the next submit adds, set by the "log in anyway" and telephone choices.
  let force = false;
  let phone = "";

  const showError = (e: UIError | undefined) => {
    trustBox.hidden = true;
    choiceBox.hidden = true;
    publish({ error: e?.code ?? "", form: "" });
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
    if (e.code === "SESSION_EXISTS") showForce(e);
    if ((e.code === "PHONE_REQUIRED" || e.code === "PHONE_UNAVAILABLE") && e.phones) showPhones(e);
  };

  // SESSION_EXISTS: name the conflict and ask before ending the other session.
  const showForce = (_e: UIError) => {
    errorBox.hidden = true;
    publish({ form: "force" });
    choiceBox.className = "trust confirm";
    choiceBox.replaceChildren(
      h("strong", {}, "Already logged in elsewhere"),
      h("p", {}, `${username.value.trim() && !ssoProvider ? `${username.value.trim()} is` : "You are"} logged in on another Phonebar or computer right now. ` +
        "Log in anyway? The other session will be ended and its agent told why."),
      h("div", { class: "row" },
        h("button", { type: "button", id: "force-cancel", class: "ghost", onclick: () => { choiceBox.hidden = true; ssoProvider = ""; password.focus(); } }, "Cancel"),
        h("button", { type: "button", id: "force-confirm", class: "primary", onclick: () => { force = true; form.requestSubmit(); } }, "Log in anyway"),
      ),
    );
    choiceBox.hidden = false;
    (choiceBox.querySelector("#force-confirm") as HTMLButtonElement | null)?.focus();
  };

  // PHONE_REQUIRED: the hot-desk agent picks one of the telephones the server offers.
  const showPhones = (e: UIError) => {
    errorBox.hidden = true;
    publish({ form: "phones" });
    const list = e.phones ?? [];
    choiceBox.className = "trust choose";
    const radios = list.map((name, i) => h("label", { class: "check" },
      h("input", { type: "radio", name: "hotdesk-phone", value: name, checked: i === 0, id: `phone-${i}` }), h("span", { class: "mono" }, name)));
    choiceBox.replaceChildren(
      h("strong", {}, e.code === "PHONE_UNAVAILABLE" ? "That telephone was just taken" : "Which telephone are you using?"),
      h("p", {}, list.length
        ? "You use Hot Desk: pick the telephone on your desk. Telephones in use by another agent or offline are not listed."
        : "No telephone is available right now: ask your administrator."),
      h("div", { class: "phones", role: "radiogroup", id: "phones" }, ...radios),
      h("div", { class: "row" },
        h("button", { type: "button", id: "phone-cancel", class: "ghost", onclick: () => { choiceBox.hidden = true; ssoProvider = ""; password.focus(); } }, "Cancel"),
        list.length ? h("button", {
          type: "button", id: "phone-login", class: "primary",
          onclick: () => {
            const picked = choiceBox.querySelector<HTMLInputElement>("input[name=hotdesk-phone]:checked");
            if (!picked) return;
            phone = picked.value;
            form.requestSubmit();
          },
        }, "Log in with this telephone") : null,
      ),
    );
    choiceBox.hidden = false;
    (choiceBox.querySelector("#phone-login") as HTMLButtonElement | null)?.focus();
  };

  const showTrust = (e: UIError) => {
    errorBox.hidden = true;
    publish({ form: "trust" });
    const fp = e.fingerprint ?? "";
    trustBox.replaceChildren(
      h("strong", {}, "Unverified server certificate"),
      h("p", {}, `${e.host ?? "The server"} presented a certificate this computer does not trust. ` +
        "Compare its fingerprint with the one your administrator gave you. Trust it only if they match."),
      h("code", { id: "fingerprint", class: "fingerprint" }, fp),
      h("div", { class: "row" },
        h("button", { type: "button", id: "trust-cancel", class: "ghost", onclick: () => { trustBox.hidden = true; ssoProvider = ""; } }, "Cancel"),
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

  // The automatic login with the saved password, and its retries: only after a network failure
  // (the app says when, retryInMs), counted down on the error, with Retry now; typing stops them.
  let retryTimer = 0;
  let retryTick = 0;
  const stopRetry = () => { window.clearTimeout(retryTimer); window.clearInterval(retryTick); retryTimer = retryTick = 0; publish({ retryIn: 0 }); };
  const offerRetry = (e: UIError) => {
    stopRetry();
    if (!e.retryInMs) return;
    const at = Date.now() + e.retryInMs;
    const note = h("p", { id: "retry-note", class: "retry-note" });
    const tick = () => {
      const left = Math.max(0, Math.ceil((at - Date.now()) / 1000));
      note.textContent = `Trying again in ${left} s. Your saved password is kept.`;
      publish({ retryIn: left });
    };
    tick();
    retryTick = window.setInterval(tick, 1000);
    retryTimer = window.setTimeout(() => void autoLogin(), e.retryInMs);
    errorBox.append(note, h("div", { class: "row retry-row" },
      h("button", { type: "button", id: "retry", class: "primary small", onclick: () => void autoLogin() }, "Retry now")));
  };
  async function autoLogin() {
    stopRetry();
    showError(undefined);
    busy(true);
    try {
      deps.onLoggedIn((await session.autoLogin()) as SessionView);
    } catch (err) {
      const e = asUIError(err) as UIError;
      showError(e);
      offerRetry(e);
    } finally {
      busy(false);
    }
  }

  const busy = (on: boolean) => {
    publish({ busy: on });
    submit.disabled = on;
    submit.textContent = on ? "Logging in…" : "Log in";
    document.body.classList.toggle("busy", on);
  };

  const form = h("form", {
    id: "login-form", class: "card", novalidate: true,
    onsubmit: async (ev: Event) => {
      ev.preventDefault();
      if (ssoProvider) {
        void signInWith(ssoProvider);
        return;
      }
      if (!password.value && saved() && server.value.trim() && username.value.trim()) {
        await autoLogin();
        return;
      }
      if (!server.value.trim() || !username.value.trim() || !password.value) {
        showError({ code: "MISSING", message: "Enter the server address, your username and your password." });
        (!server.value.trim() ? server : !username.value.trim() ? username : password).focus();
        return;
      }
      showError(undefined);
      busy(true);
      const f = { force, phone };
      force = false;
      phone = "";
      try {
        const next = await session.login({
          server: server.value.trim(), username: username.value.trim(), password: password.value, remember: remember.checked,
          force: f.force, phone: f.phone, line: line(),
        });
        password.value = "";
        deps.onLoggedIn(next as SessionView);
      } catch (err) {
        const e = asUIError(err) as UIError;
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
    lineBox,
    h("label", { class: "check", title: v.rememberAvailable ? "" : v.rememberNote },
      remember, h("span", {}, "Remember me on this computer")),
    !v.rememberAvailable && v.rememberNote ? h("p", { id: "remember-note", class: "hint", "data-layout": "remember-note" }, v.rememberNote) : null,
    errorBox,
    trustBox,
    choiceBox,
    ssoWait,
    submit,
    h("button", { type: "button", id: "forgot", class: "link forgot-link", onclick: () => showForgot() }, "Forgot password?"),
    ssoBox,
  );

  // Forgot password: the email of the account; the answer never says whether it exists.
  const forgotBox = h("section", { id: "forgot-panel", class: "card forgot", hidden: true });
  let answers = 0;
  const showForgot = () => {
    const email = h("input", { id: "forgot-email", type: "text", autocomplete: "email", spellcheck: "false", placeholder: "name@example.com" });
    const out = h("div", { id: "forgot-result", role: "status", hidden: true });
    const send = h("button", { type: "submit", id: "forgot-send", class: "primary" }, "Send the link");
    const back = () => { forgotBox.hidden = true; form.hidden = false; publish({ form: "" }); password.focus(); };
    forgotBox.replaceChildren(h("form", {
      novalidate: true,
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        out.hidden = true;
        if (!server.value.trim()) {
          out.className = "alert error";
          out.textContent = "Enter the server address on the login screen first.";
          out.hidden = false;
          return;
        }
        send.disabled = true;
        try {
          await session.forgot(server.value.trim(), email.value.trim());
          out.className = "alert ok-box";
          out.replaceChildren(h("strong", {}, "Check your email"),
            h("p", {}, "If this address belongs to an account on this server, a link to choose a new password is on its way. " +
              "It works once, for one hour. The new password follows the same rules."));
          email.value = "";
        } catch (err) {
          const e = asUIError(err);
          out.className = "alert error";
          out.replaceChildren(h("strong", {}, titleFor(e.code)), h("p", {}, e.message));
        } finally {
          send.disabled = false;
          out.hidden = false;
          answers++;
          publish({ message: out.textContent ?? "", answers });
        }
      },
    },
      h("strong", {}, "Forgot your password?"),
      h("p", { class: "hint" }, `Enter the email address of your account on ${server.value.trim() || "the server"}. We will send a link to choose a new password.`),
      h("label", { for: "forgot-email" }, "Email"), email,
      out,
      h("div", { class: "row" }, h("button", { type: "button", id: "forgot-back", class: "ghost", onclick: back }, "Back to login"), send),
    ));
    form.hidden = true;
    forgotBox.hidden = false;
    publish({ form: "forgot" });
    queueMicrotask(() => email.focus());
  };

  const demo = v.demo
    ? h("section", { class: "demo card", id: "demo" },
      h("strong", {}, "Demo server"),
      h("p", { class: "hint" }, "These logins exist only on the built-in demo server. Click one to fill the form."),
      h("ul", {}, ...v.demo.logins.map((l, i) =>
        h("li", {},
          h("button", {
            type: "button", class: "demo-login", "data-layout": i === 0 ? "demo-login" : undefined,
            onclick: () => { username.value = l.name; password.value = l.password; password.focus(); },
          }, h("span", { class: "mono" }, l.name), h("span", { class: "badge" }, typologyLabel(l.typology))),
          h("span", { class: "mono dim" }, l.password),
        ))),
    )
    : null;

  const notice = v.notice
    ? h("div", { id: "notice", class: "alert warn", role: "status" }, h("strong", {}, "Session ended"), h("p", {}, v.notice + "."))
    : null;

  const settingsProblem = v.settingsProblem
    ? h("div", { id: "settings-problem", class: "alert warn", role: "status" }, h("strong", {}, "Your settings file cannot be used"), h("p", {}, v.settingsProblem + "."))
    : null;

  const root = h("main", { class: "login" },
    h("header", { class: "brand" }, h("div", { class: "logo", "aria-hidden": "true" }, "☎"), h("h1", {}, "Phonebar")),
    settingsProblem, notice, form, forgotBox, demo);

  // The app reads its settings for the line: once typing pauses, not at every key.
  let lineTimer = 0;
  const showLineSoon = () => { clearTimeout(lineTimer); lineTimer = window.setTimeout(() => void showLine(), 250); };
  username.addEventListener("input", showLineSoon);
  server.addEventListener("input", showLineSoon);
  queueMicrotask(() => {
    void showLine();
    void loadProviders();
    showError(initialError);
    showSaved();
    if (initialError) offerRetry(initialError);
    (v.server || v.demo ? (v.username ? password : username) : server).focus();
  });
  return root;
}

function titleFor(code: UIError["code"]): string {
  switch (code) {
    case "INVALID_CREDENTIALS": return "Login refused";
    case "ACCOUNT_LOCKED": return "Account locked";
    case "UNREACHABLE": return "Server unreachable";
    case "NOT_HTTPS": return "Secure connection needed (not a wrong password)";
    case "BAD_URL": return "Server address not valid";
    case "CERTIFICATE_MISMATCH": return "Certificate changed: connection may be intercepted";
    case "KEYRING_UNAVAILABLE": return "Password not saved";
    case "NO_SAVED_PASSWORD": case "SAVED_PASSWORD_REJECTED": return "Type your password";
    case "SESSION_EXISTS": return "Already logged in elsewhere";
    case "PHONE_REQUIRED": return "Choose your telephone";
    case "PHONE_UNAVAILABLE": return "Telephone taken";
    case "UNKNOWN_AUTHORIZATION_FORMAT": return "Not a wrong password: secure connection missing";
    case "BAD_EMAIL": return "Email address needed";
    case "PASSWORD_RULES": return "Password refused";
    case "MISSING": return "Missing details";
    case "SIGN_IN_CANCELLED": return "Sign-in not finished";
    case "SIGN_IN_FAILED": return "Sign-in failed";
    default: return "Login failed";
  }
}
