// Bench suite: A full capsule of one symbol.
import { aggregate, columnsFromArrays } from "@ict/core";
import { buildCapsule } from "@ict/pipeline";
import { type SuiteEnv, fail, timed } from "../common.js";

/** A full capsule of one symbol (one size; verification first, then timing). */
export async function capsuleSuite(env: SuiteEnv): Promise<void> {
  const { ctx, o, records } = env;
  const { n } = ctx;
  if (ctx.heavy) {
    const ref5 = aggregate(columnsFromArrays(ctx.ref), 5);
    const cap = (profile: "ict" | "seed-v0.1") => () =>
      buildCapsule({
        symbol: "SYM",
        dayEt: "2024-01-02",
        bars1m: ctx.cols,
        ref5m: ref5,
        refSymbol: "REF",
        now: Date.UTC(2024, 0, 2, 21),
        profile,
      });
    const show =
      (profile: string) =>
      (r: unknown): void => {
        const c1 = r as ReturnType<ReturnType<typeof cap>>;
        if (c1.features.tf_1m.fvg.length === 0 && n >= 1000) fail(`capsule (${profile}): no 1m FVG records`);
        o.log(
          `  capsule (${profile}): 5m ${c1.features.tf_5m.fvg.length} FVGs, 1m ${c1.features.tf_1m.fvg.length} FVGs, ${c1.features.smt.length} SMT records`,
        );
      };
    await timed(ctx, o, records, "capsule (1m+5m+SMT)", [
      { name: "ict", fn: cap("ict"), check: show("ict") },
      { name: "seed-v0.1", fn: cap("seed-v0.1"), check: show("seed-v0.1") },
    ]);
  }
}
