// The notices of the login on the bar (password expiry with the offered change, license, a link
// handed over that was not dialled or waits for the phone), each dismissed for the rest of the
// session. The home view places them in its body, under the calls.
// (Where calls ring, Hot Desk or the external agent's line, is on the status banner.)

import "../login.css";
import { publish } from "../state";
import { h } from "../dom";
import { session, type SessionView } from "../api";
import { passwordForm } from "./password";

/** Headings of the notices; the password ones have none of their own. */
const titles: Record<string, string> = { license: "License", dial: "Click to dial" };

export function noticesArea(): { el: HTMLElement; update(v: SessionView): void } {
  const el = h("section", { id: "notices", class: "notices", "aria-label": "Notices" });
  let formOpen = false;
  let last: SessionView | undefined;

  const update = (v: SessionView) => {
    last = v;
    publish({ notices: (v.notices ?? []).map((n) => n.id) });
    if (formOpen) return; // never redraw under what the agent is typing
    el.replaceChildren(...v.notices.map((n) => {
      const box = h("div", { class: `alert ${n.id === "license" ? "info" : "warn"} notice`, id: `notice-${n.id}`, role: "status" },
        h("strong", {}, titles[n.id] ?? "Password"),
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
