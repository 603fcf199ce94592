/**
 * @ict/core — ICT / smart-money market structure from OHLCV bars.
 *
 * Bars → validated {@link Columns} → WebAssembly kernels → typed event columns
 * → object views in the seed's record shapes.
 * @packageDocumentation
 */
export {
  IctError,
  BarValidationError,
  DuplicateTimestampError,
  CsvFormatError,
  OptionError,
  ParquetFormatError,
  ColumnsError,
  EngineTrapError,
  EngineDeadError,
  TimeFormatError,
  quoteValue,
  MAX_QUOTED_CHARS,
  type BarField,
  type ColumnsField,
} from "./base/errors.js";
export { columnsFromCsv, columnsFromText } from "./io/csv.js";
export { FIELD_ALIASES, type ColumnMapping, type BarFieldName } from "./io/fields.js";
export { repairOhlc } from "./io/repair.js";
export {
  parseIsoMs,
  parseIsoTime,
  toEpochMs,
  epochToMs,
  isoUtc,
  nyOffsetMs,
  nyDate,
  tfMinutes,
  minSpacingMs,
  isTimeZone,
  zoneOffsetMs,
} from "./io/time.js";
export {
  columnsFromBars,
  columnsFromArrays,
  sliceColumns,
  barsFromColumns,
  MAX_PRICE,
  MIN_PRICE,
  MAX_VOLUME,
  type Bar,
  type Columns,
  type ReadOptions,
} from "./io/columns.js";
export { Engine, WasmBars, resident, withBars, checkColumns, type BarsInput } from "./runtime/engine.js";
export { PROFILES, PROFILE_RULES, resolveProfile, PRICE_TOL, type Profile, type ProfileRules } from "./base/profile.js";
export { atr, trueRange, type AtrOptions } from "./detectors/atr/atr.js";
export { swings, swingPoints, type Swings, type SwingPoint, type SwingOptions } from "./detectors/swings/swings.js";
export {
  structure,
  structureEvents,
  marketStructure,
  type StructureEvents,
  type StructureEvent,
  type StructureOptions,
  type MarketStructure,
} from "./detectors/structure/structure.js";
export { equilibrium, type Equilibrium, type EquilibriumOptions, type Leg } from "./detectors/equilibrium/equilibrium.js";
export { type ZoneOptions } from "./detectors/zones/zones.js";
export { fvg, fvgObjects, type FvgColumns, type FvgRecord } from "./detectors/fvg/fvg.js";
export { ifvg, ifvgObjects, type IfvgColumns, type IfvgRecord } from "./detectors/ifvg/ifvg.js";
export { orderBlocks, orderBlockObjects, type ObColumns, type ObRecord } from "./detectors/ob/ob.js";
export { breakerBlocks, breakerObjects, type BreakerColumns, type BreakerRecord } from "./detectors/breakers/breakers.js";
export { smt, smtObjects, type SmtColumns, type SmtRecord, type SmtOptions } from "./detectors/smt/smt.js";
export {
  computeLevels,
  createLevelsStream,
  type Levels,
  type LevelsBar,
  type LevelsOptions,
  type LevelsStream,
  type OpenLevel,
  type OpeningGap,
  type PrevDay,
  type RangeLevel,
  type SessionRange,
} from "./detectors/levels/levels.js";
export {
  defaultSessions,
  EQUITY_SESSIONS,
  INSTRUMENT_CLASSES,
  KILLZONES,
  nyWallToUtc,
  tradingDay,
  type InstrumentClass,
  type SessionWindow,
} from "./detectors/levels/sessions.js";
export { computeFeatures, computeFeatureColumns, type FeatureOptions, type TfFeatures, type FeatureColumns } from "./features/features.js";
export {
  createStream,
  restoreStream,
  DEFAULT_REVISION_WINDOW,
  StreamOrderError,
  StreamRevisionError,
  StreamSnapshotError,
  type IncrementalStreamOptions,
  type FeatureStream,
  type StreamBar,
  type StreamEvent,
  type StreamEventKind,
  type StreamEventType,
  type StreamOptions,
  type StreamSnapshot,
  type StreamUpdate,
} from "./stream/index.js";
export { aggregate, aggregateBars, nyBucketStart, resample, resampleNy } from "./io/aggregate.js";
