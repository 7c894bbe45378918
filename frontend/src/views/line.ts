// Where an external agent's calls ring: the extension, the agent's phone or mobile, each with the
// number that will ring. Asked once before the bar at the first login here (the answer is kept for
// the next logins), and changeable in the settings.

import "../login.css";
import { asUIError, session, type SessionView } from "../api";
import { h } from "../dom";
import { publish } from "../state";

type Agent = NonNullable<SessionView["agent"]>;

/** The lines an external agent may choose, with the number each rings ("" when none is set). */
export function lineChoices(a: Agent): { value: string; label: string; number: string }[] {
  return [
    { value: "internal", label: "My extension", number: a.internal ? `ext. ${a.internal}` : "" },
    { value: "phone", label: "My phone", number: a.phoneNumber ?? "" },
    { value: "mobile", label: "My mobile", number: a.mobileNumber ?? "" },
  ];
}

/** lineChooser is the choice as radio cards; apply(line) is called when the agent picks one. */
export function lineChooser(a: Agent, name: string, apply: (line: string) => Promise<void>): { el: HTMLElement; value(): string; set(line: string): void } {
  const status = h("p", { class: "hint line-status", role: "status", "aria-live": "polite" });
  const cards = lineChoices(a).map((c) => {
    const input = h("input", { type: "radio", name, value: c.value, id: `${name}-${c.value}`, disabled: !c.number });
    return { c, input, el: h("label", { class: "check line-card", for: `${name}-${c.value}` }, input,
      h("span", { class: "line-text" }, h("strong", {}, c.label),
        h("span", { class: "line-number mono" }, c.number || "no number on your account"))) };
  });
  const set = (line: string) => { for (const k of cards) k.input.checked = k.c.value === (line || "internal"); };
  set(a.line ?? "");
  let seq = 0;
  for (const k of cards) {
    k.input.addEventListener("change", async () => {
      if (!k.input.checked) return;
      const mine = ++seq;
      status.textContent = "Saving…";
      try {
        await apply(k.c.value);
        if (mine === seq) status.textContent = k.c.number ? `Calls now ring on ${k.c.label.toLowerCase()}: ${k.c.number}.` : "";
      } catch (err) {
        if (mine === seq) status.textContent = asUIError(err).message;
      }
    });
  }
  const el = h("fieldset", { class: "line-choice", id: name, "data-layout": name, "data-clipcheck": "" },
    h("legend", {}, "Calls ring on"), ...cards.map((k) => k.el), status);
  return { el, value: () => cards.find((k) => k.input.checked)?.c.value ?? "internal", set };
}

/** lineView is the whole window at an external agent's first login: the choice, then the bar. */
export function lineView(v: SessionView, deps: { onChosen(v: SessionView): void; onLogout(): void }): HTMLElement {
  const a = v.agent!;
  const errorBox = h("div", { id: "line-error", class: "alert error", role: "alert", hidden: true });
  const chooser = lineChooser(a, "first-line", async () => {});
  const go = h("button", { id: "line-continue", type: "submit", class: "primary", "data-layout": "line-continue" }, "Continue");
  const form = h("form", { class: "inline-form first-line" },
    h("strong", {}, "Where should your calls ring?"),
    h("p", { class: "hint" }, "Your calls come to one of your numbers. The Phonebar remembers your choice; you can change it any time in Settings."),
    chooser.el, errorBox, h("div", { class: "row" }, go));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    go.disabled = true;
    errorBox.hidden = true;
    try {
      deps.onChosen((await session.setLine(chooser.value())) as SessionView);
    } catch (err) {
      const e = asUIError(err);
      errorBox.replaceChildren(h("strong", {}, "Not saved"), h("p", {}, e.message));
      errorBox.hidden = false;
      publish({ error: e.code });
    } finally {
      go.disabled = false;
    }
  });
  // The form's own heading asks the question: the choice's "Calls ring on" would repeat it on the
  // screen, so it is left to screen readers (it names the group).
  chooser.el.querySelector("legend")?.classList.add("visually-hidden");
  queueMicrotask(() => form.querySelector<HTMLInputElement>("input:checked")?.focus());
  return h("main", { class: "login" },
    h("header", { class: "brand" }, h("div", { class: "logo", "aria-hidden": "true" }, "☎"), h("h1", {}, "Phonebar")),
    h("p", { class: "hint who" }, `${a.fullname || a.name} on ${v.server}`),
    form,
    h("div", { class: "row" }, h("button", { type: "button", id: "line-logout", class: "link", onclick: deps.onLogout }, "Log out")));
}
