/** Colours of a chart. */
export interface Style {
  background: string;
  plotBackground: string;
  foreground: string;
  /** Axis labels and grid. */
  muted: string;
  grid: string;
  /** Series colours, one per process. */
  palette: readonly string[];
}

const BRIGHT = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
  "#393b79",
  "#e6550d",
  "#31a354",
  "#843c39",
  "#7b4173",
  "#3182bd",
];
const NEON = [
  "#ff5995",
  "#b6e354",
  "#feed6c",
  "#8cedff",
  "#9e6ffe",
  "#899ca1",
  "#f8f8f2",
  "#bf4646",
  "#516083",
  "#f92672",
  "#82b414",
  "#fd971f",
  "#56c2d6",
  "#808384",
  "#8c54fe",
  "#465457",
];
const GREENS = [
  "#7dcf30",
  "#247fab",
  "#2c9136",
  "#e2c100",
  "#6b3a87",
  "#d94b1c",
  "#1b8a8a",
  "#96a326",
  "#9a2c4f",
  "#4c6b1f",
  "#3d8cd9",
  "#b37812",
  "#5a5a5a",
  "#c25e9f",
  "#2e5e3a",
  "#e07b54",
];

/** Themes by the names `--style` accepts (the reference's pygal names map to these). */
export const STYLES: Record<string, Style> = {
  DefaultStyle: {
    background: "#ffffff",
    plotBackground: "#ffffff",
    foreground: "#222222",
    muted: "#666666",
    grid: "#e5e5e5",
    palette: BRIGHT,
  },
  LightStyle: {
    background: "#f8f8f8",
    plotBackground: "#ffffff",
    foreground: "#333333",
    muted: "#777777",
    grid: "#e8e8e8",
    palette: BRIGHT,
  },
  LightGreenStyle: {
    background: "#fbfef7",
    plotBackground: "#ffffff",
    foreground: "#2f3d1f",
    muted: "#6b7a5a",
    grid: "#e3ecd8",
    palette: GREENS,
  },
  DarkStyle: {
    background: "#1e1e1e",
    plotBackground: "#262626",
    foreground: "#e6e6e6",
    muted: "#a0a0a0",
    grid: "#3a3a3a",
    palette: NEON,
  },
  DarkGreenStyle: {
    background: "#1b2316",
    plotBackground: "#222c1c",
    foreground: "#e3ecd8",
    muted: "#9aab86",
    grid: "#34432b",
    palette: GREENS,
  },
};
