export { renderSvg } from "./render_svg.ts";
export type { RenderOptions } from "./render_svg.ts";
export { decimate, lineDistance, movingAverage, thinToPixels } from "./transform.ts";
export { linearScale, logScale, niceTicks, timeTicks } from "./scale.ts";
export type { Scale } from "./scale.ts";
export { formatIsoTime, formatRelativeTime, FORMATTERS, formatTimeLabels } from "./format.ts";
export type { Formatter } from "./format.ts";
export { STYLES } from "./styles.ts";
export type { Style } from "./styles.ts";
export { escapeXml } from "./_svg.ts";
export { shapeSeries } from "./shape_series.ts";
export type { Grouping, Line, RankBy, ShapeOptions } from "./shape_series.ts";
export { toSeries } from "./to_series.ts";
export type { SeriesOptions } from "./to_series.ts";
export type { Point, Series } from "./types.ts";
export {
  axisTitle,
  chartTitle,
  collectQueries,
  PlotError,
  plotRecording,
} from "./plot_recording.ts";
export type { PlotPlan } from "./plot_recording.ts";
