// Typed wrappers over the Go services bound by app/, using the bindings and models Wails generates
// from Go (frontend/wailsjs, committed; `make bindings` writes them again): a Go DTO that changes
// breaks tsc here. Every call rejects with a UIError made by app.FormatError.

import * as AudioSvc from "../wailsjs/go/app/Audio";
import * as DiagnosticsSvc from "../wailsjs/go/app/Diagnostics";
import * as OmniSvc from "../wailsjs/go/app/Omni";
import * as PhoneSvc from "../wailsjs/go/app/Phone";
import * as SessionSvc from "../wailsjs/go/app/Session";
import type { agent, app, doctor, history, station } from "../wailsjs/go/models";
import type { ErrorCode } from "./codes";

export type SessionView = app.SessionView;
export type AgentView = app.AgentView;
export type NoticeView = app.NoticeView;
export type StatusView = app.StatusView;
export type LoginForm = app.LoginForm;
export type SSOForm = app.SSOForm;
export type OmniView = app.OmniView;
export type AudioView = app.AudioView;
export type DeviceView = app.DeviceView;
export type MicCheckView = app.MicCheckView;
/** app.MicLevel: one reading of the live meter (an event payload only, so not among the models). */
export interface MicLevel {
  rmsDbfs: number;
  peakDbfs: number;
}
export type PhoneView = station.PhoneView;
export type CallView = station.CallView;
export type HistoryEntry = history.Entry;
export type RuleCheck = agent.RuleCheck;
export type DeviceRole = "microphone" | "speaker" | "ringer";
export type DoctorCheck = doctor.Check;
export type LogSettings = station.LogSettings;

/** Codes the window makes itself: no Go backend (the page opened alone), or an error not from Go. */
export type WindowCode = "NO_BACKEND" | "ERROR";

/** app.UIError: what a bound method's error becomes (internal/problem writes code and message). */
export interface UIError {
  code: ErrorCode | WindowCode;
  message: string;
  fingerprint?: string;
  host?: string;
  suggestion?: string;
  phones?: string[];
  /** The automatic login failed on the network: the window tries again after this many ms. */
  retryInMs?: number;
}

declare global {
  interface Window {
    go?: { app?: Record<string, unknown> };
    runtime?: {
      EventsOn(name: string, cb: (...data: unknown[]) => void): () => void;
    };
  }
}

// bound calls a generated binding, or rejects with NO_BACKEND when the page runs without the app.
function bound<A extends unknown[], R>(service: string, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args: A) => {
    if (!window.go?.app?.[service]) {
      return Promise.reject<R>({ code: "NO_BACKEND", message: `The app's ${service} service is not available.` });
    }
    return fn(...args);
  };
}

// asUIError reads a rejected call: app.FormatError sends the UIError as JSON text, which the Wails
// runtime wraps in an Error.
export function asUIError(e: unknown): UIError {
  const text = e instanceof Error ? e.message : typeof e === "string" ? e : "";
  if (text.startsWith("{")) {
    try {
      const o = JSON.parse(text) as UIError;
      if (o && typeof o.message === "string") return { ...o, code: o.code || "ERROR" };
    } catch {
      // not JSON: fall through
    }
  }
  if (e && typeof e === "object" && "code" in e && "message" in e) return e as UIError;
  return { code: "ERROR", message: text || String(e) };
}

export const session = {
  view: bound("Session", SessionSvc.View),
  login: bound("Session", SessionSvc.Login),
  autoLogin: bound("Session", SessionSvc.AutoLogin),
  trust: bound("Session", SessionSvc.TrustCertificate),
  logout: bound("Session", SessionSvc.Logout),
  ready: bound("Session", SessionSvc.UIReady),
  changePassword: bound("Session", SessionSvc.ChangePassword),
  rules: bound("Session", SessionSvc.PasswordRules),
  forgot: bound("Session", SessionSvc.ForgotPassword),
  dismiss: bound("Session", SessionSvc.DismissNotice),
  providers: bound("Session", SessionSvc.Providers),
  loginSSO: bound("Session", SessionSvc.LoginSSO),
  cancelSSO: bound("Session", SessionSvc.CancelSSO),
  setReady: bound("Session", SessionSvc.SetReady),
  pause: bound("Session", SessionSvc.Pause),
  /** Where an external agent's calls ring: "internal", "phone" or "mobile". */
  setLine: bound("Session", SessionSvc.SetLine),
  /** Closes the window (after the agent confirmed, during a call). */
  quit: bound("Session", SessionSvc.Quit),
  mark: bound("Session", (what: "banner-shown" | "banner-hidden") => SessionSvc.UIMark(what)),
  uiState: bound("Session", SessionSvc.UIState),
  /** Where the calls of user on server rang at the last login here ("" when nothing to offer). */
  lastLine: (server: string, user: string): Promise<string> => bound("Session", SessionSvc.LastLine)(server, user).catch(() => ""),
};

export const omni = {
  open: bound("Omni", OmniSvc.Open),
  view: bound("Omni", OmniSvc.View),
};

export const audio = {
  view: bound("Audio", AudioSvc.View),
  select: bound("Audio", (role: DeviceRole, id: string) => AudioSvc.Select(role, id)),
  checkMicrophone: bound("Audio", AudioSvc.CheckMicrophone),
  test: bound("Audio", (role: DeviceRole) => AudioSvc.Test(role)),
  setProcessing: bound("Audio", (on: boolean) => AudioSvc.SetProcessing(on)),
};

export const phone = {
  history: bound("Phone", PhoneSvc.History),
  view: bound("Phone", PhoneSvc.View),
  dial: bound("Phone", PhoneSvc.Dial),
  answer: bound("Phone", PhoneSvc.Answer),
  reject: bound("Phone", PhoneSvc.Reject),
  hangup: bound("Phone", PhoneSvc.Hangup),
  hold: bound("Phone", PhoneSvc.Hold),
  mute: bound("Phone", PhoneSvc.Mute),
  dtmf: bound("Phone", PhoneSvc.SendDTMF),
  transfer: bound("Phone", PhoneSvc.Transfer),
  /** Attended transfer: connects the party of call id (on hold) with the party of consultId, and
   * leaves both calls. Rejects with TRANSFER_FAILED, TRANSFER_UNCONFIRMED, TRANSFER_ABANDONED,
   * TRANSFER_NOT_READY or NO_CALL; both calls are then kept. */
  attendedTransfer: bound("Phone", PhoneSvc.AttendedTransfer),
};

/** The Doctor page: the doctor's checks, the log settings, the diagnostics zip. */
export const diagnostics = {
  doctor: bound("Diagnostics", DiagnosticsSvc.Doctor),
  logs: bound("Diagnostics", DiagnosticsSvc.Logs),
  setLogs: bound("Diagnostics", DiagnosticsSvc.SetLogs),
  saveBundle: bound("Diagnostics", DiagnosticsSvc.SaveBundle),
};

/** The events app/ emits, and what each carries. */
export interface Events {
  session: SessionView;
  phone: PhoneView;
  history: null;
  omni: OmniView;
  audio: AudioView;
  "mic-level": MicLevel;
  "mic-check": MicCheckView;
  /** The window is being closed during a call: the bar asks the agent first. */
  "close-requested": null;
}

export function on<K extends keyof Events>(event: K, cb: (data: Events[K]) => void): () => void {
  if (!window.runtime) return () => {};
  return window.runtime.EventsOn(event, (d) => cb(d as Events[K]));
}
