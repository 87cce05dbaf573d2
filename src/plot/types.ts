/** A point of a series: x is unix seconds, y is the query's value. */
export type Point = [x: number, y: number];

/** One line of the chart: a query's values for one process or one group of them. */
export interface Series {
  /** `<query name> <pid or group>`, e.g. `rss 18467`, `№2 2`, `rss nginx`, `cpu others`. */
  title: string;
  /** The line alone, without the query's name: `18467`, `nginx`, `others`. */
  label: string;
  /** The line's identity across queries (`pid:42`, `comm:nginx`, `others`): its colour. */
  key: string;
  /** The process of a per-process line, else `null`. */
  pid: number | null;
  /** What runs in it, for the legend: a process's command, or `12 processes`. */
  command: string;
  /** 0 for the left Y axis, 1 for the right. */
  axis: 0 | 1;
  points: Point[];
}
