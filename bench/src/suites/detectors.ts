// Bench suite: The other detectors alone (public API, ict profile, columns).
import { breakerBlocks, columnsFromArrays, equilibrium, ifvg, orderBlocks, smt, structure } from "@ict/core";
import { type SuiteEnv, timed } from "../common.js";

/** The other detectors alone (public API, ict profile, columns) (one size; verification first, then timing). */
export async function detectorSuites(env: SuiteEnv): Promise<void> {
  const { ctx, o, records } = env;
  const { engine, wb } = ctx;
  if (ctx.all) {
    const refCols = columnsFromArrays(ctx.ref);
    const refWb = engine.upload(refCols);
    for (const [suite, fn] of [
      ["structure (BOS/CHoCH)", () => structure(wb)],
      ["equilibrium (EQ/OTE)", () => equilibrium(wb)],
      ["ifvg", () => ifvg(wb)],
      ["order blocks", () => orderBlocks(wb)],
      ["breaker blocks", () => breakerBlocks(wb)],
    ] as const) {
      await timed(ctx, o, records, suite, [{ name: "api (ict)", fn }]);
    }
    // SMT builds its records internally even for the columns (smt() = smtObjects' work): heavy.
    await timed(ctx, o, records, "smt (1m vs reference)", [{ name: "api (ict)", fn: () => smt(wb, refWb), heavy: true }]);
    refWb.dispose();
  }
}
