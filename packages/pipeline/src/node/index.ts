/**
 * @ict/pipeline/node — file storage for Node: capsules and the context document
 * written atomically under `ROOT/data/daily_news/<day>/processed/`.
 * @packageDocumentation
 */
export { NonFiniteJsonError, stringifyStrict } from "./json.js";
export { capsulePath, contextPath, processedDir } from "./paths.js";
export { readJsonOrQuarantine, writeFileAtomic, writeJsonAtomic } from "./atomic.js";
export { BackgroundWriter } from "./writer.js";
export { readContext, writeCapsule, writeContext } from "./storage.js";
