// The Doctor page: the checks of `phonebar doctor` (internal/doctor), one line per check with its
// verdict, time and what to do; the log settings (level, SIP trace); and the diagnostics zip. It is
// opened from the login screen, with the server, user and password of the login form (empty ones
// mean the saved login): the doctor logs in by itself; and from the bar's settings, in a sheet,
// where it checks the session as it is (the Go side neither logs in again nor registers a second
// phone).

import "./doctor.css";
import { asUIError, diagnostics, type DoctorCheck, type LogSettings } from "../api";
import { h } from "../dom";
import { publish } from "../state";

export interface DoctorLogin {
  server: string;
  user: string;
  password: string;
  /** session: opened from the bar, for the session logged in (server, user and password empty). */
  session?: boolean;
}

/** doctorLink is the login screen's way to the Doctor page: it reads the form when pressed. */
export function doctorLink(open: () => void): HTMLElement {
  return h("button", { type: "button", id: "open-doctor", class: "small doctor-link", onclick: open }, "Check the connection (Doctor)");
}

/** loginFields reads the login form's server, user and password as typed. */
export function loginFields(root: ParentNode): DoctorLogin {
  const val = (id: string) => root.querySelector<HTMLInputElement>(`#${id}`)?.value.trim() ?? "";
  return { server: val("server"), user: val("username"), password: root.querySelector<HTMLInputElement>("#password")?.value ?? "" };
}

export function doctorView(login: DoctorLogin, onBack: () => void): HTMLElement {
  const run = h("button", { type: "button", id: "doctor-run", class: "primary" }, "Run the checks");
  const back = h("button", { type: "button", id: "doctor-back", class: "small", onclick: onBack }, "Back");
  const list = h("ol", { id: "doctor-checks", class: "doctor-checks", "aria-live": "polite" });
  const summary = h("p", { id: "doctor-summary", class: "doctor-summary", role: "status" });
  const errorBox = h("div", { id: "doctor-error", class: "alert error", role: "alert", hidden: true });
  const level = h("select", { id: "log-level", "aria-label": "Log level" });
  const trace = h("input", { id: "sip-trace", type: "checkbox" });
  const folder = h("p", { class: "hint", id: "log-folder" });
  const save = h("button", { type: "button", id: "save-diagnostics" }, "Save diagnostics (zip)");
  const saved = h("p", { id: "diagnostics-saved", class: "saved", role: "status" });
  let runs = 0;

  const showError = (e: unknown) => {
    const err = asUIError(e);
    errorBox.textContent = err.message;
    errorBox.hidden = false;
    publish({ error: err.code });
  };
  const row = (c: DoctorCheck) => h("li", { class: c.ok ? "ok" : "fail", "data-check": c.name },
    h("div", { class: "head" },
      h("span", { class: "verdict" }, c.ok ? "✓ ok" : "✗ fail"),
      h("span", { class: "name" }, c.name.replace("_", " ")),
      h("span", { class: "ms" }, `${c.ms} ms`)),
    c.detail ? h("p", { class: "detail" }, c.detail) : null,
    c.advice ? h("p", { class: "advice" }, "→ " + c.advice) : null);

  run.addEventListener("click", async () => {
    run.disabled = true;
    errorBox.hidden = true;
    list.replaceChildren();
    summary.textContent = "Running the checks… (up to a minute)";
    publish({ busy: true, error: "", message: "" });
    try {
      const rep = await diagnostics.doctor(login.server, login.user, login.password);
      list.replaceChildren(...rep.checks.map(row));
      summary.textContent = rep.ok ? "All checks passed." : "Some checks failed: see what to do under each.";
      runs++;
      publish({ busy: false, message: rep.ok ? "passed" : "failed", answers: runs });
    } catch (e) {
      summary.textContent = "";
      showError(e);
      publish({ busy: false });
    } finally {
      run.disabled = false;
    }
  });

  const showLogs = (s: LogSettings) => {
    level.replaceChildren(...s.levels.map((l) => h("option", { value: l, selected: l === s.level }, l)));
    trace.checked = s.sipTrace;
    folder.textContent = s.folder ? `Log folder: ${s.folder}` : "No log folder: the log goes to the console only.";
  };
  const setLogs = async () => {
    try {
      showLogs(await diagnostics.setLogs(level.value, trace.checked));
    } catch (e) {
      showError(e);
    }
  };
  level.addEventListener("change", setLogs);
  trace.addEventListener("change", setLogs);
  void diagnostics.logs().then(showLogs).catch(showError);

  save.addEventListener("click", async () => {
    save.disabled = true;
    saved.textContent = "Saving…";
    try {
      const path = await diagnostics.saveBundle();
      saved.textContent = `Saved to ${path}`;
      publish({ form: "saved" });
    } catch (e) {
      saved.textContent = "";
      showError(e);
    } finally {
      save.disabled = false;
    }
  });

  const who = login.session ? "this session" : login.server ? `${login.user || "no user"} at ${login.server}` : "the saved login";
  const el = h("section", { class: "doctor", id: "doctor" },
    h("header", {}, h("h1", {}, "Doctor"), back),
    h("p", { class: "who" }, `Checks everything a call needs, from the server to the speaker, for ${who}.`),
    run, summary, errorBox, list,
    h("fieldset", {}, h("legend", {}, "Logs and diagnostics"),
      h("label", { class: "check", for: "log-level" }, "Log level ", level),
      h("label", { class: "check" }, trace, h("span", {}, "SIP trace (every SIP message, passwords hidden)")),
      folder, save, saved));
  publish({ screen: "doctor", error: "", form: "", message: "", busy: false });
  queueMicrotask(() => run.focus());
  return el;
}
