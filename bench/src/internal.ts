// Object materialisation alone: @ict/core has no public function that turns
// already computed feature columns into the seed's records (computeFeatures
// does detection + records in one call), so this suite reaches into the
// library's build for its internal record builders (the ones computeFeatures
// itself calls). Node resolves @ict/core to the same files, so this is the
// same module instance and the same engine. Bench-only; if the internals
// move, this file is the one place to follow them.

import { type WasmBars } from "@ict/core";
import { analyse } from "../../packages/core/dist/runtime/analysis.js";
import { zoneConfig, type ZoneAnalysis as Analysis } from "../../packages/core/dist/detectors/zones/zones.js";
import { bbSlot, breakerRecords } from "../../packages/core/dist/detectors/breakers/breakers.js";
import { fvgRecords, fvgSlot } from "../../packages/core/dist/detectors/fvg/fvg.js";
import { ifvgRecords, ifvgSlot } from "../../packages/core/dist/detectors/ifvg/ifvg.js";
import { obRecords, obSlot } from "../../packages/core/dist/detectors/ob/ob.js";

/** The record lists of one timeframe, as computeFeatures returns them. */
export interface RecordLists {
  fvg: unknown[];
  ifvg: unknown[];
  ob: unknown[];
  bb: unknown[];
}

/**
 * Runs the detectors once (not timed) and returns a function that builds the
 * zone records (FVG, IFVG, OB, breaker) from their columns: exactly the part
 * of computeFeatures that computeFeatureColumns does not do. The columns are
 * copied out of WebAssembly memory inside the analysis, and the record
 * builders only read them and the resident bar prices, so the returned
 * function stays valid after the analysis' scratch is freed (as long as `wb`
 * is not disposed).
 */
export function recordBuilder(wb: WasmBars, profile: "ict" | "seed-v0.1", tf = "1m"): () => RecordLists {
  const a: Analysis = analyse(wb as never, zoneConfig({ profile }), (x) => {
    void x.t;
    void x.use(fvgSlot);
    void x.use(ifvgSlot);
    void x.use(obSlot);
    void x.use(bbSlot);
    return x;
  });
  return () => ({ fvg: fvgRecords(a, tf), ifvg: ifvgRecords(a, tf), ob: obRecords(a, tf), bb: breakerRecords(a, tf) });
}
