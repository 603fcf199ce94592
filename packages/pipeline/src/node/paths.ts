/** Where the outputs of a day go (names validated: nothing escapes ROOT). */
import { join } from "node:path";
import { checkDay, checkSymbol } from "../capsule.js";

/** The day's output folder: `ROOT/data/daily_news/<day>/processed`. */
export function processedDir(root: string, dayEt: string): string {
  return join(root, "data", "daily_news", checkDay(dayEt), "processed");
}

/** `ROOT/data/daily_news/<day>/processed/context_capsules/<SYMBOL>.json` (both names validated). */
export function capsulePath(root: string, dayEt: string, symbol: string): string {
  return join(processedDir(root, dayEt), "context_capsules", `${checkSymbol(symbol)}.json`);
}

/** `ROOT/data/daily_news/<day>/processed/current_context.json`. */
export function contextPath(root: string, dayEt: string): string {
  return join(processedDir(root, dayEt), "current_context.json");
}
