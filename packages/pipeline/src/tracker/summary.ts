import { pyFixed2 } from "../pyfmt.js";

const f2 = pyFixed2;

/**
 * A confluence's one-line summary for the prompt, e.g. `FVG(5m bull @
 * 412.10–412.55)`. A price of 0 is printed (Q23); prices are rounded to two
 * decimals half-to-even on exact ties, as Python's `.2f` (Q24).
 */
export function shortSummary(c: Record<string, any>): string {
  const num = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  const range = (lo: unknown, hi: unknown) => (num(lo) && num(hi) ? ` @ ${f2(lo as number)}–${f2(hi as number)}` : "");
  const at = (x: unknown) => (num(x) ? ` @ ${f2(x as number)}` : "");
  const head = `${c.tf} ${c.dir}`;
  switch (c.kind) {
    case "FVG":
    case "IFVG":
      return `${c.kind}(${head}${range(c.gap?.[0], c.gap?.[1])})`;
    case "OB":
      return `OB(${head}${range(c.body?.[0], c.body?.[1])})`;
    case "BB":
      return `BB(${head}${at(c.level)})`;
    case "BOS":
      return `${c.event === "CHOCH" ? "CHOCH" : "BOS"}(${head}${at(c.level)})`;
    case "SMT":
      return `SMT(${c.tf} ${c.dir}${c.pair ? ` ${c.pair}` : ""})`;
    default:
      return `${c.kind}(${c.tf})`;
  }
}
