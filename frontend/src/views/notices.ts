// The notices of the login on the bar (password expiry with the offered change, license), each
// dismissed for the rest of the session. main.ts places it in the home view under the banner.

import "../login.css";
import { publish } from "../state";
import { h } from "../dom";
import { session, type SessionView } from "../api";
import { passwordForm } from "./password";

export function noticesArea(): { el: HTMLElement; update(v: SessionView): void } {
  const el = h("section", { id: "notices", class: "notices", "aria-label": "Notices" });
  let formOpen = false;
  let last: SessionView | undefined;

  const update = (v: SessionView) => {
    last = v;
    publish({ notices: (v.notices ?? []).map((n) => n.id) });
    if (formOpen) return; // never redraw under what the agent is typing
    const lineText: Record<string, string> = { internal: "your extension", phone: "your phone", mobile: "your mobile" };
    const phone = v.agent?.phone
      ? h("p", { id: "hotdesk-phone", class: "session-fact" }, "Calls ring on the Hot Desk telephone ", h("strong", { class: "mono" }, v.agent.phone), ".")
      : v.agent?.typology === "external"
        ? h("p", { id: "line-fact", class: "session-fact" }, "Calls ring on ", h("strong", {}, lineText[v.agent.line || "internal"] ?? v.agent.line ?? ""),
          v.agent.line && v.agent.line !== "internal" ? "" : ` (ext. ${v.agent.internal})`, ". You choose this at login.")
        : null;
    el.replaceChildren(...(phone ? [phone] : []), ...v.notices.map((n) => {
      const box = h("div", { class: `alert ${n.id === "license" ? "info" : "warn"} notice`, id: `notice-${n.id}`, role: "status" },
        h("strong", {}, n.id === "license" ? "License" : "Password"),
        h("p", {}, n.text + "."));
      const row = h("div", { class: "row" });
      if (n.action === "change-password") {
        row.append(h("button", {
          type: "button", id: "notice-change-password", class: "primary small",
          onclick: () => {
            formOpen = true;
            el.replaceChildren(passwordForm(last ?? v, false, {
              onChanged: (nv) => { formOpen = false; update(nv); },
              onCancel: () => { formOpen = false; update(last ?? v); },
            }));
          },
        }, "Change password"));
      }
      row.append(h("button", {
        type: "button", class: "ghost small", id: `notice-dismiss-${n.id}`,
        onclick: async () => update(await session.dismiss(n.id)),
      }, "Dismiss"));
      box.append(row);
      return box;
    }));
    el.hidden = el.childElementCount === 0;
  };
  return { el, update };
}
