import type { SeriesRow } from "../store/mod.ts";
import { decimate, movingAverage } from "./transform.ts";
import type { Point, Series } from "./types.ts";

/** How query rows become series. */
export interface SeriesOptions {
  /** Series name before the pid: the query's name, or `№<n>` for a custom query. */
  name: string;
  axis: 0 | 1;
  commands: ReadonlyMap<number, string>;
  /** Ramer–Douglas–Peucker ε, in value units with x in seconds. */
  epsilon?: number;
  /** Centred moving average window, in points; applied before decimation. */
  movingAverageWindow?: number;
}

/**
 * Groups query rows into one series per process, consecutively by pid (the queries
 * order by pid then record), then applies the moving average and then RDP.
 */
export function toSeries(rows: readonly SeriesRow[], options: SeriesOptions): Series[] {
  const series: Series[] = [];
  let current: Point[] = [];
  let pid: number | null = null;
  const flush = () => {
    if (pid === null) return;
    let points = current;
    if (options.movingAverageWindow) {
      points = movingAverage(points, options.movingAverageWindow);
    }
    // the reference skips decimation for a falsy ε, so -e 0 draws every point
    if (options.epsilon) points = decimate(points, options.epsilon);
    series.push({
      title: `${options.name} ${pid}`,
      pid,
      command: options.commands.get(pid) ?? "",
      axis: options.axis,
      points,
    });
  };
  for (const row of rows) {
    if (row.pid !== pid) {
      flush();
      pid = row.pid;
      current = [];
    }
    if (row.value !== null) current.push([row.ts, Number(row.value)]);
  }
  flush();
  return series;
}
