/**
 * @ict/core/parquet — bars from Parquet files, in its own entry point so that
 * a user who never reads Parquet never loads its reader (`hyparquet` with its
 * codecs).
 * @packageDocumentation
 */
export { columnsFromParquet } from "./io/parquet.js";
export { ParquetFormatError } from "./base/errors.js";
