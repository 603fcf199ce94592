/**
 * The replay's day report: a collector fed at every tick, the payload (the
 * data the page draws), the HTML of each day and the index over all days.
 */
export { DayReportCollector, type DayReportInput } from "./collector.js";
export { checkReportOptions } from "./payload.js";
export { nearestZones } from "./filter.js";
export { CLIENT_BUNDLE, escapeJsonForScript, renderDayReport, reportDays, reportNav, reportPath, writeDayReport } from "./html.js";
export { reportIndexPath, writeReportIndex } from "./index-page.js";
export type * from "./types.js";
