/**
 * The browser build with Parquet: everything of `@ict/core` and
 * `columnsFromParquet`, in one file (import this one or `ict-core.js`, not
 * both: each holds its own engine).
 */
export * from "./index.js";
export { columnsFromParquet } from "./io/parquet.js";
