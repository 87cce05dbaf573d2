/**
 * The web UI, embedded in the program as text: procpath's own page, style and script,
 * and uPlot (MIT, from npm, imported as text at build time — `deno compile` embeds it;
 * nothing is downloaded when `explore` runs).
 *
 * @module
 */
import html from "./index.html" with { type: "text" };
import css from "./app.css" with { type: "text" };
import js from "./app.js" with { type: "text" };
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };

/** A static file of the UI. */
export interface Asset {
  body: string;
  type: string;
}

/** The UI's files by URL path. */
export const ASSETS: Record<string, Asset> = {
  "/": { body: html, type: "text/html; charset=utf-8" },
  "/app.css": { body: css, type: "text/css; charset=utf-8" },
  "/app.js": { body: js, type: "text/javascript; charset=utf-8" },
  "/uplot.js": { body: uplotJs, type: "text/javascript; charset=utf-8" },
  "/uplot.css": { body: uplotCss, type: "text/css; charset=utf-8" },
};
