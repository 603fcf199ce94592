/**
 * @ict/testkit — the seeded pseudo-random generators of the repository, in
 * one place: the tests' bar generators, the bench's random walks, the bundled
 * sample (`ict sample`) and the live demo's fake market all draw from these,
 * so a seed means the same sequence everywhere (integer-only state: the same
 * numbers in Node and in every browser).
 * @packageDocumentation
 */

export { mulberry32, sfc32, sfc32FromSeed } from "./prng.js";
export {
  tickWalkBars,
  regimeWalkBars,
  logWalkBars,
  correlatedReference,
  assertValidBars,
  prefixBars,
  type GenerateOptions,
  type OhlcvArrays,
} from "./bars.js";
