// A tiny element builder: enough for a handful of views, without a framework.

type Attrs = Record<string, string | boolean | number | EventListener | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
    } else if (k === "class") {
      el.className = String(v);
    } else if (v === true) {
      el.setAttribute(k, "");
    } else {
      el.setAttribute(k, String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

export function initials(fullname: string): string {
  const parts = fullname.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? "?";
  const last = parts.length > 1 ? parts[parts.length - 1][0] : "";
  return (first + last).toUpperCase();
}

const typologyLabels: Record<string, string> = {
  webrtc: "WebRTC",
  external: "External",
  phonebar: "Phonebar",
  mobile: "Mobile",
  admin: "Admin",
  agent: "Agent",
  user: "User",
};

// typologyLabel names an agent typology or role the way Motion writes it.
export function typologyLabel(t: string): string {
  return typologyLabels[t] ?? t;
}

/** party is the short form of a SIP address for people: its user part ("sip:+3906123@pbx" -> "+3906123"). */
export function party(remote: string): string {
  return remote.replace(/^sips?:/, "").replace(/[;?].*$/, "").replace(/@.*$/, "") || remote;
}

/** clock writes a duration as mm:ss, or h:mm:ss from an hour. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** isTyping says the keyboard focus is in a field the agent types into. */
export function isTyping(): boolean {
  const f = document.activeElement;
  return f instanceof HTMLInputElement && f.type !== "checkbox" && f.type !== "radio" || f instanceof HTMLTextAreaElement || f instanceof HTMLSelectElement;
}

/** Every element with data-since (Unix ms) shows the time since then, once a second. */
export function tickClocks(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>("[data-since]").forEach((el) => {
    const at = Number(el.dataset.since);
    el.textContent = at ? clock(Date.now() - at) : "";
  });
}
window.setInterval(() => tickClocks(), 1000);
