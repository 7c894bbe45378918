// The window's published state: what the agent sees, in a few words, for whoever must wait on it
// (assistive checks, the window tests). It is mirrored on <body data-*> and handed to the app
// (Session.UIState), which logs it as one JSON line. It never holds what the agent typed.

import { session } from "./api";
import { refitAll } from "./fit";

export interface UIState {
  /** "login", "password-change", "home" or "" before the first screen. */
  screen: string;
  /** A request to the app is in flight (a login, a password change). */
  busy: boolean;
  /** The code of the error the screen shows, "" when none. */
  error: string;
  /** The id of the focused element ("" when none has one). */
  focus: string;
  /** The open dialog or sub-form of the screen ("trust", "force", "phones", "forgot", "sso", ""). */
  form: string;
  /** The text of the sub-form's answer (forgot password), "" when none; answers counts them. */
  message: string;
  answers: number;
  /** Home: the connection banner is shown; the agent is ready; the notices shown. */
  banner: boolean;
  ready: boolean;
  notices: string[];
  /** Home: the phone's registration and calls ("" and [] without a phone). */
  registration: string;
  /** notice: the text of the notice on the call's card ("" when none shown). */
  calls: { id: string; state: string; muted: boolean; notice: string }[];
  /** Home: the last microphone check's verdict ("" before one). */
  mic: string;
  /** Home: the status banner's first line as shown ("Ready", "Paused · Lunch", "On a call · Connected"). */
  status: string;
  /** Home: the one problem banner shown ("" when none): "mic", "ready", "phone", "omni", "audio". */
  problem: string;
  /** Home: the open sheet over the bar ("settings", "shortcuts", "confirm", "" when none). */
  sheet: string;
  /** Home: missed calls not seen yet (the badge on Recent calls). */
  missed: number;
  /** Home: the notices of calls the other side ended, as their cards show them for a few seconds
   * ("Dana Customer hung up"). */
  ended: string[];
  /** Home: the recent calls as listed, newest first: the name (when known) and the number. */
  recent: string[];
  /** Where the elements the agent clicks are, in CSS pixels of the page, measured after each change. */
  layout: Layout;
  /** Text cut in the call cards, the status banner and the incoming call, measured with the layout:
   * one "where: class “text”" per element whose text does not fit (see clippedText); [] when all
   * reads whole. */
  clipped: string[];
  /** Login: the seconds before the automatic login is tried again, as counted down on the error
   * (0 when no retry is pending). */
  retryIn: number;
  /** Password change: the ids of the rules the new password meets (and "match"), as drawn. */
  rules: string[];
}

/** Layout: the page's visible area (viewport), its scroll offset, and the rectangles of the elements
 * marked data-layout (keyed by that name; a call's controls are "hangup:ID", "answer:ID", ...). An
 * element not rendered (hidden) is absent. */
export interface Layout {
  vw: number;
  vh: number;
  scrollY: number;
  els: Record<string, { x: number; y: number; w: number; h: number }>;
}

const state: UIState = {
  screen: "", busy: false, error: "", focus: "", form: "", message: "", answers: 0, banner: false, ready: false, notices: [],
  registration: "", calls: [], mic: "", status: "", problem: "", sheet: "", missed: 0, ended: [], recent: [],
  layout: { vw: 0, vh: 0, scrollY: 0, els: {} }, rules: [], clipped: [], retryIn: 0,
};
let pending = false;
let last = "";

/** A hidden window draws no frames (WebKitGTK stops them): after this long the state is published
 * without one. */
const noFrameAfterMs = 1000;

/**
 * afterPaint runs fn once the frame that shows the current DOM is on the screen: the callback of the
 * next animation frame runs before that frame is painted, the one after it once it was. A test that
 * waits for the state and then takes a screenshot sees the new frame, not the previous one.
 */
function afterPaint(fn: () => void): void {
  let done = false;
  const once = () => {
    if (!done) {
      done = true;
      fn();
    }
  };
  requestAnimationFrame(() => requestAnimationFrame(once));
  setTimeout(once, noFrameAfterMs);
}

