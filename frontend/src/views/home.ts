// The logged-in bar. One fixed layout, top to bottom:
//   - the header: who the agent is, the Omni Desktop, settings (a gear with a badge) and the menu;
//   - the status banner, the one place that says where the agent stands: Ready / Paused (with the
//     reason) / Not ready with the time in that status, and the phone: registered or not, or the
//     call in progress (ringing, connected, on hold with the hold time, muted);
//   - the dial field;
//   - below, in the only part that scrolls: the calls (oldest first), one problem banner, the
//     login's notices, the keypad and the recent calls.
// An incoming call is laid over the top area (status and dial field) with full-width Answer and
// Reject, so nothing under it moves. Settings and the shortcut list are sheets over the bar, opened
// only by the agent.

import { asUIError, omni, on, session, type PhoneView, type SessionView } from "../api";
import { publish, measureLayout } from "../state";
import "../bar.css";
import { h, initials, isTyping, party, tickClocks, typologyLabel } from "../dom";
import { audioPanel, type AudioProblem } from "./audio";
import { doctorView } from "./doctor";
import { phonePanel, who } from "./phone";
import { confirmSheet, openSheet, sheet } from "./sheet";
import { lineChoices, lineChooser } from "./line";
import { refitAll, wholeText } from "../fit";

/** sep is the "·" between two parts of a line of the status banner: an element with margins, never
 * spaces in the text, so that a shortened name before it leaves no gap. */
const sep = (cls = "") => h("span", { class: `sep ${cls}`.trim(), "aria-hidden": "true" }, "·");

/** fitted is a name or number that may be shortened to fit its line (fit.ts). */
const fitted = (cls: string, text: string) => {
  const el = h("span", { class: `${cls} fit`, title: text }, text);
  el.dataset.full = text;
  return el;
};


export interface HomeDeps {
  onLoggedOut(v: SessionView): void;
  /** The login's notices (password expiry, licence), placed in the body. */
  notices: HTMLElement;
}

/** The agent's status as the bar shows it. */
interface AgentStatus {
  kind: "ready" | "paused" | "not-ready";
  reason: string;
  /** Unix ms when this status began; 0 when not known. */
  since: number;
}


const shortcuts: [string, string][] = [
  ["Ctrl+Enter", "Answer the ringing call"],
  ["Ctrl+E", "Hang up (or cancel the call being dialled)"],
  ["Ctrl+H", "Hold / resume"],
  ["Ctrl+M", "Mute / unmute"],
  ["Ctrl+K", "Go to the dial field"],
  ["Ctrl+T", "Join: connect the customer with the colleague consulted"],
  ["0–9 * #", "During a call: keys to the other side (outside the dial field)"],
  ["Ctrl+Shift+R", "Ready / not ready"],
  ["Ctrl+D", "Open the Omni Desktop"],
  ["Ctrl+,", "Settings (audio)"],
  ["F10", "Menu: log out, quit"],
  ["F1 or ?", "This list"],
  ["Esc", "Close a sheet or the menu"],
];

