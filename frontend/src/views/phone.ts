// The softphone panel: registration, the dial field and pad, incoming and active calls with their
// controls. Everything comes from the Go side (Phone.View and the "phone" event).

import { asUIError, on, phone, type CallView, type HistoryEntry, type PhoneView } from "../api";
import { h } from "../dom";

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
  // Focusable, so that digits typed during a call go out as DTMF (see onKey).
  const calls = h("div", { id: "calls", class: "calls", tabindex: "-1", "aria-label": "Calls" });
  const pad = h("div", { id: "dialpad", class: "dialpad", hidden: true });
  let view: PhoneView = { registration: "off", account: "", problem: "", calls: [] };

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

  const callCard = (c: CallView): HTMLElement => {
    const timer = h("span", { class: "timer mono", "data-answered": String(c.answeredAt) },
      c.answeredAt ? clock(Date.now() - c.answeredAt) : "");
    const label = c.state === "ringing" ? (c.direction === "in" ? "Incoming call" : "Ringing…")
      : c.state === "dialing" ? "Calling…"
      : c.state === "held" ? (c.heldByRemote ? "Held by the other side" : "On hold")
      : "In call";
    const buttons: HTMLElement[] = [];
    if (c.state === "ringing" && c.direction === "in") {
      buttons.push(
        h("button", { type: "button", class: "answer", title: "Answer (Ctrl+Enter)", onclick: act(() => phone.answer(c.id)) }, "Answer"),
        h("button", { type: "button", class: "hangup", onclick: act(() => phone.reject(c.id)) }, "Reject"),
      );
    } else {
      if (c.state === "active" || c.state === "held") {
        buttons.push(
          h("button", { type: "button", class: "small", "aria-pressed": String(c.muted), title: "Mute (Ctrl+M)", onclick: act(() => phone.mute(c.id, !c.muted)) }, c.muted ? "Unmute" : "Mute"),
          h("button", { type: "button", class: "small", "aria-pressed": String(c.state === "held"), title: "Hold (Ctrl+H)", onclick: act(() => phone.hold(c.id, c.state !== "held")) }, c.state === "held" ? "Resume" : "Hold"),
          h("button", {
            type: "button", class: "small", onclick: act(async () => {
              const to = target.value.trim();
              if (!to) throw { code: "MISSING", message: "Type the number to transfer to in the dial field, then press Transfer." };
              await phone.transfer(c.id, to);
            }),
          }, "Transfer"),
        );
        const pair = transferPair();
        if (pair && pair.held.id === c.id) {
          const to = party(pair.consult.remote);
          const btn = h("button", {
            type: "button", id: "transfer-complete", class: "small primary transfer-to",
            title: `Complete the transfer: connect ${party(c.remote)} with ${to} and leave both calls (Ctrl+T)`,
          }, `Transfer to ${to}`) as HTMLButtonElement;
          btn.addEventListener("click", () => void completeTransfer(btn));
          buttons.unshift(btn); // first, in view and in the Tab order: the next step
        }
      }
      buttons.push(h("button", { type: "button", class: "hangup", title: "Hang up (Ctrl+E)", onclick: act(() => phone.hangup(c.id)) }, "Hang up"));
    }
    return h("div", { class: `call-card ${c.state}`, "data-call": c.id },
      h("div", { class: "call-head" },
        h("div", { class: "call-who", title: c.remote },
          h("div", { class: "call-label" }, label),
          c.remoteName
            ? h("div", { class: "call-remote" }, h("strong", { class: "call-name" }, c.remoteName), " ", h("span", { class: "mono dim" }, party(c.remote)))
            : h("div", { class: "call-remote mono" }, party(c.remote))),
        timer),
      h("div", { class: "call-buttons" }, ...buttons));
  };

  const render = (v: PhoneView) => {
    view = v;
    dot.parentElement!.dataset.state = v.registration;
    reg.textContent = v.registration === "registered" && v.account ? `${regText.registered} · ${v.account}` : regText[v.registration] ?? v.registration;
    problem.textContent = v.problem;
    problem.hidden = !v.problem;
    const live = v.calls.filter((c) => c.state !== "ended");
    calls.replaceChildren(...live.map(callCard));
    dialBtn.disabled = v.registration !== "registered";
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
        if (transferPair()) void completeTransfer(calls.querySelector<HTMLButtonElement>("#transfer-complete") ?? undefined);
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
  const offHistory = on<null>("history", loadHistory);
  loadHistory();

  const tick = window.setInterval(() => {
    calls.querySelectorAll<HTMLElement>(".timer").forEach((t) => {
      const at = Number(t.dataset.answered);
      if (at) t.textContent = clock(Date.now() - at);
    });
  }, 1000);
  const off = on<PhoneView>("phone", render);
  void phone.view().then(render).catch((e) => { problem.textContent = asUIError(e).message; });

  const el = h("section", { class: "card phone", id: "phone" },
    h("div", { class: "conn phone-reg" }, dot, reg, padToggle),
    problem, form, pad, calls, status, recent);
  return { el, dispose: () => { off(); offHistory(); window.clearInterval(tick); document.removeEventListener("keydown", onKey); } };
}
