// The softphone panel: registration, the dial field and pad, incoming and active calls with their
// controls. Everything comes from the Go side (Phone.View and the "phone" event).

import { asUIError, on, phone, type CallView, type HistoryEntry, type PhoneView } from "../api";
import { h } from "../dom";
import { publish } from "../state";
import { app } from "../../wailsjs/go/models";

const regText: Record<string, string> = {
  off: "No phone for this account",
  registering: "Phone connecting…",
  registered: "Phone ready",
  failed: "Phone not registered",
};

const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

// party is the short name of a SIP address for a button: its user part ("sip:1002@pbx" -> "1002").
function party(remote: string): string {
  return remote.replace(/^sips?:/, "").replace(/@.*$/, "") || remote;
}

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function phonePanel(): { el: HTMLElement; dispose(): void } {
  const dot = h("span", { class: "dot", "aria-hidden": "true" });
  const reg = h("span", { id: "phone-registration" });
  const problem = h("p", { id: "phone-problem", class: "hint" });
  const target = h("input", {
    id: "dial", type: "text", inputmode: "tel", autocomplete: "off", spellcheck: "false",
    placeholder: "Number or SIP address", "aria-label": "Number to call",
  });
  const dialBtn = h("button", { id: "call", type: "submit", class: "call" }, "Call");
  const status = h("p", { id: "phone-status", class: "hint", role: "status" });
  // Spoken once when a call starts ringing; nothing else on the panel is a live region but status.
  const announce = h("p", { id: "phone-announce", class: "visually-hidden", "aria-live": "assertive" });
  // Focusable, so that digits typed during a call go out as DTMF (see onKey).
  const calls = h("div", { id: "calls", class: "calls", tabindex: "-1", "aria-label": "Calls" });
  const pad = h("div", { id: "dialpad", class: "dialpad", hidden: true });
  let view: PhoneView = app.PhoneView.createFrom({ registration: "off", account: "", problem: "", calls: [] });

  const activeCall = () => view.calls.find((c) => c.state === "active" || c.state === "held");
  // An attended transfer is ready when the agent has exactly one call on hold (the caller) and one
  // active call (the colleague consulted).
  const transferPair = (): { held: CallView; consult: CallView } | undefined => {
    const held = view.calls.filter((c) => c.state === "held");
    const active = view.calls.filter((c) => c.state === "active");
    return held.length === 1 && active.length === 1 ? { held: held[0], consult: active[0] } : undefined;
  };
  const completeTransfer = async (btn?: HTMLButtonElement) => {
    const pair = transferPair();
    if (!pair) return;
    const from = party(pair.held.remote), to = party(pair.consult.remote);
    if (btn) {
      btn.disabled = true;
      btn.textContent = "Transferring…";
    }
    status.textContent = `Transferring ${from} to ${to}…`;
    try {
      await phone.attendedTransfer(pair.held.id, pair.consult.id);
      status.textContent = `Transferred: ${from} is now talking with ${to}.`;
    } catch (e) {
      status.textContent = asUIError(e).message;
      if (btn && btn.isConnected) {
        btn.disabled = false;
        btn.textContent = `Transfer to ${to}`;
      }
    }
  };
  // The digits sent in the current call, shown so that the agent sees what an IVR received.
  // Keys go out one after the other, in the order typed (a digit lasts 160 ms on the wire).
  let sent = { call: "", digits: "" };
  let queue: Promise<void> = Promise.resolve();
  const press = (k: string) => {
    const c = activeCall();
    if (c && c.state === "active") {
      queue = queue.then(() => phone.dtmf(c.id, k)).then(() => {
        sent = { call: c.id, digits: (sent.call === c.id ? sent.digits : "") + k };
        status.textContent = `Keys sent: ${sent.digits}`;
      }).catch((e) => { status.textContent = asUIError(e).message; });
    } else {
      target.value += k;
      target.focus();
    }
  };
  pad.append(...keys.map((k) => h("button", { type: "button", class: "key", onclick: () => press(k) }, k)));
  const padToggle = h("button", {
    type: "button", id: "pad-toggle", class: "small ghost", title: "Dial pad",
    onclick: () => { pad.hidden = !pad.hidden; },
  }, "Keypad");

  const act = (fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
      status.textContent = "";
    } catch (e) {
      status.textContent = asUIError(e).message;
    }
  };

  const form = h("form", {
    class: "dial-row",
    onsubmit: async (ev: Event) => {
      ev.preventDefault();
      const t = target.value.trim();
      if (!t) {
        status.textContent = "Type a number or a SIP address to call.";
        target.focus();
        return;
      }
      dialBtn.disabled = true;
      try {
        const c = await phone.dial(t);
        status.textContent = "";
        // Answered: the number is on the call's card; the keys now dial DTMF unless the agent
        // has moved on to another field meanwhile. A refused call keeps the number for a retry.
        if (c.id) {
          if (target.value.trim() === t) target.value = "";
          if (document.activeElement === target || document.activeElement === document.body) calls.focus();
        }
      } catch (e) {
        status.textContent = asUIError(e).message;
      } finally {
        dialBtn.disabled = false;
      }
    },
  }, target, dialBtn);

  // A call's card, made once per call and updated in place (keyed by the call's ID), so that the
  // keyboard focus on Hold or Mute survives every event of the call.
  const makeCard = (id: string) => {
    const label = h("div", { class: "call-label" });
    const who = h("div", { class: "call-remote" });
    const whoBox = h("div", { class: "call-who" }, label, who);
    // role=timer: never read out every second; the agent asks for it.
    const timer = h("span", { class: "timer mono", role: "timer" });
    let c: CallView;
    const btn = (attrs: Record<string, unknown>, text: string, onclick: () => void) =>
      h("button", { type: "button", ...attrs, onclick }, text) as HTMLButtonElement;
    const answer = btn({ class: "answer", title: "Answer (Ctrl+Enter)", "data-action": "answer" }, "Answer", () => void act(() => phone.answer(c.id))());
    const reject = btn({ class: "hangup", "data-action": "reject" }, "Reject", () => void act(() => phone.reject(c.id))());
    const mute = btn({ class: "small", title: "Mute (Ctrl+M)", "data-action": "mute" }, "Mute", () => void act(() => phone.mute(c.id, !c.muted))());
    const hold = btn({ class: "small", title: "Hold (Ctrl+H)", "data-action": "hold" }, "Hold", () => void act(() => phone.hold(c.id, c.state !== "held"))());
    const transfer = btn({ class: "small", "data-action": "transfer" }, "Transfer", () => void act(async () => {
      const to = target.value.trim();
      if (!to) throw { code: "MISSING", message: "Type the number to transfer to in the dial field, then press Transfer." };
      await phone.transfer(c.id, to);
    })());
    const complete = btn({ id: `transfer-complete-${id}`, class: "small primary transfer-to", "data-action": "transfer-complete" }, "Transfer", () => void completeTransfer(complete));
    const hangup = btn({ class: "hangup", title: "Hang up (Ctrl+E)", "data-action": "hangup" }, "Hang up", () => void act(() => phone.hangup(c.id))());
    const buttons = h("div", { class: "call-buttons" }, complete, answer, reject, mute, hold, transfer, hangup);
    const el = h("div", { class: "call-card", "data-call": id, role: "group" }, h("div", { class: "call-head" }, whoBox, timer), buttons);
    const update = (next: CallView) => {
      c = next;
      const incoming = c.state === "ringing" && c.direction === "in";
      const inCall = c.state === "active" || c.state === "held";
      el.className = `call-card ${c.state}`;
      el.dataset.state = c.state;
      label.textContent = c.state === "ringing" ? (c.direction === "in" ? "Incoming call" : "Ringing…")
        : c.state === "dialing" ? "Calling…"
        : c.state === "held" ? (c.heldByRemote ? "Held by the other side" : "On hold")
        : "In call";
      whoBox.title = c.remote;
      if (c.remoteName) {
        who.className = "call-remote";
        who.replaceChildren(h("strong", { class: "call-name" }, c.remoteName), " ", h("span", { class: "mono dim" }, party(c.remote)));
      } else {
        who.className = "call-remote mono";
        who.textContent = party(c.remote);
      }
      el.setAttribute("aria-label", `${label.textContent} ${c.remoteName || party(c.remote)}`);
      timer.dataset.answered = String(c.answeredAt);
      timer.textContent = c.answeredAt ? clock(Date.now() - c.answeredAt) : "";
      answer.hidden = reject.hidden = !incoming;
      mute.hidden = hold.hidden = transfer.hidden = !inCall;
      hangup.hidden = incoming;
      mute.textContent = c.muted ? "Unmute" : "Mute";
      mute.setAttribute("aria-pressed", String(c.muted));
      hold.textContent = c.state === "held" ? "Resume" : "Hold";
      hold.setAttribute("aria-pressed", String(c.state === "held"));
      const pair = transferPair();
      complete.hidden = !(inCall && pair && pair.held.id === c.id);
      if (!complete.hidden && pair && !complete.disabled) {
        const to = party(pair.consult.remote);
        complete.textContent = `Transfer to ${to}`;
        complete.title = `Complete the transfer: connect ${party(c.remote)} with ${to} and leave both calls (Ctrl+T)`;
      }
    };
    return { el, update };
  };
  const cards = new Map<string, ReturnType<typeof makeCard>>();

  const render = (v: PhoneView) => {
    view = v;
    dot.parentElement!.dataset.state = v.registration;
    reg.textContent = v.registration === "registered" && v.account ? `${regText.registered} · ${v.account}` : regText[v.registration] ?? v.registration;
    problem.textContent = v.problem;
    problem.hidden = !v.problem;
    const live = v.calls.filter((c) => c.state !== "ended");
    for (const [id, card] of cards) {
      if (!live.some((c) => c.id === id)) {
        card.el.remove();
        cards.delete(id);
      }
    }
    live.forEach((c, i) => {
      let card = cards.get(c.id);
      if (!card) {
        card = makeCard(c.id);
        cards.set(c.id, card);
        if (c.state === "ringing" && c.direction === "in") announce.textContent = `Incoming call from ${c.remoteName || party(c.remote)}`;
      }
      card.update(c);
      // Moved only when the order changed: moving the focused card would lose the focus.
      if (calls.children[i] !== card.el) calls.insertBefore(card.el, calls.children[i] ?? null);
    });
    dialBtn.disabled = v.registration !== "registered";
    publish({ registration: v.registration, calls: live.map((c) => ({ id: c.id, state: c.state, muted: c.muted })) });
  };

  // Keyboard: Ctrl+Enter answers the ringing call, Ctrl+E ends the current call, Ctrl+H holds or
  // resumes it, Ctrl+M mutes, Ctrl+K goes to the dial field, Ctrl+T completes an attended transfer.
  const onKey = (ev: KeyboardEvent) => {
    // Digits typed during a call go out as DTMF, unless the agent is typing in a field (a number
    // to transfer to, a search).
    if (!ev.ctrlKey && !ev.altKey && !ev.metaKey && /^[0-9*#]$/.test(ev.key)) {
      const f = document.activeElement;
      const typing = f instanceof HTMLInputElement || f instanceof HTMLTextAreaElement || f instanceof HTMLSelectElement;
      const c = activeCall();
      if (c && c.state === "active" && !typing) {
        ev.preventDefault();
        press(ev.key);
      }
      return;
    }
    if (!ev.ctrlKey || ev.altKey || ev.metaKey) return;
    const ringing = view.calls.find((c) => c.state === "ringing" && c.direction === "in");
    const current = activeCall() ?? view.calls.find((c) => c.state === "dialing" || c.state === "ringing");
    let done = true;
    switch (ev.key.toLowerCase()) {
      case "enter":
        if (ringing) void act(() => phone.answer(ringing.id))();
        break;
      case "e":
        if (current) void act(() => phone.hangup(current.id))();
        break;
      case "h": {
        const c = activeCall();
        if (c) void act(() => phone.hold(c.id, c.state !== "held"))();
        break;
      }
      case "m": {
        const c = activeCall();
        if (c) void act(() => phone.mute(c.id, !c.muted))();
        break;
      }
      case "k":
        target.focus();
        break;
      case "t":
        if (transferPair()) void completeTransfer(calls.querySelector<HTMLButtonElement>("[data-action=transfer-complete]:not([hidden])") ?? undefined);
        break;
      default:
        done = false;
    }
    if (done) ev.preventDefault();
  };
  document.addEventListener("keydown", onKey);

  // Recent calls: the last ten, newest first; a click puts the number in the dial field.
  const recentList = h("ul", { id: "recent-calls", class: "recent" });
  const recent = h("details", { class: "recent-box" }, h("summary", {}, "Recent calls"), recentList);
  const outcomeText: Record<string, string> = {
    answered: "", missed: "missed", rejected: "rejected", failed: "failed", cancelled: "cancelled",
  };
  const showHistory = (list: HistoryEntry[]) => {
    recent.hidden = list.length === 0;
    recentList.replaceChildren(...list.slice(0, 10).map((e) => {
      const when = new Date(e.started);
      const label = `${e.direction === "in" ? "↙" : "↗"} ${e.remote}`;
      const detail = e.outcome === "answered" ? clock(e.seconds * 1000)
        : e.outcome === "transferred" ? `${clock(e.seconds * 1000)}, transferred` : outcomeText[e.outcome] ?? e.outcome;
      return h("li", {},
        h("button", {
          type: "button", class: "link recent-call", title: "Put this number in the dial field",
          onclick: () => { target.value = e.remote.replace(/^sips?:/, "").replace(/@.*$/, ""); target.focus(); },
        }, label),
        h("span", { class: `dim recent-meta ${e.outcome}` }, `${when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} · ${detail}`));
    }));
  };
  const loadHistory = () => void phone.history().then(showHistory).catch(() => showHistory([]));
  const offHistory = on("history", loadHistory);
  loadHistory();

  const tick = window.setInterval(() => {
    calls.querySelectorAll<HTMLElement>(".timer").forEach((t) => {
      const at = Number(t.dataset.answered);
      if (at) t.textContent = clock(Date.now() - at);
    });
  }, 1000);
  const off = on("phone", render);
  void phone.view().then(render).catch((e) => { problem.textContent = asUIError(e).message; });

  const el = h("section", { class: "card phone", id: "phone" },
    h("div", { class: "conn phone-reg" }, dot, reg, padToggle),
    problem, form, pad, calls, status, announce, recent);
  return { el, dispose: () => { off(); offHistory(); window.clearInterval(tick); document.removeEventListener("keydown", onKey); } };
}
