// Typed wrappers over the Go services bound by app/ (window.go.app.*) and the Wails event runtime.
// Every call rejects with a UIError made by app.FormatError.

import type { ErrorCode } from "./codes";

export interface AgentView {
  name: string;
  fullname: string;
  role: string;
  typology: string;
  internal: string;
}

export interface DemoLogin {
  name: string;
  password: string;
  typology: string;
}

export interface SessionView {
  state: "logged-out" | "logging-in" | "logged-in";
  server: string;
  username: string;
  remember: boolean;
  rememberAvailable: boolean;
  rememberNote: string;
  agent?: AgentView;
  connection: "" | "connected" | "reconnecting" | "offline";
  notice: string;
  /** Why settings.json cannot be used and what to do; "" when it can. */
  settingsProblem: string;
  demo?: { server: string; logins: DemoLogin[] };
}

export interface LoginForm {
  server: string;
  username: string;
  password: string;
  remember: boolean;
}

/** Codes the window makes itself: no Go backend (the page opened alone), or an error not from Go. */
export type WindowCode = "NO_BACKEND" | "ERROR";

export interface UIError {
  code: ErrorCode | WindowCode;
  message: string;
  fingerprint?: string;
  host?: string;
  suggestion?: string;
}

export interface OmniView {
  open: boolean;
  phoneOwner: string;
}

type Bound = Record<string, (...args: unknown[]) => Promise<unknown>>;

declare global {
  interface Window {
    go?: { app?: Record<string, Bound> };
    runtime?: {
      EventsOn(name: string, cb: (...data: unknown[]) => void): () => void;
    };
  }
}

function call<T>(service: string, method: string, ...args: unknown[]): Promise<T> {
  const fn = window.go?.app?.[service]?.[method];
  if (!fn) {
    return Promise.reject<T>({ code: "NO_BACKEND", message: `The app's ${service}.${method} is not available.` });
  }
  return fn(...args) as Promise<T>;
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
  view: () => call<SessionView>("Session", "View"),
  login: (f: LoginForm) => call<SessionView>("Session", "Login", f),
  autoLogin: () => call<SessionView>("Session", "AutoLogin"),
  trust: (server: string, fingerprint: string) => call<void>("Session", "TrustCertificate", server, fingerprint),
  logout: (forget: boolean) => call<SessionView>("Session", "Logout", forget),
  ready: () => call<void>("Session", "UIReady"),
};

export const omni = {
  open: () => call<OmniView>("Omni", "Open"),
  view: () => call<OmniView>("Omni", "View"),
};

export interface DeviceView {
  id: string;
  name: string;
  default: boolean;
}

export interface AudioView {
  microphones: DeviceView[];
  speakers: DeviceView[];
  microphone: string;
  speaker: string;
  ringer: string;
  notices: string[];
  problem: string;
}

export interface MicCheckView {
  verdict: "working" | "silent" | "no microphone" | "access denied" | "unknown";
  message: string;
  device: string;
  rmsDbfs: number;
  peakDbfs: number;
  dominantHz: number;
}

export interface MicLevel {
  rmsDbfs: number;
  peakDbfs: number;
}

export type DeviceRole = "microphone" | "speaker" | "ringer";

export const audio = {
  view: () => call<AudioView>("Audio", "View"),
  select: (role: DeviceRole, id: string) => call<AudioView>("Audio", "Select", role, id),
  checkMicrophone: () => call<MicCheckView>("Audio", "CheckMicrophone"),
  test: (role: DeviceRole) => call<string>("Audio", "Test", role),
};

export interface CallView {
  id: string;
  direction: "in" | "out";
  remote: string;
  /** The other side's display name, "" when it sent none. */
  remoteName: string;
  state: "dialing" | "ringing" | "active" | "held" | "ended";
  /** Unix milliseconds: when the call was answered (0 before). */
  answeredAt: number;
  muted: boolean;
  heldByRemote: boolean;
  reason: string;
}

export interface PhoneView {
  /** "off" (no SIP account), "registering", "registered", "failed". */
  registration: "off" | "registering" | "registered" | "failed";
  account: string;
  problem: string;
  calls: CallView[];
}

export interface HistoryEntry {
  remote: string;
  direction: "in" | "out";
  started: string;
  seconds: number;
  outcome: "answered" | "transferred" | "missed" | "rejected" | "failed" | "cancelled";
}

export const phone = {
  history: () => call<HistoryEntry[]>("Phone", "History"),
  view: () => call<PhoneView>("Phone", "View"),
  dial: (target: string) => call<CallView>("Phone", "Dial", target),
  answer: (id: string) => call<void>("Phone", "Answer", id),
  reject: (id: string) => call<void>("Phone", "Reject", id),
  hangup: (id: string) => call<void>("Phone", "Hangup", id),
  hold: (id: string, on: boolean) => call<void>("Phone", "Hold", id, on),
  mute: (id: string, on: boolean) => call<void>("Phone", "Mute", id, on),
  dtmf: (id: string, digits: string) => call<void>("Phone", "SendDTMF", id, digits),
  transfer: (id: string, target: string) => call<void>("Phone", "Transfer", id, target),
  /** Attended transfer: connects the party of call id (on hold) with the party of consultId, and
   * leaves both calls. Rejects with TRANSFER_FAILED, TRANSFER_UNCONFIRMED, TRANSFER_ABANDONED,
   * TRANSFER_NOT_READY or NO_CALL; both calls are then kept. */
  attendedTransfer: (id: string, consultId: string) => call<void>("Phone", "AttendedTransfer", id, consultId),
};

export function on<T>(event: string, cb: (data: T) => void): () => void {
  if (!window.runtime) return () => {};
  return window.runtime.EventsOn(event, (d) => cb(d as T));
}
