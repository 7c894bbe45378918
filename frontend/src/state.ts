// The window's published state: what the agent sees, in a few words, for whoever must wait on it
// (assistive checks, the window tests). It is mirrored on <body data-*> and handed to the app
// (Session.UIState), which logs it as one JSON line. It never holds what the agent typed.

import { session } from "./api";

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
  calls: { id: string; state: string; muted: boolean }[];
  /** Home: the last microphone check's verdict ("" before one). */
  mic: string;
}

const state: UIState = {
  screen: "", busy: false, error: "", focus: "", form: "", message: "", answers: 0, banner: false, ready: false, notices: [],
  registration: "", calls: [], mic: "",
};
let pending = false;
let last = "";

/** publish merges patch into the published state; the app hears of it once per task. */
export function publish(patch: Partial<UIState>): void {
  Object.assign(state, patch);
  if (pending) return;
  pending = true;
  queueMicrotask(() => {
    pending = false;
    const b = document.body.dataset;
    b.screen = state.screen;
    b.busy = String(state.busy);
    b.error = state.error;
    b.form = state.form;
    const json = JSON.stringify(state);
    if (json === last) return;
    last = json;
    void session.uiState(json).catch(() => {});
  });
}

// Focus moves are part of the state: a test waits for the field it is about to type into.
document.addEventListener("focusin", () => publish({ focus: (document.activeElement as HTMLElement | null)?.id ?? "" }));
document.addEventListener("focusout", () => queueMicrotask(() => publish({ focus: (document.activeElement as HTMLElement | null)?.id ?? "" })));
