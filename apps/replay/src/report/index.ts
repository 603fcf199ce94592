/**
 * The replay's day report: a collector fed at every tick, the payload (the
 * data the page draws), the HTML of each day and the index over all days.
 */
export { DayReportCollector, type ConfluenceEvent, type ConfluenceLife, type DayReportInput, type StagePoint, type SymbolReportInput } from "./collector.js";
export { checkReportOptions, dayReportJson, dayReportPayload, zonesOf, type ReportOptions } from "./payload.js";
export { nearestZones } from "./filter.js";
export {
  CLIENT_BUNDLE,
  dailyNewsDir,
  escapeJsonForScript,
  lightweightChartsSource,
  relinkReports,
  renderDayReport,
  reportClientSource,
  reportDays,
  reportNav,
  reportPath,
  writeDayReport,
  type RenderOptions,
  type WriteReportOptions,
} from "./html.js";
export { renderReportIndex, reportIndexPath, writeReportIndex, type IndexCell, type IndexDay } from "./index-page.js";
export type * from "./types.js";
