// Bench suite: Object materialisation alone.
import { computeFeatures } from "@ict/core";
import { recordBuilder } from "../internal.js";
import { type BImpl, type SuiteEnv, fail, timed } from "../common.js";

/** Object materialisation alone (one size; verification first, then timing). */
export async function recordsSuite(env: SuiteEnv): Promise<void> {
  const { ctx, o, records } = env;
  const { n, wb } = ctx;
  if (ctx.heavy) {
    const impls: BImpl[] = [];
    for (const profile of ["ict", "seed-v0.1"] as const) {
      const build = recordBuilder(wb, profile);
      if (n <= 1_000_000) {
        const want = computeFeatures(wb, { tf: "1m", profile });
        const got = build();
        for (const kind of ["fvg", "ifvg", "ob", "bb"] as const) {
          if (JSON.stringify(got[kind]) !== JSON.stringify(want[kind]))
            fail(`records from columns (${profile}): ${kind} records differ from computeFeatures`);
        }
      }
      impls.push({ name: `records ${profile}`, fn: build });
    }
    o.log(
      `  verified: records built from the columns = computeFeatures' records (fvg, ifvg, ob, bb)${n > 1_000_000 ? " (checked up to 1M bars only)" : ""}`,
    );
    await timed(ctx, o, records, "records from columns", impls);
  }
}
