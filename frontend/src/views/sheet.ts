// A sheet over the bar: settings, the shortcut list, a question before ending a call. Only one is open
// at a time; it never opens by itself (the agent asks for it), Escape closes it and the focus goes
// back where it was. The bar under it does not move.

import { h } from "../dom";
import { publish } from "../state";

let open: { name: string; close(): void } | undefined;

export interface Sheet {
  el: HTMLElement;
  show(): void;
  close(): void;
  isOpen(): boolean;
}

/** sheet makes a sheet named name (published as the window's "sheet") with a title and a body. */
export function sheet(name: string, title: string, body: Node[], opts: { onClose?(): void; focus?: () => HTMLElement | null } = {}): Sheet {
  let back: HTMLElement | null = null;
  const closeBtn = h("button", { type: "button", class: "ghost icon-btn sheet-close", "aria-label": `Close ${title}`, title: "Close (Esc)" }, "✕");
  const el = h("div", { class: "sheet", id: `sheet-${name}`, role: "dialog", "aria-modal": "true", "aria-label": title, hidden: true },
    h("div", { class: "sheet-head" }, h("h2", {}, title), closeBtn),
    h("div", { class: "sheet-body" }, ...body));
  const s: Sheet = {
    el,
    isOpen: () => !el.hidden,
    show() {
      if (open && open.name !== name) open.close();
      if (!el.hidden) return;
      back = document.activeElement as HTMLElement | null;
      el.hidden = false;
      open = { name, close: s.close };
      publish({ sheet: name });
      // Focus now and once more after the task: a menu closing under it must not keep the focus.
      const focus = () => ((opts.focus?.() ?? el.querySelector<HTMLElement>("select, input:checked, input:not([type=radio]), button:not(.sheet-close)")) ?? closeBtn).focus();
      focus();
      window.setTimeout(() => { if (!el.hidden && !el.contains(document.activeElement)) focus(); }, 50);
    },
    close() {
      if (el.hidden) return;
      el.hidden = true;
      if (open?.name === name) open = undefined;
      publish({ sheet: open?.name ?? "" });
      opts.onClose?.();
      if (back && back.isConnected) back.focus();
    },
  };
  closeBtn.addEventListener("click", () => s.close());
  el.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      ev.preventDefault();
      ev.stopPropagation();
      s.close();
    }
    // Tab stays inside the sheet.
    if (ev.key === "Tab") {
      const f = [...el.querySelectorAll<HTMLElement>("button, select, input, summary, [tabindex='0']")].filter((x) => x.getClientRects().length > 0 && !(x as HTMLButtonElement).disabled);
      if (f.length === 0) return;
      const i = f.indexOf(document.activeElement as HTMLElement);
      if (ev.shiftKey && i <= 0) { ev.preventDefault(); f[f.length - 1].focus(); }
      if (!ev.shiftKey && i === f.length - 1) { ev.preventDefault(); f[0].focus(); }
    }
  });
  return s;
}

// Escape closes the open sheet wherever the focus is.
document.addEventListener("keydown", (ev) => {
  if (ev.key === "Escape" && open && !ev.defaultPrevented) {
    ev.preventDefault();
    open.close();
  }
});

/** openSheet is the name of the sheet open now, "" when none. */
export function openSheet(): string {
  return open?.name ?? "";
}

/** confirm asks a question in a sheet and resolves true when the agent confirms. */
export function confirmSheet(host: HTMLElement, q: { title: string; text: string; yes: string; no: string }): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false;
    const done = (v: boolean) => {
      if (answered) return;
      answered = true;
      s.close();
      s.el.remove();
      resolve(v);
    };
    const no = h("button", { type: "button", id: "confirm-no", class: "primary", "data-layout": "confirm-no" }, q.no);
    const yes = h("button", { type: "button", id: "confirm-yes", class: "danger-fill" }, q.yes);
    no.addEventListener("click", () => done(false));
    yes.addEventListener("click", () => done(true));
    const s = sheet("confirm", q.title, [h("p", { class: "confirm-text" }, q.text), h("div", { class: "row confirm-row" }, yes, no)],
      { onClose: () => done(false), focus: () => no });
    host.append(s.el);
    s.show();
  });
}
