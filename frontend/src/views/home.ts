// The logged-in bar: who the agent is, the server connection, the Omni Desktop button, log out.

import { asUIError, omni, session, type SessionView } from "../api";
import { publish } from "../state";
import { h, initials, typologyLabel } from "../dom";
import { audioPanel } from "./audio";
import { phonePanel } from "./phone";

export interface HomeDeps {
  onLoggedOut(v: SessionView): void;
}

const connectionText: Record<string, string> = {
  connected: "Connected",
  reconnecting: "Connection lost — reconnecting…",
  offline: "Offline",
  "": "Connecting…",
};

export function homeView(v: SessionView, deps: HomeDeps): { el: HTMLElement; update(v: SessionView): void } {
  const a = v.agent!;
  const dot = h("span", { class: "dot", "aria-hidden": "true" });
  const connLabel = h("span", { id: "connection-state" });
  const conn = h("div", { class: "conn", title: v.server }, dot, connLabel);
  const banner = h("div", { id: "connection-banner", class: "alert warn banner", role: "status", hidden: true });
  const status = h("p", { id: "omni-status", class: "hint", role: "status" });

  const openOmni = async () => {
    globe.disabled = true;
    status.textContent = "Opening the Omni Desktop…";
    try {
      const o = await omni.open();
      status.textContent = o.phoneOwner ? `Omni Desktop open. ${o.phoneOwner}` : "Omni Desktop open.";
    } catch (err) {
      status.textContent = asUIError(err).message;
    } finally {
      globe.disabled = false;
    }
  };
  const globe = h("button", {
    id: "omni", class: "globe primary", type: "button", title: "Open the Omni Desktop (Ctrl+D)", onclick: openOmni,
  }, h("span", { class: "icon", "aria-hidden": "true" }, "🌐"), h("span", {}, "Omni Desktop"));

  const logout = async (forget: boolean) => {
    try {
      deps.onLoggedOut(await session.logout(forget));
    } catch (err) {
      status.textContent = asUIError(err).message;
    }
  };

  // Ready / Not ready: a WebRTC agent's microphone is checked first, and one that does not work
  // keeps the agent not ready with a sentence that says what to do.
  let ready = !!(v as SessionView).ready;
  const readyBtn = h("button", { id: "ready", type: "button", class: "ready-toggle", "aria-pressed": "false" });
  const readyNote = h("div", { id: "ready-note", class: "alert warn", role: "alert", hidden: true });
  const showReady = (busyText = "") => {
    readyBtn.setAttribute("aria-pressed", String(ready));
    readyBtn.dataset.state = busyText ? "busy" : ready ? "ready" : "not-ready";
    readyBtn.title = ready ? "You take contacts. Click to pause (Ctrl+Shift+R)" : "You are paused. Click to take contacts (Ctrl+Shift+R)";
    readyBtn.replaceChildren(h("span", { class: "dot", "aria-hidden": "true" }), h("span", {}, busyText || (ready ? "Ready" : "Not ready")));
  };
  const toggleReady = async () => {
    if (readyBtn.disabled) return;
    const want = !ready;
    readyBtn.disabled = true;
    readyNote.hidden = true;
    publish({ error: "" });
    showReady(want && webrtc ? "Checking microphone…" : want ? "Going ready…" : "Pausing…");
    try {
      ready = !!(await session.setReady(want)).ready;
    } catch (err) {
      const e = asUIError(err);
      readyNote.replaceChildren(h("strong", {}, e.code === "MICROPHONE_NEEDED" ? "Still not ready: check your microphone" : "Status not changed"), h("p", {}, e.message));
      readyNote.hidden = false;
      publish({ error: e.code });
    } finally {
      readyBtn.disabled = false;
      showReady();
      publish({ ready });
    }
  };
  readyBtn.addEventListener("click", () => void toggleReady());
  showReady();

  // A WebRTC agent's calls go through this computer: the Phonebar is the phone, and the microphone
  // is checked at once.
  const webrtc = a.typology === "webrtc";
  const audioSection = audioPanel({ checkNow: webrtc });
  const phoneSection = webrtc ? phonePanel() : null;
  const menu = h("details", { class: "menu", id: "account-menu" },
    h("summary", { id: "account", title: "Log out" }, "Log out"),
    h("div", { class: "menu-items" },
      h("button", { id: "logout", type: "button", class: "ghost", onclick: () => logout(false) }, "Log out"),
      h("button", { id: "forget", type: "button", class: "ghost danger", onclick: () => logout(true), title: "Log out and delete the saved password" }, "Log out and forget me"),
    ));
  const el = h("main", { class: "home" },
    banner,
    h("header", { class: "agent" },
      h("div", { class: "avatar", "aria-hidden": "true" }, initials(a.fullname || a.name)),
      h("div", { class: "who" },
        h("div", { id: "agent-fullname", class: "name" }, a.fullname || a.name),
        h("div", { class: "meta" },
          h("span", { id: "agent-typology", class: "badge" }, typologyLabel(a.typology || a.role)),
          a.internal ? h("span", { class: "dim" }, `ext. ${a.internal}`) : null,
          h("span", { class: "dim mono" }, a.name)),
      ),
      menu,
    ),
    h("div", { class: "status-row" }, conn, readyBtn),
    readyNote,
    globe,
    status,
    audioSection.el,
    phoneSection?.el,
  );

  const update = (nv: SessionView) => {
    if (!readyBtn.disabled && typeof (nv as SessionView).ready === "boolean") { ready = (nv as SessionView).ready; showReady(); }
    conn.dataset.state = nv.connection || "connecting";
    connLabel.textContent = connectionText[nv.connection] ?? nv.connection;
    banner.hidden = nv.connection !== "reconnecting" && nv.connection !== "offline";
    banner.textContent = nv.connection === "offline"
      ? "Not connected to the server. Check the network; the Phonebar keeps trying."
      : "Connection to the server lost. Reconnecting…";
  };
  update(v);

  const onKey = (ev: KeyboardEvent) => {
    if (ev.ctrlKey && (ev.key === "d" || ev.key === "D")) {
      ev.preventDefault();
      if (!globe.disabled) void openOmni();
    }
    if (ev.ctrlKey && ev.shiftKey && (ev.key === "r" || ev.key === "R")) {
      ev.preventDefault();
      void toggleReady();
    }
  };
  document.addEventListener("keydown", onKey);
  const observer = new MutationObserver(() => {
    if (!el.isConnected) { document.removeEventListener("keydown", onKey); audioSection.dispose(); phoneSection?.dispose(); observer.disconnect(); }
  });
  queueMicrotask(() => el.parentNode && observer.observe(el.parentNode, { childList: true }));
  queueMicrotask(() => globe.focus());
  return { el, update };
}