/** publish merges patch into the published state; the app hears of it once the change is painted. */
export function publish(patch: Partial<UIState>): void {
  Object.assign(state, patch);
  const b = document.body.dataset;
  b.screen = state.screen;
  b.busy = String(state.busy);
  b.error = state.error;
  b.form = state.form;
  if (pending) return;
  pending = true;
  afterPaint(() => {
    pending = false;
    const json = JSON.stringify(state);
    if (json === last) return;
    last = json;
    void session.uiState(json).catch(() => {});
  });
}

// measureLayout publishes where the marked elements are, once the page has been laid out again.
let measuring = false;
export function measureLayout(): void {
  if (measuring) return;
  measuring = true;
  // A timer, not requestAnimationFrame: WebKitGTK stops animation frames for a window it thinks
  // hidden, and reading a rectangle lays the page out anyway.
  window.setTimeout(() => {
    measuring = false;
    // Names shortened to their room are fitted again first: the room may have changed.
    refitAll();
    const els: Layout["els"] = {};
    document.querySelectorAll<HTMLElement>("[data-layout]").forEach((el) => {
      if (!el.isConnected || el.getClientRects().length === 0) return; // not rendered
      const r = el.getBoundingClientRect();
      els[el.dataset.layout!] = { x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.width), h: Math.round(r.height) };
    });
    publish({ layout: { vw: window.innerWidth, vh: window.innerHeight, scrollY: Math.round(window.scrollY), els }, clipped: clippedText() });
  }, 30);
}

/**
 * clippedText lists the text cut in the parts of the bar marked data-clipcheck (the call cards, the
 * status banner, the incoming call): an element whose content is wider than its box, or that
 * reaches past the part's edge. A name or number marked .fit may be shortened by fit.ts: it then
 * ends in an ellipsis with no space or dash before it, shows at least three characters, and its
 * title holds the whole text. The browser's own ellipsis (text-overflow) counts as cut: it may
 * follow a space and leaves a gap after it ("Maria …  · 00:00").
 */
function clippedText(): string[] {
  const out: string[] = [];
  document.querySelectorAll<HTMLElement>("[data-clipcheck]").forEach((root) => {
    if (root.getClientRects().length === 0) return;
    const box = root.getBoundingClientRect();
    const where = root.dataset.layout ?? root.id;
    root.querySelectorAll<HTMLElement>("*").forEach((el) => {
      if (el.getClientRects().length === 0 || el.closest("[hidden]") || el.classList.contains("visually-hidden")) return;
      const r = el.getBoundingClientRect();
      const text = (el.textContent ?? "").trim().slice(0, 40);
      const say = (why: string) => out.push(`${where}: ${el.className || el.tagName.toLowerCase()} “${text}” ${why}`);
      if (r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5)) return say("past the edge");
      if (el.classList.contains("fit")) {
        const shown = el.textContent ?? "";
        if (el.scrollWidth > el.clientWidth + 1) return say("cut by the browser");
        if (el.dataset.cut !== "true") return;
        if (el.title !== el.dataset.full || !shown.endsWith("…") || !(el.dataset.full ?? "").startsWith(shown.slice(0, -1))) return say("shortened without its whole text");
        if (/[\s\-–—·,.;:/(]…$/u.test(shown)) return say("shortened after a space or a dash");
        if ([...shown].length < 4) return say("shortened to nothing");
        return;
      }
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) say("cut");
    });
  });
  return out;
}
window.addEventListener("resize", measureLayout);
document.addEventListener("scroll", measureLayout, true);
// Any change of the page may move what the agent is about to click.
new MutationObserver(measureLayout).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["hidden", "class", "data-state"] });

/**
 * focusName names the focused element: its id, else its tag and label ("button:Google"), so that
 * each stop of the keyboard order reads differently; "" when nothing has the focus. Never a value
 * the agent typed.
 */
function focusName(): string {
  const el = document.activeElement as HTMLElement | null;
  if (!el || el === document.body) return "";
  if (el.id) return el.id;
  const label = el.getAttribute("aria-label") ?? (el instanceof HTMLInputElement ? "" : el.textContent ?? "");
  return el.tagName.toLowerCase() + ":" + label.trim().slice(0, 40);
}

// Focus moves are part of the state: a test waits for the field it is about to type into.
document.addEventListener("focusin", () => publish({ focus: focusName() }));
document.addEventListener("focusout", () => queueMicrotask(() => publish({ focus: focusName() })));
