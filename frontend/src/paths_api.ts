// Typed wrappers over the Session service's login paths (issue 3): the password change, notices,
// forgot password, hot desk and forced login. Kept apart from api.ts, which other views share.

import type { SessionView, UIError } from "./api";

export interface NoticeView {
  id: "password-expiry" | "license";
  text: string;
  days: number;
  action: "" | "change-password";
}

/** SessionView as Session.View returns it, with the paths' fields. */
export interface PathsView extends Omit<SessionView, "state"> {
  state: SessionView["state"] | "password-change";
  notices: NoticeView[];
  needCurrentPassword: boolean;
  /** The agent is ready to take contacts; a login starts not ready. */
  ready: boolean;
  agent?: SessionView["agent"] & { phone?: string; line?: string };
}

export interface RuleCheck {
  id: string;
  text: string;
  ok: boolean;
}

export interface PathsLoginForm {
  server: string;
  username: string;
  password: string;
  remember: boolean;
  force: boolean;
  phone: string;
  line: string;
}

export interface SSOForm {
  server: string;
  provider: string;
  force: boolean;
  phone: string;
  line: string;
}

export interface PathsError extends UIError {
  phones?: string[];
}

type Fn = (...args: unknown[]) => Promise<unknown>;

function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const fn = (window.go?.app?.Session as Record<string, Fn> | undefined)?.[method];
  if (!fn) return Promise.reject<T>({ code: "NO_BACKEND", message: `The app's Session.${method} is not available.` });
  return fn(...args) as Promise<T>;
}

export const paths = {
  view: () => call<PathsView>("View"),
  login: (f: PathsLoginForm) => call<PathsView>("Login", f),
  changePassword: (current: string, next: string) => call<PathsView>("ChangePassword", current, next),
  rules: (candidate: string) => call<RuleCheck[]>("PasswordRules", candidate),
  forgot: (server: string, email: string) => call<void>("ForgotPassword", server, email),
  dismiss: (id: string) => call<PathsView>("DismissNotice", id),
  providers: (server: string) => call<string[]>("Providers", server),
  loginSSO: (f: SSOForm) => call<PathsView>("LoginSSO", f),
  cancelSSO: () => call<void>("CancelSSO"),
  setReady: (on: boolean) => call<PathsView>("SetReady", on),
  mark: (what: "banner-shown" | "banner-hidden") => call<void>("UIMark", what),
};

// The login form offers the line choice (internal, phone, mobile) to a user whose last login here
// was an external agent without Hot Desk: the window only learns the typology at login. The app
// keeps it in its settings; "" means nothing to offer.
export const lineMemory = {
  get: (server: string, user: string): Promise<string> => call<string>("LastLine", server, user).catch(() => ""),
};
