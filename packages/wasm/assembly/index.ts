// @ict/wasm: kernels over Float64 columns that live in this module's memory.
// Every kernel takes pointers and lengths; nothing is copied through bindings.
export { alloc, free } from "./memory";
export { atr, atrScratchBytes, trueRange } from "./atr";
export { swings } from "./swings";
export { structure } from "./structure";
export { impulseLeg, maxHigh, minLow } from "./equilibrium";
export { firstTouch, firstTouchScratchBytes, touchIndexBuild, touchIndexBytes } from "./events";
export { fvgDetect, fvgEvents } from "./fvg";
export { ifvgBuild } from "./ifvg";
export { breakerBuild } from "./breakers";
export { obDetect, obEvents } from "./ob";
export { alignTimes, gather, smtDivergence } from "./smt";
