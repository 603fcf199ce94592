/**
 * @ict/pipeline/node — file storage for Node: capsules and the context document
 * written atomically under `ROOT/data/daily_news/<day>/processed/`.
 * @packageDocumentation
 */
export {
  BackgroundWriter,
  capsulePath,
  contextPath,
  NonFiniteJsonError,
  processedDir,
  readContext,
  readJsonOrQuarantine,
  stringifyStrict,
  writeCapsule,
  writeContext,
  writeFileAtomic,
  writeJsonAtomic,
} from "./storage.js";
