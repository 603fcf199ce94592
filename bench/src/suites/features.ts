// Bench suite: The whole feature set of one timeframe.
import { computeFeatureColumns, computeFeatures } from "@ict/core";
import { type BImpl, type SuiteEnv, fail, fmtBars, timed } from "../common.js";

/** The whole feature set of one timeframe (one size; verification first, then timing). */
export async function featuresSuite(env: SuiteEnv): Promise<void> {
  const { ctx, o, records } = env;
  const { n, wb } = ctx;
  {
    const cI = ctx.all ? computeFeatureColumns(wb) : null;
    const cS = ctx.all ? computeFeatureColumns(wb, { profile: "seed-v0.1" }) : null;
    if (cI && cS)
      o.log(
        `  feature set on ${fmtBars(n)} (ict): ${cI.structure.index.length} breaks, ${cI.fvg.mid.length} FVGs, ${cI.ifvg.gap.length} IFVGs, ${cI.ob.candle.length} OBs, ${cI.bb.ob.length} breakers; ` +
          `(seed-v0.1): ${cS.fvg.mid.length} FVGs, ${cS.ob.candle.length} OBs`,
      );
    const impls: BImpl[] = [
      { name: "columns ict", fn: () => computeFeatureColumns(wb), key: true },
      { name: "columns seed-v0.1", fn: () => computeFeatureColumns(wb, { profile: "seed-v0.1" }), key: true },
    ];
    if (ctx.heavy && cI && cS) {
      // Checked on the first (warm-up) call of each: as many records as columns.
      const same =
        (cols: typeof cI) =>
        (r: unknown): void => {
          const x = r as ReturnType<typeof computeFeatures>;
          if (
            x.fvg.length !== cols.fvg.mid.length ||
            x.ifvg.length !== cols.ifvg.gap.length ||
            x.ob.length !== cols.ob.candle.length ||
            x.bb.length !== cols.bb.ob.length
          ) {
            fail(
              `features: records (${x.fvg.length} fvg, ${x.ob.length} ob) and columns (${cols.fvg.mid.length} fvg, ${cols.ob.candle.length} ob) differ`,
            );
          }
        };
      impls.push(
        { name: "records ict", fn: () => computeFeatures(wb, { tf: "1m" }), heavy: true, check: same(cI) },
        { name: "records seed-v0.1", fn: () => computeFeatures(wb, { tf: "1m", profile: "seed-v0.1" }), heavy: true, check: same(cS) },
      );
    }
    await timed(ctx, o, records, "features(1 tf)", impls);
  }
}
