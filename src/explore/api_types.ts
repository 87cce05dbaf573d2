/**
 * The JSON `explore`'s server answers and its page reads: one set of types for both
 * (the page, `ui/app.js`, imports them in JSDoc and `deno check` checks it).
 *
 * @module
 */
import type { ChartData, ChartInfo, Lifetime } from "./charts.ts";
import type { TreeRow } from "./tree_at.ts";

export type { ChartData, ChartInfo, Lifetime, TreeRow };

/** `GET /api/meta`: the recording and what the page can ask of it. */
export interface MetaAnswer {
  /** The recording's file name (no directory). */
  file: string;
  meta: Readonly<Record<string, string>>;
  files: readonly string[];
  /** The `record` table's columns, for SQL completion. */
  columns: readonly string[];
  charts: readonly ChartInfo[];
  /** plot's colours, so explore's lines match plot's. */
  palette: readonly string[];
  samples: number;
  /** First and last sample, unix seconds; null when there is none yet. */
  span: [number, number] | null;
  limits: { rows: number; bytes: number; seconds: number };
}

/** `GET /api/poll`: whether the recording grew. */
export interface PollAnswer {
  samples: number;
  last: number | null;
}

/** `GET /api/chart`: lines, or the process timeline's bars. */
export type ChartAnswer = ChartData | Lifetime[];

/** `GET /api/tree?at=`: the tree of the sample at or before a moment. */
export interface TreeAnswer {
  ts: number;
  /** 1-based. */
  sample: number;
  rows: TreeRow[];
}

/** `POST /api/query`: the rows of the user's SQL. */
export interface QueryAnswer {
  columns: string[];
  rows: unknown[][];
  truncated: boolean;
  ms: number;
}

/** Any answer that failed. */
export interface ProblemAnswer {
  error: string;
}
