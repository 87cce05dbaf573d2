/** A point of a series: x is unix seconds, y is the query's value. */
export type Point = [x: number, y: number];

/** One line of the chart: a query's values for one process. */
export interface Series {
  /** `<query name> <pid>`, e.g. `rss 18467` or `№2 2`. */
  title: string;
  pid: number;
  /** Short command of the process (`stat.comm` or the start of `cmdline`), for the legend. */
  command: string;
  /** 0 for the left Y axis, 1 for the right. */
  axis: 0 | 1;
  points: Point[];
}
