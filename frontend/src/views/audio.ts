// The audio panel: microphone, speaker and ringer choices, the microphone check with a live meter,
// and test sounds. It lives in the settings sheet and never opens by itself: a microphone that does
// not work is reported to the bar (onProblem), which shows it once, as one banner and a badge. A
// WebRTC agent's microphone is checked as soon as the bar opens.

import { asUIError, audio, on, type AudioView, type DeviceRole, type DeviceView, type MicCheckView, type MicLevel } from "../api";
import { h } from "../dom";
import { publish } from "../state";

const verdictTitle: Record<string, string> = {
  working: "Microphone working",
  silent: "Microphone silent",
  "no microphone": "No microphone",
  "access denied": "Microphone access denied",
};

/** AudioProblem is what the bar shows of a microphone that does not work (null: it works). */
export interface AudioProblem {
  title: string;
  text: string;
}

export function audioPanel(opts: { checkNow: boolean; onProblem(p: AudioProblem | null): void }): { el: HTMLElement; check(): Promise<void>; dispose(): void } {
  let el: HTMLElement;
  const mic = h("select", { id: "mic-select", "aria-label": "Microphone" });
  const spk = h("select", { id: "speaker-select", "aria-label": "Speaker" });
  const ring = h("select", { id: "ringer-select", "aria-label": "Ringer" });
  const meterFill = h("div", { class: "meter-fill" });
  // The level in dBFS, from -60 (silence) to 0: the meter carries its value for assistive tools.
  const meter = h("div", {
    class: "meter", id: "mic-meter", role: "meter", "aria-label": "Microphone level",
    "aria-valuemin": "-60", "aria-valuemax": "0", "aria-valuenow": "-60", "aria-valuetext": "silence",
  }, meterFill);
  const meterText = h("span", { class: "mono dim meter-text" }, "");
  const verdict = h("div", { id: "mic-verdict", class: "verdict", role: "status" });
  const notices = h("div", { id: "audio-notices", class: "hint" });
  const checkBtn = h("button", { id: "mic-check", type: "button", class: "small" }, "Check");
  const testSpk = h("button", { id: "speaker-test", type: "button", class: "small" }, "Test");
  const testRing = h("button", { id: "ringer-test", type: "button", class: "small" }, "Test");
  const outStatus = h("p", { id: "audio-status", class: "hint", role: "status" });
  const processing = h("input", { id: "processing-toggle", type: "checkbox" });

  const fill = (sel: HTMLSelectElement, list: DeviceView[], chosen: string) => {
    sel.replaceChildren(...list.map((d) =>
      h("option", { value: d.id, selected: d.id === chosen }, d.default ? `${d.name} (default)` : d.name)));
    sel.disabled = list.length === 0;
    if (list.length === 0) sel.append(h("option", {}, "None connected"));
  };
  const render = (v: AudioView) => {
    fill(mic, v.microphones, v.microphone);
    fill(spk, v.speakers, v.speaker);
    fill(ring, v.speakers, v.ringer);
    const lines = [...v.notices];
    if (v.problem) lines.unshift(v.problem);
    notices.replaceChildren(...lines.map((l) => h("p", {}, l)));
    processing.checked = v.processing;
  };
  // A verdict shown stands until sound is measured again: a new check (the panel's, or the one
  // before going ready) makes it "Checking…", so a meter that moves never sits beside "silent".
  let shown = "";
  const showLevel = (l: MicLevel) => {
    if (shown !== "running") {
      shown = "running";
      verdict.dataset.verdict = "running";
      verdict.replaceChildren(h("strong", {}, "Checking the microphone…"), h("p", {}, "Say a few words."));
      summaryState.dataset.verdict = "running";
      summaryState.textContent = "Checking…";
    }
    showLevelOnly(l);
  };
  const showLevelOnly = (l: MicLevel) => {
    // -60 dBFS (silence threshold) to 0 dBFS across the bar.
    const pct = Math.max(0, Math.min(100, ((l.rmsDbfs + 60) / 60) * 100));
    meterFill.style.width = `${pct}%`;
    meterText.textContent = l.rmsDbfs <= -100 ? "silence" : `${l.rmsDbfs.toFixed(0)} dBFS`;
    meter.setAttribute("aria-valuenow", String(Math.max(-60, Math.min(0, Math.round(l.rmsDbfs)))));
    meter.setAttribute("aria-valuetext", meterText.textContent);
  };
  const summaryState = h("span", { id: "audio-summary-state", class: "summary-state" }, "");
  const showVerdict = (r: MicCheckView) => {
    verdict.dataset.verdict = r.verdict;
    publish({ mic: r.verdict });
    summaryState.dataset.verdict = r.verdict;
    summaryState.textContent = verdictTitle[r.verdict] ?? r.verdict;
    verdict.replaceChildren(h("strong", {}, verdictTitle[r.verdict] ?? r.verdict), h("p", {}, r.message));
    shown = r.verdict;
    showLevelOnly({ rmsDbfs: r.rmsDbfs, peakDbfs: r.peakDbfs });
    opts.onProblem(r.verdict === "working" ? null : { title: verdictTitle[r.verdict] ?? r.verdict, text: r.message });
  };
  const check = async () => {
    checkBtn.disabled = true;
    checkBtn.textContent = "Listening…";
    verdict.dataset.verdict = "running";
    verdict.replaceChildren(h("strong", {}, "Checking the microphone…"), h("p", {}, "Say a few words."));
    summaryState.dataset.verdict = "running";
    summaryState.textContent = "Checking…";
    shown = "running";
    try {
      showVerdict(await audio.checkMicrophone());
    } catch (e) {
      verdict.dataset.verdict = "error";
      summaryState.dataset.verdict = "error";
      summaryState.textContent = "Microphone check failed";
      shown = "error";
      const msg = asUIError(e).message;
      verdict.replaceChildren(h("strong", {}, "Microphone check failed"), h("p", {}, msg));
      opts.onProblem({ title: "Microphone check failed", text: msg });
    } finally {
      checkBtn.disabled = false;
      checkBtn.textContent = "Check";
    }
  };
  const select = (role: DeviceRole, sel: HTMLSelectElement) => async () => {
    try {
      render(await audio.select(role, sel.value));
      if (role === "microphone") void check();
    } catch (e) {
      outStatus.textContent = asUIError(e).message;
    }
  };
  const test = (role: DeviceRole, btn: HTMLButtonElement) => async () => {
    btn.disabled = true;
    try {
      outStatus.textContent = await audio.test(role);
    } catch (e) {
      outStatus.textContent = asUIError(e).message;
    } finally {
      btn.disabled = false;
    }
  };
  mic.addEventListener("change", select("microphone", mic));
  spk.addEventListener("change", select("speaker", spk));
  ring.addEventListener("change", select("ringer", ring));
  processing.addEventListener("change", async () => {
    try {
      render(await audio.setProcessing(processing.checked));
      outStatus.textContent = processing.checked
        ? "Echo, noise and level are cleaned up from your next call on."
        : "Your microphone goes to calls as it is from your next call on.";
    } catch (e) {
      processing.checked = !processing.checked;
      outStatus.textContent = asUIError(e).message;
    }
  });
  checkBtn.addEventListener("click", () => void check());
  testSpk.addEventListener("click", test("speaker", testSpk));
  testRing.addEventListener("click", test("ringer", testRing));

  const offAudio = on("audio", render);
  const offLevel = on("mic-level", showLevel);
  // A check the panel did not start (going ready runs one) shows its verdict here too.
  const offCheck = on("mic-check", (r) => { if (!checkBtn.disabled) showVerdict(r); });
  void audio.view().then(render).catch((e) => { notices.textContent = asUIError(e).message; });
  el = h("section", { class: "audio", id: "audio", "aria-label": "Audio" },
    h("div", { class: "audio-head" }, h("h3", {}, "Audio"), summaryState),
    h("div", { class: "field" }, h("label", { for: "mic-select" }, "Microphone"), h("div", { class: "row" }, mic, checkBtn)),
    h("div", { class: "meter-row" }, meter, meterText),
    verdict,
    h("div", { class: "field" }, h("label", { for: "speaker-select" }, "Speaker"), h("div", { class: "row" }, spk, testSpk)),
    h("div", { class: "field" }, h("label", { for: "ringer-select" }, "Ringer"), h("div", { class: "row" }, ring, testRing)),
    h("div", { class: "field check" }, processing,
      h("label", { for: "processing-toggle" }, "Clean up my microphone in calls (echo, noise, level)")),
    notices, outStatus,
  );
  if (opts.checkNow) void check();
  return { el, check, dispose: () => { offAudio(); offLevel(); offCheck(); } };
}
