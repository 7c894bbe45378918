// The softphone: the dial field, the incoming call that takes over the top of the bar, the calls in
// the order they began (oldest first, each card keyed by its call and updated in place), the keypad
// and the recent calls. Everything comes from the Go side (Phone.View and the "phone" event).
//
// Layout rules the window tests check: nothing the agent may be about to click moves when something
// else happens. A ringing call covers the top of the bar (status and dial field) instead of pushing
// the calls down; a card's Hang up is always its last column; messages about a call appear inside its
// card; the keypad and the history are below the calls.

import { asUIError, on, phone, type CallView, type HistoryEntry, type PhoneView } from "../api";
import { clock, h, isTyping, party, tickClocks } from "../dom";
import { measureLayout, publish } from "../state";
import { qualityIndicator } from "./quality";
import { fitText, wholeText } from "../fit";
import { station } from "../../wailsjs/go/models";

const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
/** How long news about a call (it moved to a new connection) stays on its card. */
const newsMs = 8000;

type Call = CallView;

/** The phone panel's parts, placed by the home view: top (in the bar's top area), body (scrolls). */
export interface PhonePanel {
  /** The dial row, in the fixed top area. */
  dial: HTMLElement;
  /** The incoming call's takeover, laid over the top area. */
  incoming: HTMLElement;
  /** Calls, the keypad and the recent calls, in the scrolling body. */
  calls: HTMLElement;
  pad: HTMLElement;
  recent: HTMLElement;
  focusDial(): void;
  /** The calls in progress (for the status banner and the questions before logging out). */
  view(): PhoneView;
  dispose(): void;
}

export interface PhoneDeps {
  /** Called with every new view of the phone, after the panel drew it. */
  onView(v: PhoneView): void;
}

const label = (c: Call, held: number): string => {
  switch (c.state) {
    case "ringing": return c.direction === "in" ? "Incoming call" : "Ringing…";
    case "dialing": return "Calling…";
    case "held": return c.heldByRemote ? "Held by the other side" : "On hold";
    case "active": return "In call";
    default: return held ? "Ended" : c.state;
  }
};

/** who is the caller's name, else their number. */
export const who = (c: { remote: string; remoteName?: string }): string => c.remoteName || party(c.remote);

