// The call card's quality indicator: three bars for the level the Go side rates each second
// (internal/quality: good, fair, poor), the estimated MOS beside them, and the warnings in force in
// plain words under the card's head. Self-contained: the card places el and warnings and calls
// update with each view of the call.

import { h } from "../dom";
import { quality } from "../../wailsjs/go/models";
import "./quality.css";

const levelText: Record<string, string> = {
  good: "Good call quality",
  fair: "Fair call quality",
  poor: "Poor call quality",
};

export function qualityIndicator(): {
  el: HTMLElement;
  warnings: HTMLElement;
  update(q: quality.Card | undefined, inCall: boolean): void;
} {
  const bars = [1, 2, 3].map((n) => h("span", { class: `q-bar q-bar-${n}` }));
  const mos = h("span", { class: "q-mos mono" });
  const el = h("span", { class: "quality", role: "img", "data-quality": "unknown" }, h("span", { class: "q-bars" }, ...bars), mos);
  // role=status: a new warning is read out once, politely.
  const warnings = h("div", { class: "q-warnings", role: "status", "data-quality-warnings": "" });
  const update = (q: quality.Card | undefined, inCall: boolean) => {
    const level = inCall && q ? q.level : "unknown";
    el.hidden = !inCall;
    el.dataset.quality = level;
    const rated = level !== "unknown" && q !== undefined && q.mos > 0;
    mos.textContent = rated ? q!.mos.toFixed(1) : "";
    const detail = rated
      ? `MOS ${q!.mos.toFixed(1)}, loss ${q!.lossPct.toFixed(1)} %, jitter ${Math.round(q!.jitterMs)} ms` +
        (q!.rttMs > 0 ? `, round trip ${Math.round(q!.rttMs)} ms` : "")
      : "";
    const label = levelText[level] ?? "Call quality not measured yet";
    el.setAttribute("aria-label", detail ? `${label}: ${detail}` : label);
    el.title = detail ? `${label}\n${detail}` : label;
    const list = inCall && q ? q.warnings ?? [] : [];
    warnings.hidden = list.length === 0;
    const shown = Array.from(warnings.children).map((c) => c.textContent).join("\n");
    if (shown !== list.join("\n")) {
      warnings.replaceChildren(...list.map((w) => h("div", { class: "q-warning" }, w)));
    }
  };
  return { el, warnings, update };
}
