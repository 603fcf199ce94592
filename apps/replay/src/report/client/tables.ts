/** The legend and the tables under each chart: stage transitions and confluence lives. */
import { BEAR, BULL, EQ_LINE, ZONE_COLORS, ZONE_NAMES, withAlpha } from "../palette.js";
import type { SymbolPayload, ZoneKind } from "../types.js";
import { el, hm } from "./view.js";

/** Swatches of every zone kind and direction, the EQ/OTE and the breaks. */
export function legend(): HTMLElement {
  const box = el("div", { class: "legend" });
  const item = (style: string, cls: string, text: string) => {
    const sp = el("span");
    sp.appendChild(el("span", { class: cls, style }));
    sp.appendChild(document.createTextNode(text));
    box.appendChild(sp);
  };
  for (const kind of ["FVG", "IFVG", "OB", "BB"] as ZoneKind[]) {
    for (const dir of ["bull", "bear"] as const) {
      const c = ZONE_COLORS[kind][dir];
      item(
        `background:${withAlpha(c, 0.25)};border-color:${c}${kind === "IFVG" || kind === "BB" ? ";border-style:dashed" : ""}`,
        "sw",
        `${ZONE_NAMES[kind]} ${dir}`,
      );
    }
  }
  item("background:rgba(255,193,7,0.35);border-color:rgba(255,193,7,0.6)", "sw", "OTE (5m)");
  item(`border-top:2px dashed ${EQ_LINE}`, "ln", "EQ (5m)");
  item(`border-color:${BULL}`, "ln", "BOS bull");
  item(`border-color:${BEAR}`, "ln", "BOS bear");
  item(`border-top:2px dashed ${BULL}`, "ln", "CHoCH (dashed)");
  box.appendChild(el("span", { class: "meta" }, "· faded box: ended (filled, invalidated or expired) · solid: alive at the close"));
  return box;
}

/** The tracker's stage changes over the day. */
export function stagesTable(s: SymbolPayload): HTMLElement {
  const det = el("details");
  det.appendChild(el("summary", null, `Stage transitions (${s.stages.length})`));
  const wrap = el("div", { class: "scroll" }),
    tab = el("table");
  const head = el("tr");
  for (const h of ["time (NY)", "htf_stage", "ltf_stage", "bias", "price vs EQ"]) head.appendChild(el("th", null, h));
  tab.appendChild(head);
  for (const a of s.stages) {
    const tr = el("tr");
    for (const x of [hm(a.t), a.htf, a.ltf, a.bias ?? "—", a.priceVsEq ?? "—"]) tr.appendChild(el("td", null, x));
    tab.appendChild(tr);
  }
  wrap.appendChild(tab);
  det.appendChild(wrap);
  return det;
}

/** Every tracked confluence with its statuses and their times (built when opened). */
export function confTable(s: SymbolPayload): HTMLElement {
  const det = el("details");
  const counts = new Map<string, number>();
  for (const c of s.confs) {
    const last = c.events[c.events.length - 1]!.status;
    counts.set(last, (counts.get(last) ?? 0) + 1);
  }
  const parts = [...counts.keys()].sort().map((k) => `${k} ${counts.get(k)}`);
  det.appendChild(el("summary", null, `Confluences (${s.confs.length}; at the close: ${parts.join(", ") || "none"})`));
  let built = false;
  det.addEventListener("toggle", () => {
    if (built || !det.open) return;
    built = true;
    const wrap = el("div", { class: "scroll" }),
      tab = el("table");
    const head = el("tr");
    for (const h of ["confluence", "kind", "tf", "first seen", "life (NY time)", "last"]) head.appendChild(el("th", null, h));
    tab.appendChild(head);
    for (const c of s.confs) {
      const tr = el("tr");
      tr.appendChild(el("td", null, c.summary));
      tr.appendChild(el("td", null, c.kind));
      tr.appendChild(el("td", null, c.tf));
      tr.appendChild(el("td", null, hm(c.events[0]!.t)));
      const life = el("td");
      c.events.forEach((e, i) => {
        if (i > 0) life.appendChild(document.createTextNode(" → "));
        life.appendChild(el("span", { class: `st-${e.status}` }, `${e.status} ${hm(e.t)}`));
      });
      tr.appendChild(life);
      const last = c.events[c.events.length - 1]!.status;
      tr.appendChild(el("td", { class: `st-${last}` }, last));
      tab.appendChild(tr);
    }
    wrap.appendChild(tab);
    det.appendChild(wrap);
  });
  return det;
}
