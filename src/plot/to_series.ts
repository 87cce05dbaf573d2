import type { Line } from "./shape_series.ts";
import { decimate, movingAverage } from "./transform.ts";
import type { Series } from "./types.ts";

/** How a query's lines become drawn series. */
export interface SeriesOptions {
  /** Series name before the line's label: the query's name, or `№<n>` for a custom query. */
  name: string;
  axis: 0 | 1;
  /** Ramer–Douglas–Peucker ε, in value units with x in seconds. */
  epsilon?: number | undefined;
  /** Centred moving average window, in points; applied before decimation. */
  movingAverageWindow?: number | undefined;
}

/** Names a query's lines and applies the moving average, then RDP, to each. */
export function toSeries(lines: readonly Line[], options: SeriesOptions): Series[] {
  return lines.map((line) => {
    let points = line.points;
    if (options.movingAverageWindow) points = movingAverage(points, options.movingAverageWindow);
    // the reference skips decimation for a falsy ε, so -e 0 draws every point
    if (options.epsilon) points = decimate(points, options.epsilon);
    return {
      title: `${options.name} ${line.label}`,
      label: line.label,
      key: line.key,
      pid: line.pid,
      command: line.detail,
      axis: options.axis,
      points,
    };
  });
}