export function phonePanel(deps: PhoneDeps): PhonePanel {
  const target = h("input", {
    id: "dial", type: "text", inputmode: "tel", autocomplete: "off", spellcheck: "false",
    placeholder: "Number or address", "aria-label": "Number to call", "data-layout": "dial",
    "aria-describedby": "dial-error",
  });
  const dialBtn = h("button", { id: "call", type: "submit", class: "call", "data-layout": "call", title: "Call (Enter)" }, "Call");
  const padToggle = h("button", {
    type: "button", id: "pad-toggle", class: "ghost icon-btn", title: "Keypad", "aria-label": "Keypad", "aria-expanded": "false",
  }, "⌨");
  // Errors of the dial field, under the calls' top edge; gone when the field changes.
  const dialError = h("p", { id: "dial-error", class: "field-error", role: "alert", hidden: true });
  const showDialError = (msg: string) => { dialError.textContent = msg; dialError.hidden = !msg; target.setAttribute("aria-invalid", String(!!msg)); };
  target.addEventListener("input", () => showDialError(""));
  // Spoken once when a call starts ringing.
  const announce = h("p", { id: "phone-announce", class: "visually-hidden", "aria-live": "assertive" });
  // Focusable, so that digits typed during a call go out as DTMF (see onKey).
  const callsList = h("div", { id: "calls", class: "calls", tabindex: "-1", "aria-label": "Calls" });
  const pad = h("div", { id: "dialpad", class: "dialpad", hidden: true, "aria-label": "Keypad", "data-layout": "dialpad" });
  let view: PhoneView = station.PhoneView.createFrom({ registration: "off", account: "", problem: "", calls: [] });
  const calls = () => view.calls as Call[];

  // The desk (internal/desk) knows since when a call is on hold and which call consults about
  // which customer: the bar shows what it publishes.
  const heldAt = (c: Call) => (c.state === "held" ? c.heldAt : 0);
  const consultOf = (c: Call): string => c.consultFor;
  const live = () => calls().filter((c) => c.state !== "ended");
  /** The call Ctrl+E and Ctrl+H act on: the one the agent talks to, else the first on hold. */
  const current = () => live().find((c) => c.state === "active") ?? live().find((c) => c.state === "held");
  const activeCall = () => live().find((c) => c.state === "active" || c.state === "held");
  /** The consultation in progress: the call the agent placed while the customer was on hold. */
  const consultation = (): { customer: Call; consult: Call } | undefined => {
    for (const c of live()) {
      const of = consultOf(c);
      const customer = of ? live().find((x) => x.id === of) : undefined;
      if (customer && (c.state === "active" || c.state === "held") && (customer.state === "held" || customer.state === "active")) return { customer, consult: c };
    }
    return undefined;
  };

  // The digits sent in each call, shown on its card. Keys go out one after the other, in order.
  const sent = new Map<string, string>();
  let queue: Promise<void> = Promise.resolve();
  const press = (k: string) => {
    const c = live().find((x) => x.state === "active");
    if (c) {
      queue = queue.then(() => phone.dtmf(c.id, k)).then(() => {
        sent.set(c.id, (sent.get(c.id) ?? "") + k);
        cards.get(c.id)?.update(c);
      }).catch((e) => cards.get(c.id)?.error(asUIError(e).message));
    } else {
      target.value += k;
      showDialError("");
      target.focus();
    }
  };
  pad.append(...keys.map((k) => h("button", { type: "button", class: "key", onclick: () => press(k) }, k)));
  padToggle.addEventListener("click", () => {
    pad.hidden = !pad.hidden;
    padToggle.setAttribute("aria-expanded", String(!pad.hidden));
    padToggle.classList.toggle("on", !pad.hidden);
  });

  // Runs a call action; its error shows on that call's card, next to the button pressed.
  const act = (id: string, fn: () => Promise<unknown>) => async () => {
    cards.get(id)?.error("");
    try {
      await fn();
    } catch (e) {
      const card = cards.get(id);
      if (card) card.error(asUIError(e).message);
      else showDialError(asUIError(e).message);
    }
  };
  // Hold or resume. Resuming a call while another is in progress puts that one on hold first, so
  // that two callers are never connected to the agent (nor to each other) at once.
  const toggleHold = (c: Call) => act(c.id, async () => {
    if (c.state === "held") {
      for (const o of live()) if (o.id !== c.id && o.state === "active") await phone.hold(o.id, true);
      await phone.hold(c.id, false);
    } else {
      await phone.hold(c.id, true);
    }
  })();
  const swap = () => {
    const p = consultation();
    if (!p) return;
    const on = p.consult.state === "active" ? p.consult : p.customer;
    const off = on === p.consult ? p.customer : p.consult;
    void act(on.id, async () => { await phone.hold(on.id, true); await phone.hold(off.id, false); })();
  };
  const join = async () => {
    const p = consultation();
    if (!p) return;
    const card = cards.get(p.consult.id);
    card?.busy(`Transferring ${who(p.customer)} to ${who(p.consult)}…`);
    try {
      await phone.attendedTransfer(p.customer.id, p.consult.id);
    } catch (e) {
      card?.busy("");
      card?.error(asUIError(e).message);
    }
  };

  const form = h("form", {
    class: "dial-row", id: "dial-form",
    onsubmit: async (ev: Event) => {
      ev.preventDefault();
      const t = target.value.trim();
      if (!t) {
        showDialError("Type a number or a SIP address to call.");
        target.focus();
        return;
      }
      if (view.registration !== "registered") {
        showDialError("The phone is not registered yet: calls are possible once the status says “Phone ready”.");
        return;
      }
      dialBtn.disabled = true;
      showDialError("");
      try {
        const c = await phone.dial(t);
        // Answered: the number is on the call's card; the keys now dial DTMF unless the agent
        // has moved on to another field meanwhile. A refused call keeps the number for a retry.
        if (c.id) {
          if (target.value.trim() === t) target.value = "";
          if (document.activeElement === target || document.activeElement === document.body) callsList.focus();
        }
      } catch (e) {
        showDialError(asUIError(e).message);
      } finally {
        dialBtn.disabled = view.registration !== "registered";
      }
    },
  }, target, dialBtn, padToggle);

  // A call's card, made once per call and updated in place (keyed by the call's ID), so that the
  // keyboard focus on Hold or Mute survives every event of the call. Four columns of buttons, Hang
  // up always the last: the buttons never wrap and Hang up never changes place.
  const makeCard = (id: string) => {
    const icon = h("span", { class: "call-icon", "aria-hidden": "true" });
    const lab = h("span", { class: "call-label" });
    const holdTime = h("span", { class: "hold-time mono", "data-layout": `held:${id}` });
    const name = h("div", { class: "call-name fit" });
    const number = h("div", { class: "call-number mono fit" });
    const timer = h("span", { class: "timer mono", role: "timer" });
    const mutedFlag = h("span", { class: "flag muted-flag", "data-layout": `muted:${id}`, hidden: true }, "🔇 Muted");
    const context = h("p", { class: "call-context" });
    // What the phone says of the call beyond its state: no audio and why (while it lasts), or what a
    // lost connection did to it (news, shown for a moment).
    const notice = h("p", { class: "call-notice", role: "status", hidden: true, "data-layout": `notice:${id}` });
    let newsText = "";
    let newsUntil = 0;
    const keysLine = h("p", { class: "call-keys mono", hidden: true, "data-layout": `keys:${id}` });
    const err = h("p", { class: "call-error", role: "alert", hidden: true, "data-layout": `error:${id}` });
    let c: Call;
    const btn = (attrs: Record<string, string>, text: string, onclick: () => void) =>
      h("button", { type: "button", ...attrs, "data-layout": `${attrs["data-action"]}:${id}`, onclick }, text) as HTMLButtonElement;
    const answer = btn({ class: "answer", title: "Answer (Ctrl+Enter)", "data-action": "answer" }, "Answer", () => void act(c.id, () => phone.answer(c.id))());
    const reject = btn({ class: "reject", title: "Reject", "data-action": "reject" }, "Reject", () => void act(c.id, () => phone.reject(c.id))());
    const mute = btn({ class: "toggle", title: "Mute (Ctrl+M)", "data-action": "mute" }, "Mute", () => void act(c.id, () => phone.mute(c.id, !c.muted))());
    const hold = btn({ class: "toggle", title: "Hold (Ctrl+H)", "data-action": "hold" }, "Hold", () => void toggleHold(c));
    const transfer = btn({ class: "", title: "Blind transfer to the number in the dial field", "data-action": "transfer" }, "Transfer", () => void act(c.id, async () => {
      const to = target.value.trim();
      if (!to) {
        target.focus();
        throw { code: "MISSING", message: "Type the number to transfer to in the dial field, then press Transfer." };
      }
      await phone.transfer(c.id, to);
    })());
    const swapBtn = btn({ class: "", title: "Talk to the other party; this one waits on hold", "data-action": "swap" }, "Swap", swap);
    const joinBtn = btn({ class: "join", title: "Connect the customer with the colleague and leave both calls (Ctrl+T)", "data-action": "join" }, "Join", () => void join());
    const hangup = btn({ class: "hangup", title: "Hang up (Ctrl+E)", "data-action": "hangup" }, "Hang up", () => void act(c.id, () => phone.hangup(c.id))());
    const buttons = h("div", { class: "call-buttons" }, answer, reject, mute, hold, transfer, swapBtn, joinBtn, hangup);
    const q = qualityIndicator();
    q.warnings.dataset.layout = `warnings:${id}`;
    // The head: who (the name may end in an ellipsis, the full text is its title) and the time in
    // call; under it the state on a row of its own, the card's full width, so that every state
    // ("Held by the other side 01:05 🔇 Muted") reads whole at the minimum size.
    // Then the buttons, at a place that depends only on the call's name and state; everything that
    // comes and goes (the consultation's context, the phone's notice, quality warnings, the keys
    // sent, a button's error) is under them, so that the buttons never move under the agent's hand.
    const el = h("div", { class: "call-card", "data-call": id, role: "group", "data-layout": `card:${id}`, "data-clipcheck": "" },
      h("div", { class: "call-head" }, icon, h("div", { class: "call-who" }, name, number), h("span", { class: "call-meter" }, q.el, timer)),
      h("div", { class: "call-state" }, lab, holdTime, mutedFlag),
      buttons, context, notice, q.warnings, keysLine, err);
    let busyText = "";
    const update = (next: Call) => {
      c = next;
      const incoming = c.state === "ringing" && c.direction === "in";
      const inCall = c.state === "active" || c.state === "held";
      el.className = `call-card ${c.state}${c.muted ? " muted" : ""}`;
      el.dataset.state = c.state;
      el.dataset.muted = String(c.muted);
      icon.textContent = c.state === "held" ? "⏸" : c.muted && c.state === "active" ? "🔇" : incoming ? "🔔" : c.direction === "in" ? "↙" : "↗";
      lab.textContent = label(c, heldAt(c));
      const since = heldAt(c);
      holdTime.dataset.since = since ? String(since) : "";
      holdTime.hidden = !since;
      holdTime.title = "Time on hold";
      mutedFlag.hidden = !c.muted || !inCall;
      number.hidden = !c.remoteName;
      fitText(name, who(c));
      fitText(number, c.remoteName ? party(c.remote) : "");
      el.title = c.remote;
      el.setAttribute("aria-label", `${lab.textContent}: ${who(c)}`);
      timer.dataset.since = c.answeredAt ? String(c.answeredAt) : "";
      timer.title = "Time in call";
      const pair = consultation();
      const isConsult = !!pair && pair.consult.id === c.id;
      const isCustomer = !!pair && pair.customer.id === c.id;
      context.textContent = isConsult ? `Consultation about ${who(pair.customer)}: Join connects them; Swap talks to them again.`
        : isCustomer ? `Waiting while you consult ${who(pair.consult)}.` : "";
      context.hidden = !context.textContent;
      if (c.noticeKind === "info" && c.notice !== newsText) {
        newsText = c.notice;
        newsUntil = Date.now() + newsMs;
        window.setTimeout(() => { if (cards.get(id)) { update(c); publishCalls(); measureLayout(); } }, newsMs + 50);
      }
      const noticeShown = c.noticeKind === "info" ? (Date.now() < newsUntil ? c.notice : "") : c.notice;
      notice.textContent = noticeShown;
      notice.hidden = !noticeShown;
      notice.dataset.kind = c.noticeKind;
      const digits = sent.get(c.id) ?? "";
      keysLine.textContent = digits ? `Keys sent: ${digits}` : "";
      keysLine.hidden = !digits;
      q.update(c.quality, inCall);
      answer.hidden = reject.hidden = !incoming;
      mute.hidden = !inCall;
      // On a consultation Swap takes Hold's place: four buttons at most, never a second row.
      hold.hidden = !inCall || isConsult;
      // Blind transfer on an ordinary call; on a consultation, Swap and Join instead (call waiting
      // has no Join: two customers are never connected).
      transfer.hidden = !inCall || isConsult || isCustomer;
      swapBtn.hidden = !isConsult;
      joinBtn.hidden = !isConsult;
      hangup.hidden = incoming;
      hangup.textContent = c.state === "dialing" || (c.state === "ringing" && c.direction === "out") ? "Cancel" : "Hang up";
      mute.textContent = c.muted ? "Unmute" : "Mute";
      mute.classList.toggle("on", c.muted);
      mute.setAttribute("aria-pressed", String(c.muted));
      hold.textContent = c.state === "held" ? "Resume" : "Hold";
      hold.classList.toggle("on", c.state === "held");
      hold.setAttribute("aria-pressed", String(c.state === "held"));
      hold.disabled = c.heldByRemote && c.state === "held";
      joinBtn.disabled = !!busyText;
      buttons.dataset.count = String([...buttons.children].filter((b) => !(b as HTMLElement).hidden).length);
    };
    return {
      el,
      update,
      notice: () => (notice.hidden ? "" : notice.textContent ?? ""),
      error(msg: string) { err.textContent = msg; err.hidden = !msg; },
      busy(text: string) { busyText = text; err.textContent = text; err.hidden = !text; err.classList.toggle("progress", !!text); joinBtn.disabled = !!text; },
      call: () => c,
    };
  };
  type Card = ReturnType<typeof makeCard>;
  const cards = new Map<string, Card>();
  // Ended cards stay a few seconds in place, saying who hung up, instead of vanishing.
  const endedTimers = new Map<string, number>();
  const hungUpHere = new Set<string>();

  // The incoming call's takeover: name, number and full-width Answer and Reject over the top area.
  const inLabel = h("div", { class: "incoming-label" });
  const inName = h("div", { id: "incoming-name", class: "incoming-name fit" });
  const inNumber = h("div", { id: "incoming-number", class: "incoming-number mono fit" });
  const inNote = h("div", { class: "incoming-note" });
  let ringingId = "";
  const inAnswer = h("button", { type: "button", id: "incoming-answer", class: "answer big", title: "Answer (Ctrl+Enter)" }, "Answer");
  const inReject = h("button", { type: "button", id: "incoming-reject", class: "reject big", title: "Reject" }, "Reject");
  inAnswer.addEventListener("click", () => void act(ringingId, () => phone.answer(ringingId))());
  inReject.addEventListener("click", () => void act(ringingId, () => phone.reject(ringingId))());
  const inError = h("p", { class: "call-error", role: "alert", hidden: true });
  const incoming = h("section", { id: "incoming", class: "incoming", hidden: true, "aria-label": "Incoming call", role: "alertdialog", "data-layout": "incoming", "data-clipcheck": "" },
    h("div", { class: "incoming-who" }, inLabel, inName, inNumber, inNote),
    inError,
    h("div", { class: "incoming-buttons" }, inAnswer, inReject));
  let titleShown = "";
  const setTitle = (t: string) => {
    if (t === titleShown) return;
    titleShown = t;
    document.title = t;
    const rt = (window as unknown as { runtime?: { WindowSetTitle?(t: string): void } }).runtime;
    rt?.WindowSetTitle?.(t);
  };

  const publishCalls = () => publish({
    registration: view.registration,
    calls: live().map((c) => ({ id: c.id, state: c.state, muted: c.muted, notice: cards.get(c.id)?.notice() ?? "" })),
    ended: [...endedTimers.keys()].map((id) => wholeText(cards.get(id)?.el.querySelector(".call-label") ?? document.createTextNode("")).trim()),
  });

  const render = (v: PhoneView) => {
    view = v;
    const list = live();
    // The oldest ringing incoming call takes over the top; others ringing too get a card.
    const ring = list.find((c) => c.state === "ringing" && c.direction === "in");
    if (ring) {
      if (ring.id !== ringingId) {
        inError.hidden = true;
        announce.textContent = `Incoming call from ${who(ring)}`;
        // The takeover's Answer gets the focus unless the agent is typing somewhere.
        if (!isTyping()) queueMicrotask(() => inAnswer.focus());
      }
      ringingId = ring.id;
      const others = list.filter((c) => c.id !== ring.id && (c.state === "active" || c.state === "held"));
      inLabel.textContent = others.length ? "Call waiting" : "Incoming call";
      inNumber.hidden = !ring.remoteName;
      inNote.textContent = others.some((c) => c.state === "active") ? `Answering puts ${who(others.find((c) => c.state === "active")!)} on hold.` : "";
      inNote.hidden = !inNote.textContent;
      incoming.hidden = false;
      fitText(inName, who(ring));
      fitText(inNumber, ring.remoteName ? party(ring.remote) : "");
      incoming.dataset.call = ring.id;
      inAnswer.dataset.layout = `answer:${ring.id}`;
      inReject.dataset.layout = `reject:${ring.id}`;
      setTitle(`Incoming call: ${who(ring)}${ring.remoteName ? ` ${party(ring.remote)}` : ""} · Phonebar`);
    } else {
      if (!incoming.hidden && incoming.contains(document.activeElement)) queueMicrotask(() => callsList.focus());
      ringingId = "";
      incoming.hidden = true;
      setTitle("Phonebar");
    }
    // Cards: every live call but the one in the takeover, oldest first (the desk's order).
    const shown = list.filter((c) => c.id !== ringingId);
    for (const [id, card] of cards) {
      if (shown.some((c) => c.id === id) || endedTimers.has(id)) continue;
      const last = card.call();
      if (last && (last.state === "active" || last.state === "held") && !hungUpHere.has(id) && !list.some((c) => c.id === id)) {
        // The other side hung up: say so on the card, then let it go.
        card.el.classList.add("ended");
        card.el.dataset.state = "ended";
        // The name may end in an ellipsis; "hung up" never does.
        const gone = h("span", { class: "fit" }, who(last));
        card.el.querySelector(".call-label")!.replaceChildren(gone, h("span", { class: "hung-up" }, " hung up"));
        fitText(gone, who(last));
        card.el.querySelectorAll<HTMLElement>(".call-buttons, .hold-time, .muted-flag, .call-context, .call-notice, .quality, .q-warnings").forEach((x) => { x.hidden = true; });
        card.el.querySelector<HTMLElement>(".timer")!.dataset.since = "";
        endedTimers.set(id, window.setTimeout(() => { endedTimers.delete(id); card.el.remove(); cards.delete(id); publishCalls(); measureLayout(); }, 4000));
        continue;
      }
      card.el.remove();
      cards.delete(id);
    }
    let i = 0;
    for (const c of shown) {
      let card = cards.get(c.id);
      if (!card) {
        card = makeCard(c.id);
        cards.set(c.id, card);
      }
      card.update(c);
      // Ended cards keep their place; live ones follow in the desk's order. Moved only when the
      // order changed: moving the focused card would lose the focus.
      while (callsList.children[i] && callsList.children[i].classList.contains("ended")) i++;
      if (callsList.children[i] !== card.el) callsList.insertBefore(card.el, callsList.children[i] ?? null);
      i++;
    }
    for (const id of [...sent.keys()]) if (!list.some((c) => c.id === id)) sent.delete(id);
    for (const id of [...hungUpHere]) if (!list.some((c) => c.id === id)) hungUpHere.delete(id);
    dialBtn.disabled = v.registration !== "registered";
    tickClocks(callsList);
    publishCalls();
    deps.onView(v);
    measureLayout();
  };

  // Keyboard: Ctrl+Enter answers the ringing call, Ctrl+E ends the current call, Ctrl+H holds or
  // resumes it, Ctrl+M mutes, Ctrl+K goes to the dial field, Ctrl+T joins a consultation.
  const onKey = (ev: KeyboardEvent) => {
    if (ev.defaultPrevented) return;
    // Digits typed during a call go out as DTMF, unless the agent is typing in a field.
    if (!ev.ctrlKey && !ev.altKey && !ev.metaKey && /^[0-9*#]$/.test(ev.key)) {
      if (live().some((c) => c.state === "active") && !isTyping()) {
        ev.preventDefault();
        press(ev.key);
      }
      return;
    }
    if (!ev.ctrlKey || ev.altKey || ev.metaKey || ev.shiftKey) return;
    const ringing = live().find((c) => c.state === "ringing" && c.direction === "in");
    const cur = current() ?? live().find((c) => c.state === "dialing" || (c.state === "ringing" && c.direction === "out"));
    let done = true;
    switch (ev.key.toLowerCase()) {
      case "enter":
        if (ringing) void act(ringing.id, () => phone.answer(ringing.id))();
        else done = false;
        break;
      case "e":
        if (cur) { hungUpHere.add(cur.id); void act(cur.id, () => phone.hangup(cur.id))(); }
        break;
      case "h": {
        const c = current() ?? activeCall();
        if (c) void toggleHold(c);
        break;
      }
      case "m": {
        // The call the agent talks to, never a held one first (call waiting: the oldest is held).
        const c = current();
        if (c) void act(c.id, () => phone.mute(c.id, !c.muted))();
        break;
      }
      case "k":
        target.focus();
        target.select();
        break;
      case "t":
        void join();
        break;
      default:
        done = false;
    }
    if (done) ev.preventDefault();
  };
  document.addEventListener("keydown", onKey);
  // A hang-up pressed on a card is the agent's own: no "hung up" note for it.
  callsList.addEventListener("click", (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLElement>("[data-action=hangup]");
    const id = b?.closest<HTMLElement>("[data-call]")?.dataset.call;
    if (id) hungUpHere.add(id);
  }, true);

  // Recent calls: the last ten, newest first, name and number; a click puts the number in the dial
  // field. Missed calls since the list was last opened are counted on its badge.
  const recentList = h("ul", { id: "recent-calls", class: "recent" });
  const missedBadge = h("span", { id: "missed-badge", class: "count-badge", hidden: true, "data-layout": "missed" });
  const recent = h("details", { class: "recent-box", id: "recent" },
    h("summary", { id: "recent-summary" }, h("span", {}, "Recent calls"), missedBadge), recentList);
  const seenKey = "phonebar.history.seen";
  let entries: HistoryEntry[] = [];
  const seenAt = () => Number(localStorage.getItem(seenKey) ?? "0");
  const showMissed = () => {
    const n = entries.filter((e) => e.outcome === "missed" && Date.parse(e.started) > seenAt()).length;
    missedBadge.textContent = String(n);
    missedBadge.hidden = n === 0;
    missedBadge.setAttribute("aria-label", `${n} missed`);
    publish({ missed: n });
  };
  recent.addEventListener("toggle", () => {
    if (!recent.open) return;
    localStorage.setItem(seenKey, String(Date.now()));
    showMissed();
  });
  const outcomeText: Record<string, string> = {
    answered: "", missed: "Missed", rejected: "Rejected", failed: "Failed", cancelled: "Cancelled",
  };
  const showHistory = (list: HistoryEntry[]) => {
    entries = list;
    recent.hidden = list.length === 0;
    recentList.replaceChildren(...list.slice(0, 10).map((e) => {
      const when = new Date(e.started);
      const num = party(e.remote);
      const nm = e.name ?? "";
      const detail = e.outcome === "answered" ? clock(e.seconds * 1000)
        : e.outcome === "transferred" ? `${clock(e.seconds * 1000)} · transferred` : outcomeText[e.outcome] ?? e.outcome;
      return h("li", {},
        h("button", {
          type: "button", class: `recent-call ${e.outcome}`, title: `Put ${num} in the dial field`,
          onclick: () => { target.value = num; showDialError(""); target.focus(); },
        },
        h("span", { class: "recent-dir", "aria-label": e.direction === "in" ? "Incoming" : "Outgoing" }, e.outcome === "missed" ? "✕" : e.direction === "in" ? "↙" : "↗"),
        h("span", { class: "recent-who", title: nm ? `${nm} ${num}` : num }, h("span", { class: "recent-name" }, nm || num), nm ? h("span", { class: "recent-number mono" }, num) : null),
        h("span", { class: "recent-meta" }, h("span", {}, when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })), h("span", { class: `recent-outcome ${e.outcome}` }, detail))));
    }));
    showMissed();
    publish({ recent: list.slice(0, 10).map((e) => [e.name, party(e.remote)].filter(Boolean).join(" ")) });
  };
  const loadHistory = () => void phone.history().then(showHistory).catch(() => showHistory([]));
  const offHistory = on("history", loadHistory);
  loadHistory();

  const off = on("phone", render);
  void phone.view().then(render).catch((e) => showDialError(asUIError(e).message));

  const body = h("div", { class: "phone-calls" }, dialError, callsList, announce);
  return {
    dial: form,
    incoming,
    calls: body,
    pad,
    recent,
    focusDial: () => target.focus(),
    view: () => view,
    dispose: () => {
      off(); offHistory(); document.removeEventListener("keydown", onKey);
      for (const t of endedTimers.values()) window.clearTimeout(t);
      setTitle("Phonebar");
    },
  };
}
