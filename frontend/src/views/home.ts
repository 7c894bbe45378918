// The logged-in bar: who the agent is, the server connection, the Omni Desktop button, log out.

import { asUIError, omni, session, type SessionView } from "../api";
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
    conn,
    globe,
    status,
    audioSection.el,
    phoneSection?.el,
  );

  const update = (nv: SessionView) => {
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
  };
  document.addEventListener("keydown", onKey);
  const observer = new MutationObserver(() => {
    if (!el.isConnected) { document.removeEventListener("keydown", onKey); audioSection.dispose(); phoneSection?.dispose(); observer.disconnect(); }
  });
  queueMicrotask(() => el.parentNode && observer.observe(el.parentNode, { childList: true }));
  queueMicrotask(() => globe.focus());
  return { el, update };
}