export function homeView(v: SessionView, deps: HomeDeps): { el: HTMLElement; update(v: SessionView): void } {
  const a = v.agent!;
  const webrtc = a.typology === "webrtc";
  let sv = v;
  const loggedInAt = v.status?.loggedInMs || Date.now();

  // --- Header -------------------------------------------------------------------------------
  const omniBtn = h("button", {
    id: "omni", class: "icon-btn", type: "button", title: "Open the Omni Desktop (Ctrl+D)", "aria-label": "Omni Desktop", "aria-pressed": "false",
  }, h("span", { "aria-hidden": "true" }, "🌐"));
  const gearBadge = h("span", { class: "badge-dot", hidden: true, "aria-hidden": "true" });
  const gear = h("button", {
    id: "settings", class: "icon-btn", type: "button", title: "Settings (Ctrl+,)", "aria-label": "Settings", "data-layout": "settings",
  }, h("span", { "aria-hidden": "true" }, "⚙"), gearBadge);
  const menuItems = h("div", { class: "menu-items", role: "menu" },
    h("button", { id: "logout", type: "button", class: "ghost", role: "menuitem", onclick: () => void logout(false) }, "Log out"),
    h("button", { id: "forget", type: "button", class: "ghost danger", role: "menuitem", onclick: () => void logout(true), title: "Log out and delete the saved password" }, "Log out and forget me"),
    h("button", { id: "shortcuts-open", type: "button", class: "ghost", role: "menuitem", onclick: () => { menu.open = false; shortcutSheet.show(); } }, "Keyboard shortcuts (F1)"),
    h("button", { id: "quit", type: "button", class: "ghost", role: "menuitem", onclick: () => void quit() }, "Quit Phonebar"),
  );
  const menu = h("details", { class: "menu", id: "account-menu" },
    h("summary", { id: "account", title: "Menu (F10)", "aria-label": "Menu" }, "☰"), menuItems);
  menu.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && menu.open) { ev.preventDefault(); menu.open = false; menu.querySelector("summary")!.focus(); }
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      const items = [...menuItems.querySelectorAll<HTMLElement>("button")];
      const i = items.indexOf(document.activeElement as HTMLElement);
      ev.preventDefault();
      items[(i + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
    }
  });
  document.addEventListener("click", (ev) => { if (menu.open && !menu.contains(ev.target as Node)) menu.open = false; });
  const sinceLogin = h("span", { class: "mono", "data-since": String(loggedInAt), title: "Time logged in" });
  const header = h("header", { class: "topbar" },
    h("div", { class: "avatar", "aria-hidden": "true" }, initials(a.fullname || a.name)),
    h("div", { class: "who" },
      h("div", { id: "agent-fullname", class: "name", title: a.fullname || a.name }, a.fullname || a.name),
      h("div", { class: "meta" },
        h("span", { id: "agent-typology" }, typologyLabel(a.typology || a.role)),
        a.internal ? h("span", {}, `ext. ${a.internal}`) : null,
        h("span", { title: "Time logged in" }, "on ", sinceLogin))),
    omniBtn, gear, menu);

  // --- Status banner --------------------------------------------------------------------------
  const statusDot = h("span", { class: "dot", "aria-hidden": "true" });
  const statusText = h("span", { id: "agent-status", class: "status-text" });
  const statusTimer = h("span", { id: "status-timer", class: "status-timer mono", title: "Time in this status" });
  const readyBtn = h("button", { id: "ready", type: "button", class: "ready-toggle", "aria-pressed": "false", "data-layout": "ready" });
  const pauseMenu = h("div", { id: "pause-menu", class: "menu-items pause-menu", role: "menu", hidden: true });
  const phoneLine = h("div", { id: "phone-line", class: "phone-line" });
  const connBanner = h("div", { id: "connection-banner", class: "conn-lost", role: "alert", hidden: true });
  const statusBanner = h("section", { id: "status-banner", class: "status-banner", role: "status", "aria-live": "polite", "data-layout": "status", "data-clipcheck": "" },
    h("div", { class: "status-line" }, statusDot, statusText, statusTimer, h("div", { class: "ready-wrap" }, readyBtn, pauseMenu)),
    phoneLine, connBanner);

  // --- Problem banner: one problem at a time, the most urgent, with its sentence --------------
  type Problem = { id: string; title: string; text: string; action?: [string, () => void] };
  const problems = new Map<string, Problem>();
  const order = ["ready", "omni", "mic", "phone", "audio"];
  const problemBox = h("div", { id: "problem", class: "problem", role: "alert", hidden: true, "data-layout": "problem" });
  // A call's card that says the microphone sends only silence says it where the agent looks
  // during the call: the banner does not say it a second time (the gear keeps its badge).
  let micOnCard = false;
  const setProblem = (id: string, p: Omit<Problem, "id"> | null) => {
    if (p) problems.set(id, { id, ...p });
    else problems.delete(id);
    const top = order.filter((k) => !(k === "mic" && micOnCard)).map((k) => problems.get(k)).find(Boolean);
    problemBox.hidden = !top;
    problemBox.dataset.problem = top?.id ?? "";
    if (top) {
      const row = h("div", { class: "row problem-actions" });
      if (top.action) row.append(h("button", { type: "button", class: "small", id: "problem-action", onclick: top.action[1] }, top.action[0]));
      if (top.id === "omni" || top.id === "ready") row.append(h("button", { type: "button", class: "small ghost", id: "problem-dismiss", onclick: () => setProblem(top.id, null) }, "Dismiss"));
      problemBox.replaceChildren(h("strong", {}, top.title), h("p", {}, top.text), row);
    }
    gearBadge.hidden = !problems.has("mic") && !problems.has("audio");
    gear.setAttribute("aria-label", gearBadge.hidden ? "Settings" : "Settings: the microphone needs attention");
    publish({ problem: top?.id ?? "" });
  };

  // --- Settings and shortcut sheets -----------------------------------------------------------
  const audioSection = audioPanel({
    checkNow: webrtc,
    onProblem: (p: AudioProblem | null) => setProblem("mic", p ? { ...p, action: ["Audio settings", () => settingsSheet.show()] } : null),
  });
  const omniNote = h("p", { id: "omni-status", class: "hint" });
  // An external agent without Hot Desk: where the calls ring, changeable here.
  const lineSection = a.typology === "external" && !a.phone
    ? lineChooser(a, "settings-line", async (l) => { await session.setLine(l); })
    : null;
  const settingsSheet = sheet("settings", "Settings", [...(lineSection ? [h("section", { class: "settings-line" }, lineSection.el)] : []), audioSection.el, h("section", { class: "settings-omni" }, h("h3", {}, "Omni Desktop"), omniNote),
    h("button", { type: "button", class: "small ghost", id: "settings-shortcuts", onclick: () => shortcutSheet.show() }, "Keyboard shortcuts (F1)"),
    h("button", { type: "button", class: "small ghost", id: "settings-doctor", onclick: () => openDoctor() }, "Check the connection (Doctor)")]);
  gear.addEventListener("click", () => (settingsSheet.isOpen() ? settingsSheet.close() : settingsSheet.show()));
  // The Doctor page over the bar, for this session (the doctor neither logs in again nor
  // registers a second phone): drawn anew at each opening.
  const doctorBody = h("div", { class: "doctor-sheet" });
  const doctorSheet = sheet("doctor", "Doctor", [doctorBody], { onClose: () => publish({ screen: "home" }) });
  const openDoctor = () => {
    doctorBody.replaceChildren(doctorView({ server: "", user: "", password: "", session: true }, () => doctorSheet.close()));
    doctorSheet.show();
  };
  const shortcutSheet = sheet("shortcuts", "Keyboard shortcuts", [
    h("table", { class: "shortcuts" }, h("tbody", {}, ...shortcuts.map(([k, what]) => h("tr", {}, h("th", {}, h("kbd", {}, k)), h("td", {}, what))))),
  ]);

  // --- The phone ------------------------------------------------------------------------------
  const phoneSection = webrtc ? phonePanel({
    onView: (pv) => {
      micOnCard = pv.calls.some((c) => c.state !== "ended" && (c.quality?.codes ?? []).includes("silent_mic"));
      showStatus();
      phoneProblem(pv);
    },
  }) : null;
  const phoneProblem = (pv: PhoneView) => setProblem("phone", pv.problem ? { title: pv.registration === "failed" ? "Phone not registered" : "Phone", text: pv.problem } : null);

  // --- Ready / Not ready ----------------------------------------------------------------------
  let ready = !!v.ready;
  let readyBusy = "";
  let since = Date.now();
  let lastKind = "";
  // The server's status (SessionView.status): ready, or paused with its reason (none: not ready).
  const status = (): AgentStatus => {
    const st = sv.status;
    const kind = ready ? "ready" : st?.pauseType ? "paused" : "not-ready";
    const key = `${kind}:${st?.pauseTypeId ?? 0}`;
    if (key !== lastKind) { lastKind = key; since = Date.now(); }
    return { kind, reason: st?.pauseType ?? "", since: st?.sinceMs || since };
  };
  const toggleReady = async () => {
    if (readyBtn.disabled) return;
    const want = !ready;
    readyBtn.disabled = true;
    setProblem("ready", null);
    publish({ error: "" });
    readyBusy = want && webrtc ? "Checking microphone…" : want ? "Going ready…" : "Pausing…";
    showStatus();
    try {
      ready = !!(await session.setReady(want)).ready;
    } catch (err) {
      const e = asUIError(err);
      setProblem("ready", {
        title: e.code === "MICROPHONE_NEEDED" ? "Still not ready: check your microphone" : "Status not changed", text: e.message,
        action: e.code === "MICROPHONE_NEEDED" ? ["Audio settings", () => settingsSheet.show()] : undefined,
      });
      publish({ error: e.code });
    } finally {
      readyBtn.disabled = false;
      readyBusy = "";
      showStatus();
      publish({ ready });
    }
  };
  // Pause with a reason: the server's pause types, offered when the agent pauses from the banner.
  const closePause = (focusBtn = true) => { pauseMenu.hidden = true; readyBtn.setAttribute("aria-expanded", "false"); if (focusBtn) readyBtn.focus(); };
  const pause = async (id: number) => {
    closePause();
    readyBtn.disabled = true;
    setProblem("ready", null);
    readyBusy = "Pausing…";
    showStatus();
    try {
      const nv = await session.pause(id);
      ready = !!nv.ready;
      sv = nv;
    } catch (err) {
      const e = asUIError(err);
      setProblem("ready", { title: "Status not changed", text: e.message });
      publish({ error: e.code });
    } finally {
      readyBtn.disabled = false;
      readyBusy = "";
      showStatus();
      publish({ ready });
    }
  };
  const showPauseMenu = () => {
    const types = sv.pauseTypes ?? [];
    pauseMenu.replaceChildren(
      ...types.map((p) => h("button", { type: "button", class: "ghost", role: "menuitem", "data-pause": String(p.id), onclick: () => void pause(p.id) }, p.name)),
      h("button", { type: "button", class: "ghost", role: "menuitem", "data-pause": "0", onclick: () => void pause(0) }, "Not ready (no reason)"));
    pauseMenu.hidden = false;
    readyBtn.setAttribute("aria-expanded", "true");
    queueMicrotask(() => pauseMenu.querySelector<HTMLElement>("button")?.focus());
  };
  pauseMenu.addEventListener("keydown", (ev) => {
    const items = [...pauseMenu.querySelectorAll<HTMLElement>("button")];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); closePause(); }
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      items[(i + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
    }
  });
  document.addEventListener("click", (ev) => { if (!pauseMenu.hidden && !pauseMenu.contains(ev.target as Node) && ev.target !== readyBtn) closePause(false); });
  readyBtn.addEventListener("click", () => {
    if (ready && (sv.pauseTypes ?? []).length > 0) {
      if (pauseMenu.hidden) showPauseMenu(); else closePause();
      return;
    }
    void toggleReady();
  });

  const connText: Record<string, string> = {
    reconnecting: "Connection to the server lost. Reconnecting…",
    offline: "Not connected to the server. Check the network; the Phonebar keeps trying.",
  };
  const lineLabels: Record<string, string> = { internal: "your extension", phone: "your phone", mobile: "your mobile" };
  // showStatus writes the banner from the session and the phone: the single truth of the bar.
  const showStatus = () => {
    const st = status();
    const kindText = st.kind === "ready" ? "Ready" : st.kind === "paused" ? (st.reason ? `Paused · ${st.reason}` : "Paused") : "Not ready";
    // The kind never ends in an ellipsis; a long pause reason may (its title holds it whole).
    const reason = !readyBusy && st.kind === "paused" ? st.reason : "";
    statusText.replaceChildren(h("span", { class: "status-kind" }, readyBusy || (st.kind === "paused" ? "Paused" : kindText)),
      ...(reason ? [sep(), fitted("status-reason", reason)] : []));
    statusBanner.dataset.status = readyBusy ? "busy" : st.kind;
    statusTimer.dataset.since = readyBusy ? "" : String(st.since);
    readyBtn.textContent = ready ? ((sv.pauseTypes ?? []).length ? "Pause ▾" : "Pause") : "Go ready";
    readyBtn.setAttribute("aria-haspopup", ready && (sv.pauseTypes ?? []).length ? "menu" : "false");
    readyBtn.title = ready ? "Stop taking contacts (Ctrl+Shift+R)" : "Take contacts (Ctrl+Shift+R)";
    readyBtn.setAttribute("aria-pressed", String(ready));
    readyBtn.dataset.state = ready ? "ready" : "not-ready";

    // The second line: the connection, else the call in progress, else the phone.
    const conn = sv.connection;
    connBanner.hidden = conn !== "reconnecting" && conn !== "offline";
    connBanner.textContent = connText[conn] ?? "";
    phoneLine.hidden = !connBanner.hidden;
    let line: (Node | string)[] = [];
    let phoneState = "idle";
    if (phoneSection) {
      const pv = phoneSection.view();
      const calls = pv.calls.filter((c) => c.state !== "ended");
      const ringing = calls.find((c) => c.state === "ringing" && c.direction === "in");
      const active = calls.find((c) => c.state === "active");
      const held = calls.filter((c) => c.state === "held");
      const out = calls.find((c) => c.state === "dialing" || (c.state === "ringing" && c.direction === "out"));
      const heldTime = (c: { id: string; heldAt?: number }) => {
        const el = document.querySelector<HTMLElement>(`[data-call="${c.id}"] .hold-time`);
        return h("span", { class: "mono", "data-since": c.heldAt ? String(c.heldAt) : el?.dataset.since ?? "" });
      };
      // The line never clips its state words: only the name may end in an ellipsis (fitText: its
      // title holds it whole, and no space or gap comes before the next part); the prefix
      // ("Connected: ") is shown only while the name fits whole beside it.
      const name = (c: { remote: string; remoteName?: string }) => fitted("ph-name", who(c));
      const prefix = (t: string) => h("span", { class: "ph-prefix gives-way" }, t);
      if (active) {
        phoneState = active.muted ? "muted" : "connected";
        line = [h("span", { class: "ph-icon" }, active.muted ? "🔇" : "📞"), prefix("Connected: "), name(active), sep(), h("span", { class: "mono", "data-since": String(active.answeredAt || "") }),
          ...(active.muted ? [sep("ph-muted"), h("strong", { class: "ph-muted" }, "Muted")] : [])];
        if (held.length) line.push(sep(), h("span", { class: "ph-held" }, `+${held.length} held`));
      } else if (held.length) {
        phoneState = "held";
        line = [h("span", { class: "ph-icon" }, "⏸"), prefix("On hold: "), name(held[0]), sep(), heldTime(held[0])];
        if (held.length > 1) line.push(sep(), h("span", { class: "ph-held" }, `+${held.length - 1} held`));
      } else if (ringing) {
        phoneState = "ringing";
        line = [h("span", { class: "ph-icon" }, "🔔"), prefix("Ringing: "), name(ringing)];
      } else if (out) {
        phoneState = "dialing";
        line = [h("span", { class: "ph-icon" }, "↗"), prefix("Calling "), name(out), h("span", {}, "…")];
      } else {
        phoneState = pv.registration;
        const regText: Record<string, string> = { off: "No phone for this account", registering: "Phone connecting…", registered: "Phone ready", failed: "Phone not registered" };
        line = [h("span", { class: "dot reg-dot", "aria-hidden": "true" }), ...(pv.registration === "registered" && pv.account
          ? [h("span", {}, regText.registered), sep(), fitted("ph-account", pv.account)] : [h("span", {}, regText[pv.registration] ?? pv.registration)])];
      }
      // (A call waiting is not said here: its takeover covers the banner while it rings.)
    } else if (sv.agent?.phone) {
      line = [h("span", {}, "Calls ring on the Hot Desk telephone "), h("strong", { class: "mono" }, sv.agent.phone)];
    } else if (sv.agent?.typology === "external") {
      const l = sv.agent.line || "internal";
      const num = lineChoices(sv.agent).find((c) => c.value === l)?.number ?? "";
      line = [h("span", {}, "Calls ring on "), h("strong", {}, lineLabels[l] ?? l), ...(num ? [sep(), fitted("mono", num)] : [])];
    } else {
      line = [h("span", {}, "Calls are handled in the Omni Desktop")];
    }
    phoneLine.dataset.phone = phoneState;
    phoneLine.replaceChildren(...line);
    tickClocks(statusBanner);
    refitAll(statusBanner);
    const text = `${wholeText(statusText)} · ${connBanner.hidden ? wholeText(phoneLine) : connBanner.textContent}`;
    publish({ status: text.replace(/\s+/g, " ").trim() });
    statusBanner.setAttribute("aria-label", text);
  };

  // --- Omni Desktop ---------------------------------------------------------------------------
  const openOmni = async () => {
    omniBtn.disabled = true;
    omniNote.textContent = "Opening the Omni Desktop…";
    setProblem("omni", null);
    try {
      const o = await omni.open();
      omniNote.textContent = o.phoneOwner ? `Omni Desktop open. ${o.phoneOwner}` : "Omni Desktop open.";
      omniBtn.setAttribute("aria-pressed", "true");
      omniBtn.classList.add("on");
    } catch (err) {
      const m = asUIError(err).message;
      omniNote.textContent = m;
      setProblem("omni", { title: "Omni Desktop not opened", text: m });
    } finally {
      omniBtn.disabled = false;
    }
  };
  omniBtn.addEventListener("click", () => void openOmni());
  const offOmni = on("omni", (o) => {
    omniBtn.setAttribute("aria-pressed", String(o.open));
    omniBtn.classList.toggle("on", o.open);
    omniBtn.title = o.open ? "The Omni Desktop is open (Ctrl+D brings it back)" : "Open the Omni Desktop (Ctrl+D)";
    if (!o.open) omniNote.textContent = "";
  });

  // --- Log out and quit: asked first during a call ---------------------------------------------
  const liveCalls = () => phoneSection?.view().calls.filter((c) => c.state !== "ended") ?? [];
  const askDuringCall = async (what: string, yes: string): Promise<boolean> => {
    const calls = liveCalls();
    if (calls.length === 0) return true;
    const names = calls.map((c) => who(c)).join(", ");
    return confirmSheet(el, {
      title: `${what} during a call?`,
      text: `You are on ${calls.length === 1 ? "a call" : `${calls.length} calls`} with ${names}. ${what} ends ${calls.length === 1 ? "it" : "them"} and closes the Omni Desktop.`,
      yes, no: calls.length > 1 ? "Stay on the calls" : "Stay on the call",
    });
  };
  const logout = async (forget: boolean) => {
    menu.open = false;
    const n = liveCalls().length > 1 ? "calls" : "call";
    if (!(await askDuringCall("Logging out", forget ? `Log out, forget me and end the ${n}` : `Log out and end the ${n}`))) return;
    try {
      deps.onLoggedOut(await session.logout(forget));
    } catch (err) {
      setProblem("omni", { title: "Log out", text: asUIError(err).message });
    }
  };
  const quit = async () => {
    menu.open = false;
    if (!(await askDuringCall("Quitting", liveCalls().length > 1 ? "Quit and end the calls" : "Quit and end the call"))) return;
    await session.quit();
  };
  // The app asks before the window closes during a call (the close button, the taskbar).
  const offClose = on("close-requested", () => void quit());

  // --- Layout ---------------------------------------------------------------------------------
  const top = h("div", { class: "top" }, header, statusBanner, phoneSection?.dial ?? null, phoneSection?.incoming ?? null);
  const body = h("div", { class: "body", id: "bar-body" },
    phoneSection?.calls ?? null,
    problemBox,
    deps.notices,
    phoneSection?.pad ?? null,
    phoneSection?.recent ?? null);
  const el = h("main", { class: "home" }, top, body, settingsSheet.el, shortcutSheet.el, doctorSheet.el);
  // The body scrolls only when the agent scrolls it: a focused element inside it may bring itself
  // into view, but the top area never leaves the window.

  const update = (nv: SessionView) => {
    sv = nv;
    if (!readyBtn.disabled && typeof nv.ready === "boolean") ready = nv.status ? nv.status.ready : nv.ready;
    showStatus();
    publish({ banner: !connBanner.hidden, ready });
  };
  update(v);
  tickClocks(header); // the time logged in shows from the first frame, not a second later

  const onKey = (ev: KeyboardEvent) => {
    if (ev.defaultPrevented) return;
    const k = ev.key.toLowerCase();
    if (ev.key === "F1" || (ev.key === "?" && !isTyping())) {
      ev.preventDefault();
      if (shortcutSheet.isOpen()) shortcutSheet.close(); else shortcutSheet.show();
      return;
    }
    if (ev.key === "F10") {
      ev.preventDefault();
      if (openSheet()) return;
      menu.open = true;
      queueMicrotask(() => menuItems.querySelector<HTMLElement>("button")?.focus());
      return;
    }
    if (ev.ctrlKey && !ev.shiftKey && ev.key === ",") {
      ev.preventDefault();
      settingsSheet.show();
      return;
    }
    if (ev.ctrlKey && !ev.shiftKey && k === "d") {
      ev.preventDefault();
      if (!omniBtn.disabled) void openOmni();
    }
    if (ev.ctrlKey && ev.shiftKey && k === "r") {
      ev.preventDefault();
      void toggleReady();
    }
  };
  document.addEventListener("keydown", onKey);
  const observer = new MutationObserver(() => {
    if (!el.isConnected) {
      document.removeEventListener("keydown", onKey);
      audioSection.dispose(); phoneSection?.dispose(); offOmni(); offClose();
      observer.disconnect();
    }
  });
  queueMicrotask(() => el.parentNode && observer.observe(el.parentNode, { childList: true }));
  // The keyboard starts where the agent works: the dial field, else the status toggle.
  queueMicrotask(() => (phoneSection ? phoneSection.focusDial() : readyBtn.focus()));
  queueMicrotask(measureLayout);
  void party;
  return { el, update };
}
