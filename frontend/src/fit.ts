// Names and numbers that may not fit their place (a caller's long name in the status banner at
// 340 px) are shortened here rather than by the browser's text-overflow: the browser cuts at any
// character and leaves the rest of the box blank, so "Maria Alessandra" read "Maria …" with a gap
// before the next part of the line. fitText cuts the text itself, drops the spaces and dashes
// before the ellipsis, and the box then is as wide as what it shows. The whole text is the title.
//
// An element shortened this way is marked data-cut="true" (state.ts clippedText checks it) and
// keeps its whole text in data-full; refitAll fits every such element again after the page
// changed (a resize, a part of the line shown or hidden).

const ctx = document.createElement("canvas").getContext("2d");

/** textWidth is the width of text in el's font, in CSS pixels. */
function textWidth(el: HTMLElement, text: string): number {
  const cs = getComputedStyle(el);
  if (!ctx) return el.scrollWidth;
  ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
  const spacing = parseFloat(cs.letterSpacing) || 0;
  return ctx.measureText(text).width + spacing * [...text].length;
}

/** Measurements of the canvas and of the laid-out text differ by a fraction of a pixel. */
const slack = 2;

/**
 * room is the width el may take: for an item of a flex row, its line's width less every other
 * item of the line (with their margins and the gaps between items), else the width of its box.
 */
function room(el: HTMLElement): number {
  const parent = el.parentElement;
  if (!parent) return el.clientWidth;
  const pcs = getComputedStyle(parent);
  if (!pcs.display.endsWith("flex") || pcs.flexDirection !== "row") return el.clientWidth;
  let width = parent.clientWidth - parseFloat(pcs.paddingLeft) - parseFloat(pcs.paddingRight);
  let items = 0;
  for (const c of parent.children) {
    const ch = c as HTMLElement;
    if (ch.getClientRects().length === 0) continue; // not rendered
    items++;
    if (ch === el) continue;
    const cs = getComputedStyle(ch);
    width -= ch.getBoundingClientRect().width + parseFloat(cs.marginLeft) + parseFloat(cs.marginRight);
  }
  const gap = parseFloat(pcs.columnGap) || 0;
  const ecs = getComputedStyle(el);
  return width - gap * Math.max(0, items - 1) - parseFloat(ecs.marginLeft) - parseFloat(ecs.marginRight)
    - parseFloat(ecs.paddingLeft) - parseFloat(ecs.paddingRight);
}

/** The end of a cut: no space, dash or separator before the ellipsis. */
const ragged = /[\s\-–—·,.;:/(]+$/u;

/** shorten returns the longest start of full that fits width with an ellipsis after it. */
export function shorten(full: string, width: number, measure: (s: string) => number): string {
  if (measure(full) <= width) return full;
  const chars = [...full];
  const cut = (n: number) => chars.slice(0, n).join("").replace(ragged, "");
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(cut(mid) + "…") <= width) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo) + "…";
}

/**
 * fitText shows full in el, or as much of it as fits followed by "…". It changes the page only
 * when what el shows changes (it runs after every change of the page). An element not rendered
 * shows the whole text until it is.
 */
export function fitText(el: HTMLElement, full: string): void {
  el.dataset.full = full;
  el.title = full;
  const rendered = el.isConnected && el.getClientRects().length > 0;
  let shown = full;
  if (rendered) {
    const measure = (s: string) => textWidth(el, s);
    let width = room(el) - slack;
    // A part of the line that gives way to the name ("Connected: "): shown only while the name
    // fits whole beside it. Its width is measured, never tried, so that fitting changes the page
    // at most once.
    const extra = el.parentElement?.querySelector<HTMLElement>(":scope > .gives-way");
    if (extra) {
      const w = extra.hidden ? textWidth(extra, extra.textContent ?? "") : extra.getBoundingClientRect().width;
      const without = extra.hidden ? width : width + w;
      const keep = measure(full) <= without - w;
      if (extra.hidden === keep) extra.hidden = !keep;
      width = keep ? without - w : without;
    }
    shown = shorten(full, width, measure);
  }
  if (el.textContent !== shown) el.textContent = shown;
  el.dataset.cut = String(shown !== full);
}

/** refitAll fits again every element fitText has filled, e.g. after the window was resized. */
export function refitAll(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>("[data-full]").forEach((el) => fitText(el, el.dataset.full ?? ""));
}

/**
 * wholeText is what el says, whole: the full text of each name fitText shortened, " · " for each
 * separator element (class "sep"). The window publishes it (and gives it as a label) rather than
 * the shortened text on the screen.
 */
export function wholeText(el: Node): string {
  if (!(el instanceof HTMLElement)) return el.textContent ?? "";
  if (el.dataset.full !== undefined) return el.dataset.full;
  if (el.classList.contains("sep")) return " · ";
  return [...el.childNodes].map(wholeText).join("");
}
