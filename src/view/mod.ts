export {
  COLUMN_NAMES,
  ColumnError,
  formatAge,
  formatDuration,
  formatLocalTime,
  missingFiles,
  parseColumns,
  parseSort,
} from "./columns.ts";
export type { CellValue, Column, ColumnContext, RowSort } from "./columns.ts";
export {
  BRANCHES,
  cutLine,
  distinctRoots,
  renderDelimited,
  renderTable,
  renderTree,
  tableRows,
} from "./render.ts";
export type { RowOptions, TreeOptions } from "./render.ts";
