// The timeline of a report's HTML page, run by the browser that opens it: every
// process a bar from fork to exit on a canvas, nested in its parent's bar on the
// parent's row where it fits, coloured by program, failures outlined in red; the wheel
// zooms around the pointer, a drag pans, a double click shows the whole run, and the
// pointer over a bar tells the process. The page embeds this file's text after the
// data (`html_report.ts`); `deno check --config deno.dom.json` checks it with the DOM's
// types.

/**
 * @typedef {{
 *   start: number[], dur: number[], lane: number[], depth: number[], prog: number[],
 *   pid: number[], ppid: number[], exit: (number | null)[], signal: (number | null)[],
 *   cpu: number[], rss: number[], cmd: number[], flags: number[]
 * }} Procs
 * @typedef {{
 *   span: number, lanes: number, programs: string[], colors: string[], commands: string[],
 *   procs: Procs
 * }} TimelineData
 */

// deno-lint-ignore no-unused-vars -- called by the line the page adds after this text
function timeline(/** @type {TimelineData} */ data) {
  const ROW = 26;
  const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById("timeline"));
  const box = /** @type {HTMLElement} */ (document.getElementById("timeline-box"));
  const space = /** @type {HTMLElement} */ (document.getElementById("timeline-space"));
  const tip = /** @type {HTMLElement} */ (document.getElementById("timeline-tip"));
  const note = /** @type {HTMLElement} */ (document.getElementById("timeline-note"));
  const axis = /** @type {HTMLElement} */ (document.getElementById("timeline-axis"));
  const context = canvas.getContext("2d");
  if (context === null) return;
  const g = context;
  const p = data.procs;
  // a nested bar is drawn 2 px thinner on each side than its parent, down to depth 4
  const insetOf = (/** @type {number} */ i) => Math.min(p.depth[i], 4) * 2;
  const count = p.start.length;
  /** Each row's bars, by start. */
  const rows = Array.from({ length: data.lanes }, () => /** @type {number[]} */ ([]));
  for (let i = 0; i < count; i++) rows[p.lane[i]]?.push(i);
  const view = { from: 0, to: Math.max(data.span, 1) };
  const ratio = globalThis.devicePixelRatio || 1;
  let width = 0;

  const seconds = (/** @type {number} */ ms) =>
    ms === 0
      ? "0 s"
      : ms >= 60000
      ? `${Math.floor(ms / 60000)} min ${((ms % 60000) / 1000).toFixed(1)} s`
      : `${(ms / 1000).toFixed(ms < 10 ? 4 : 3)} s`;
  const xOf = (/** @type {number} */ ms) => (ms - view.from) / (view.to - view.from) * width;

  // the canvas covers the visible rows only (a whole machine's thousands of rows would
  // pass a canvas's largest size): it moves with the box's scroll and is drawn anew
  space.style.height = `${Math.max(1, data.lanes) * ROW}px`;
  const VISIBLE = 640;

  function draw() {
    width = box.clientWidth || 800;
    const top = box.scrollTop;
    const height = Math.min(Math.max(1, data.lanes) * ROW, VISIBLE);
    const first = Math.floor(top / ROW),
      last = Math.min(data.lanes, Math.ceil((top + height) / ROW));
    canvas.style.top = `${top}px`;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    g.setTransform(ratio, 0, 0, ratio, 0, -top * ratio);
    g.clearRect(0, top, width, height);
    let thin = 0, inView = 0;
    for (let lane = first; lane < last; lane++) {
      if (lane % 2 === 1) {
        g.fillStyle = "#f4f6f8";
        g.fillRect(0, lane * ROW, width, ROW);
      }
    }
    for (let lane = first; lane < last; lane++) {
      for (const i of rows[lane] ?? []) {
        const end = p.start[i] + p.dur[i];
        if (end < view.from || p.start[i] > view.to) continue;
        inView++;
        const x0 = xOf(p.start[i]);
        let w = xOf(end) - x0;
        if (w < 1) {
          w = 1;
          thin++;
        }
        // a nested bar is drawn thinner, so its parent shows around it
        const inset = insetOf(i);
        const y = lane * ROW + 1 + inset;
        const h = ROW - 2 - 2 * inset;
        g.fillStyle = data.colors[p.prog[i]] ?? "#888";
        g.fillRect(x0, y, w, Math.max(2, h));
        if (p.exit[i] !== null && p.exit[i] !== 0 || p.signal[i] !== null) {
          g.strokeStyle = "#d00";
          g.lineWidth = 2;
          g.strokeRect(x0, y, Math.max(w, 3), Math.max(2, h));
        }
      }
    }
    const more = data.lanes * ROW > VISIBLE
      ? ` Rows ${first + 1}–${last} of ${data.lanes} shown: scroll the timeline for the rest.`
      : "";
    note.textContent =
      (thin > 0
        ? `${thin} of the ${inView} processes in view are shorter than a pixel at this zoom: ` +
          "each is drawn one pixel wide (zoom in with the wheel to tell them apart)."
        : `${inView} of ${count} processes in view; wheel to zoom, drag to pan, double click ` +
          "for the whole run.") + more;
    const ticks = 6;
    axis.textContent = "";
    for (let k = 0; k <= ticks; k++) {
      const label = document.createElement("span");
      label.textContent = seconds(view.from + (view.to - view.from) * k / ticks);
      label.style.left = `${(k / ticks) * 100}%`;
      axis.appendChild(label);
    }
  }

  /** The process under a point of the canvas, or -1. */
  function hit(/** @type {number} */ x, /** @type {number} */ y) {
    const lane = Math.floor(y / ROW);
    const t = view.from + x / width * (view.to - view.from);
    const slack = (view.to - view.from) / width * 2;
    const within = y - lane * ROW;
    let found = -1;
    for (const i of rows[lane] ?? []) {
      // a nested bar is inset: the rim around it is its parent's
      const inset = insetOf(i);
      if (within < 1 + inset || within > ROW - 1 - inset) continue;
      if (p.start[i] - slack <= t && t <= p.start[i] + p.dur[i] + slack) {
        if (found < 0 || p.depth[i] >= p.depth[found]) found = i;
      }
    }
    return found;
  }

  function describe(/** @type {number} */ i) {
    const ended = p.signal[i] !== null
      ? `killed by signal ${p.signal[i]}`
      : p.exit[i] !== null
      ? `exit status ${p.exit[i]}`
      : (p.flags[i] & 1) !== 0
      ? "still running at the end"
      : "exit not recorded";
    return [
      `${data.programs[p.prog[i]]} — PID ${p.pid[i]} (parent ${p.ppid[i]})`,
      data.commands[p.cmd[i]] ?? "",
      `from ${seconds(p.start[i])}${
        (p.flags[i] & 2) !== 0 ? " (started before the recording)" : ""
      }` +
      `, lived ${seconds(p.dur[i])}, ${ended}`,
      // flags 4: a share of its CPU is an estimate; 8: no sample saw its memory
      `CPU ${(p.flags[i] & 4) !== 0 ? "≈ " : ""}${(p.cpu[i] / 1000).toFixed(3)} s, ${
        (p.flags[i] & 8) !== 0
          ? "peak RSS not sampled (it lived between two samples)"
          : `peak RSS ≥ ${(p.rss[i] / 1024).toFixed(1)} MiB (samples)`
      }`,
    ].join("\n");
  }

  let drag = /** @type {{ x: number, from: number, to: number } | null} */ (null);
  canvas.addEventListener("mousedown", (event) => {
    drag = { x: event.offsetX, from: view.from, to: view.to };
  });
  globalThis.addEventListener("mouseup", () => {
    drag = null;
  });
  canvas.addEventListener("mousemove", (event) => {
    if (drag !== null) {
      const shift = (event.offsetX - drag.x) / width * (drag.to - drag.from);
      view.from = drag.from - shift;
      view.to = drag.to - shift;
      draw();
      return;
    }
    const y = event.offsetY + box.scrollTop;
    const i = hit(event.offsetX, y);
    if (i < 0) {
      tip.hidden = true;
      return;
    }
    tip.textContent = describe(i);
    tip.hidden = false;
    tip.style.left = `${Math.min(event.offsetX + 12, width - 360)}px`;
    tip.style.top = `${y + 14}px`;
  });
  canvas.addEventListener("mouseleave", () => {
    tip.hidden = true;
  });
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    const at = view.from + event.offsetX / width * (view.to - view.from);
    const factor = event.deltaY < 0 ? 0.8 : 1.25;
    const span = Math.max(0.01, (view.to - view.from) * factor);
    view.from = at - (at - view.from) * span / (view.to - view.from);
    view.to = view.from + span;
    draw();
  }, { passive: false });
  canvas.addEventListener("dblclick", () => {
    view.from = 0;
    view.to = Math.max(data.span, 1);
    draw();
  });
  globalThis.addEventListener("resize", draw);
  box.addEventListener("scroll", draw);
  draw();
}
