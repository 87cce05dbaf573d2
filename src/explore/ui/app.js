// procpath explore: the page. Every value from the recording is shown with
// textContent (never as HTML); every request goes to the server that served the page.
// Its types are the server's (api_types.ts), checked by `deno check`.

/** @typedef {import("../api_types.ts").MetaAnswer} MetaAnswer */
/** @typedef {import("../api_types.ts").PollAnswer} PollAnswer */
/** @typedef {import("../api_types.ts").ChartInfo} ChartInfo */
/** @typedef {import("../api_types.ts").ChartData} ChartData */
/** @typedef {import("../api_types.ts").Lifetime} Lifetime */
/** @typedef {import("../api_types.ts").TreeAnswer} TreeAnswer */
/** @typedef {import("../api_types.ts").TreeRow} TreeRow */
/** @typedef {import("../api_types.ts").QueryAnswer} QueryAnswer */
/** @typedef {import("uplot/dist/uPlot.d.ts")} UPlot */
/** @typedef {import("uplot/dist/uPlot.d.ts").Options} UPlotOptions */
/**
 * A drawn chart: uPlot's, or the timeline's canvas, with what it shows.
 * @typedef {{
 *   procpath: { info: ChartInfo, data: { series?: ChartData["series"], bars?: Lifetime[] } },
 *   destroy(): void,
 *   setSeries?: (i: number, opts: { focus?: boolean }, fire?: boolean) => void,
 * }} DrawnChart
 */

(function () {
  "use strict";
  /** uPlot, loaded by its own script tag before this one. */
  const UPlotClass = /** @type {{ uPlot: new (...args: any[]) => UPlot }} */ (
    /** @type {unknown} */ (globalThis)
  ).uPlot;
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";

  /** An element of the page by its id (the page has every id this script names). */
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  /** @type {(id: string) => HTMLInputElement} */
  const input = (id) => /** @type {HTMLInputElement} */ ($(id));
  /** @type {(id: string) => HTMLSelectElement} */
  const select = (id) => /** @type {HTMLSelectElement} */ ($(id));
  /** @type {(id: string) => HTMLButtonElement} */
  const button = (id) => /** @type {HTMLButtonElement} */ ($(id));
  /** @type {(id: string) => HTMLTableElement} */
  const table = (id) => /** @type {HTMLTableElement} */ ($(id));

  /**
   * @type {{
   *   meta: MetaAnswer,
   *   window: [number, number] | null,
   *   charts: Map<string, DrawnChart>,
   *   samples: number,
   *   tree: TreeAnswer | null,
   * }}
   */
  const state = {
    meta: /** @type {MetaAnswer} */ (/** @type {unknown} */ (null)), // set before any use
    window: null,
    charts: new Map(),
    samples: 0,
    tree: null,
  };
  // tests and curious users can look at the drawn charts
  /** @type {{ procpathExplore?: unknown }} */ (/** @type {unknown} */ (globalThis))
    .procpathExplore = state;

  /** @type {Map<string, string>} */
  const colours = new Map();
  /** A hue not yet given, after plot's palette: the golden angle keeps neighbours apart. */
  /** How many colours were handed out: the next one comes after them. */
  let issued = 0;
  /** The n-th colour: plot's palette (from the server), then hues a golden angle apart. */
  const candidate = (/** @type {number} */ n) => {
    const palette = state.meta.palette;
    return n < palette.length ? palette[n] : `hsl(${Math.round((n * 137.508) % 360)},70%,45%)`;
  };
  /**
   * A colour's hue in degrees, or `null` for a grey (no hue to confuse).
   * @param {string} colour `#rrggbb` or `hsl(h,s%,l%)`
   * @returns {number | null}
   */
  const hueOf = (colour) => {
    const hsl = /^hsl\((\d+)/.exec(colour);
    if (hsl) return Number(hsl[1]);
    const [r, g, b] = [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16) / 255);
    const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
    if (d < 0.1) return null;
    const h = max === r ? (g - b) / d : max === g ? 2 + (b - r) / d : 4 + (r - g) / d;
    return (h * 60 + 360) % 360;
  };
  /** Whether a line of `colour` would be hard to tell from one already in the chart. */
  const confusable = (/** @type {string} */ colour, /** @type {string[]} */ used) =>
    used.some((other) => {
      if (other === colour) return true;
      const a = hueOf(colour), b = hueOf(other);
      return a !== null && b !== null && Math.min(Math.abs(a - b), 360 - Math.abs(a - b)) < 10;
    });
  /**
   * The colours of one chart's lines: each key keeps the colour it has in other charts
   * (a process is one colour everywhere) unless a line of the chart already has one
   * like it; a new colour is the next one not confusable with the chart's.
   * @param {readonly string[]} keys
   * @returns {string[]}
   */
  const coloursOf = (keys) => {
    /** @type {string[]} */
    const used = [];
    return keys.map((key) => {
      if (key === "others") return "#888888";
      let colour = colours.get(key);
      if (colour === undefined || confusable(colour, used)) {
        // bounded: past a few hundred lines every hue is taken, and any will do
        let tries = 0;
        do colour = candidate(issued++); while (confusable(colour, used) && ++tries < 360);
        colours.set(key, colour);
      }
      used.push(colour);
      return colour;
    });
  };

  /**
   * @template T
   * @param {string} path
   * @param {RequestInit} [init]
   * @returns {Promise<T>}
   */
  async function api(path, init) {
    const response = await fetch(path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  const status = (/** @type {string} */ text) => $("status").textContent = text;
  /** Unix seconds as ISO 8601 UTC, to the second: the same on every machine and locale. */
  const iso = (/** @type {number} */ t, digits = 0) =>
    new Date(t * 1000).toISOString().replace("T", " ").slice(0, digits > 0 ? 20 + digits : 19);
  /**
   * @param {string} tag
   * @param {unknown} [text]
   * @param {string} [cls]
   */
  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  };
  const fixed = (/** @type {number | null | undefined} */ v, digits = 1) =>
    v === null || v === undefined ? "-" : Number(v).toFixed(digits);
  /** @param {unknown} error */
  const messageOf = (error) => error instanceof Error ? error.message : String(error);

  // ---- charts ---------------------------------------------------------------------------

  /** @param {HTMLElement} card */
  function chartWidth(card) {
    return Math.max(300, Math.floor(card.clientWidth - 16));
  }

  /**
   * @param {ChartInfo} info
   * @param {number} width
   * @returns {Promise<ChartData | Lifetime[]>}
   */
  function query(info, width) {
    const params = new URLSearchParams({
      id: info.id,
      width: String(width),
      top: input("top").value || "10",
    });
    const pids = input("pids").value.replace(/\s+/g, "");
    if (/^\d+(,\d+)*$/.test(pids)) params.set("pids", pids);
    if (state.window) {
      params.set("after", String(state.window[0]));
      params.set("before", String(state.window[1]));
    }
    return api(`/api/chart?${params}`);
  }

  /** Every line chart's values are sizes, rates and shares: its axes start at 0. */
  const fromZero = (
    /** @type {UPlot} */ _u,
    /** @type {number} */ _min,
    /** @type {number} */ max,
  ) => /** @type {[number, number]} */ ([0, max > 0 ? max * 1.05 : 1]);
  /**
   * Time ticks as ISO dates and times, not the browser's locale (11/22 reads two ways),
   * with as many decimals of a second as ticks closer than a second need to differ.
   * @param {UPlot} _u
   * @param {number[]} ticks
   * @param {number} _axis
   * @param {number} _space
   * @param {number} step the seconds between ticks
   */
  const timeTicks = (_u, ticks, _axis, _space, step) => {
    const digits = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step) - 1e-9));
    let previous = "";
    return ticks.map((t) => {
      const [date, time] = iso(t, digits).split(" ");
      const label = date === previous ? time : `${date}\n${time}`;
      previous = date;
      return label;
    });
  };

  /**
   * @param {ChartInfo} info
   * @param {HTMLElement} card
   * @param {ChartData} data
   * @returns {DrawnChart}
   */
  function lineChart(info, card, data) {
    const width = chartWidth(card);
    const twoAxes = data.series.some((s) => s.axis === 1);
    const strokes = coloursOf(data.series.map((s) => s.key));
    /** @type {UPlotOptions} */
    const opts = {
      width,
      height: 260,
      cursor: { sync: { key: "procpath" }, drag: { x: true, y: false } },
      scales: {
        x: { time: true },
        y: { range: fromZero },
        ...(twoAxes ? { y2: { range: fromZero } } : {}),
      },
      axes: [
        { values: timeTicks, space: 80 },
        { label: info.axes[0] || "", size: 60 },
        ...(twoAxes
          ? [{ scale: "y2", side: 1, label: info.axes[1] || "", grid: { show: false } }]
          : []),
      ],
      series: [
        { label: "time", value: (_, t) => (t === null ? "-" : iso(t)) },
        ...data.series.map((s, i) => ({
          label: s.label,
          stroke: strokes[i],
          width: 1.5,
          scale: s.axis === 1 ? "y2" : "y",
          ...(s.axis === 1 ? { dash: [6, 3] } : {}),
          spanGaps: false,
          points: { show: false },
        })),
      ],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 4) return;
          const from = u.posToVal(u.select.left, "x"),
            to = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
          zoom([from, to]);
        }],
        setSeries: [(_u, i, opts) => {
          // a series toggled in the legend selects its process in the tree
          if (!opts || !("show" in opts)) return;
          const s = i === null ? null : data.series[i - 1];
          if (s && s.pid !== null) selectNode(s.pid, false);
        }],
      },
    };
    const u = new UPlotClass(
      opts,
      [data.x, ...data.series.map((s) => s.y)],
      card.querySelector(".plot"),
    );
    const chart = /** @type {UPlot & DrawnChart} */ (u);
    chart.procpath = { info, data };
    // a click (not a drag) opens the tree of that moment
    /** @type {[number, number] | null} */
    let down = null;
    u.over.addEventListener("mousedown", (e) => down = [e.clientX, e.clientY]);
    u.over.addEventListener("mouseup", (e) => {
      if (down && Math.abs(e.clientX - down[0]) < 4 && Math.abs(e.clientY - down[1]) < 4) {
        // the time under the pointer itself: the cursor's own position may lag a frame behind
        const t = u.posToVal(e.clientX - u.over.getBoundingClientRect().left, "x");
        if (Number.isFinite(t)) loadTree(t);
      }
      down = null;
    });
    return chart;
  }

  /**
   * @param {ChartInfo} info
   * @param {HTMLElement} card
   * @param {Lifetime[]} bars
   * @returns {DrawnChart}
   */
  function timelineChart(info, card, bars) {
    const canvas = /** @type {HTMLCanvasElement} */ (el("canvas", undefined, "timeline"));
    const rowHeight = 4, height = Math.min(400, Math.max(60, bars.length * rowHeight + 20));
    const width = chartWidth(card);
    canvas.width = width;
    canvas.height = height;
    /** @type {HTMLElement} */ (card.querySelector(".plot")).replaceChildren(canvas);
    const span = state.window || state.meta.span || [0, 1];
    const x = (/** @type {number} */ t) =>
      40 + (t - span[0]) / Math.max(1e-9, span[1] - span[0]) * (width - 50);
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    const maxCpu = Math.max(1, ...bars.map((b) => b.cpu));
    const shown = bars.slice(0, Math.floor((height - 20) / rowHeight));
    shown.forEach((b, i) => {
      const heat = Math.min(1, b.cpu / maxCpu);
      ctx.fillStyle = `rgb(${Math.round(60 + 195 * heat)},${Math.round(120 - 80 * heat)},${
        Math.round(200 - 160 * heat)
      })`;
      ctx.fillRect(
        x(b.first),
        10 + i * rowHeight,
        Math.max(2, x(b.last) - x(b.first)),
        rowHeight - 1,
      );
    });
    ctx.fillStyle = "#666";
    ctx.fillText(`${bars.length} processes`, 4, height - 4);
    canvas.title = "each bar: a process from its first to its last sample; red: more CPU";
    canvas.addEventListener("click", (e) => {
      const rect = canvas.getBoundingClientRect();
      const t = span[0] +
        ((e.clientX - rect.left) * (width / rect.width) - 40) / (width - 50) * (span[1] - span[0]);
      loadTree(t);
    });
    return { procpath: { info, data: { bars } }, destroy() {} };
  }

  async function drawCharts() {
    const box = $("charts");
    for (const chart of state.charts.values()) chart.destroy();
    state.charts.clear();
    box.replaceChildren();
    /** @type {[ChartInfo, HTMLElement][]} */
    const cards = state.meta.charts.map((info) => {
      const card = el("div", undefined, "card");
      card.dataset.chart = info.id;
      card.append(el("h3", info.title), el("div", undefined, "plot"));
      box.append(card);
      return [info, card];
    });
    status("drawing charts…");
    // one after the other, in the catalogue's order (memory first): the server answers
    // one at a time, so the first chart appears as soon as its own query is done
    for (const [info, card] of cards) {
      try {
        const data = await query(info, chartWidth(card));
        const chart = info.kind === "timeline"
          ? timelineChart(info, card, /** @type {Lifetime[]} */ (data))
          : lineChart(info, card, /** @type {ChartData} */ (data));
        state.charts.set(info.id, chart);
        performance.mark(`chart:${info.id}`); // when each chart was drawn, for the benchmark
      } catch (error) {
        card.append(el("p", messageOf(error), "error"));
      }
    }
    status("");
    button("reset").disabled = state.window === null;
    document.body.dataset.drawn = String(Date.now());
  }

  /** @param {[number, number] | null} window */
  function zoom(window) {
    state.window = window;
    drawCharts();
  }

  // ---- the tree at a moment ---------------------------------------------------------------

  /** @param {number} pid */
  function jsonPath(pid) {
    return `$..children[?(@.stat.pid == ${pid})]`;
  }

  /** @param {number} clicked */
  async function loadTree(clicked) {
    // a click in the chart's margin is a moment just outside the recording: take its edge
    const span = state.meta.span;
    if (!span) return;
    const at = Math.min(span[1], Math.max(span[0], clicked));
    status("reading the tree…");
    /** @type {TreeAnswer} */
    let tree;
    try {
      tree = await api(`/api/tree?at=${encodeURIComponent(String(at))}`);
    } catch (error) {
      status(messageOf(error));
      return;
    }
    state.tree = tree;
    $("tree-when").textContent = `at ${iso(tree.ts)} UTC (sample ${tree.sample})`;
    const rows = tree.rows;
    const total = (/** @type {"rss" | "cpu" | "reaped"} */ key) =>
      rows.reduce((sum, r) => sum + r[key], 0);
    $("tree-totals").textContent =
      `${rows.length} processes, RSS ${total("rss").toFixed(1)} MiB, ` +
      `CPU ${(total("cpu") + total("reaped")).toFixed(1)} % incl. exited children`;
    $("tree-totals").dataset.rss = String(total("rss"));
    const body = table("tree-table").tBodies[0];
    body.replaceChildren(...rows.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.pid = String(r.pid);
      tr.dataset.subtreeRss = String(r.subtree.rss);
      const name = el("td", undefined, "name");
      name.style.paddingLeft = `${8 + r.depth * 14}px`;
      name.textContent = r.cmdline || `[${r.comm}]`;
      name.title = `${r.comm} — ${r.cmdline}`;
      const copy = /** @type {HTMLButtonElement} */ (el("button", "copy JSONPath"));
      copy.type = "button";
      copy.addEventListener("click", () => navigator.clipboard?.writeText(jsonPath(r.pid)));
      const show = /** @type {HTMLButtonElement} */ (el("button", "series"));
      show.type = "button";
      show.title = "highlight this process in the charts";
      show.addEventListener("click", () => highlight(r.pid));
      const actions = el("td");
      actions.append(copy, " ", show);
      tr.append(
        el("td", r.pid),
        name,
        el("td", fixed(r.rss)),
        el("td", fixed(r.cpu)),
        el("td", fixed(r.subtree.rss)),
        el("td", fixed(r.subtree.cpu)),
        el("td", r.subtree.processes),
        actions,
      );
      tr.addEventListener("click", (e) => {
        if (/** @type {HTMLElement} */ (e.target).tagName !== "BUTTON") selectNode(r.pid, true);
      });
      return tr;
    }));
    input("tree-search").disabled = false;
    filterTree();
    status("");
  }

  function filterTree() {
    const needle = input("tree-search").value.trim().toLowerCase();
    const rows = state.tree ? state.tree.rows : [];
    /** @type {Set<number>} */
    const keep = new Set();
    if (needle) {
      const byPid = new Map(rows.map((r) => [r.pid, r]));
      for (const r of rows) {
        if (!(r.comm.toLowerCase().includes(needle) || r.cmdline.toLowerCase().includes(needle))) {
          continue;
        }
        // a match keeps its ancestors, so it stays in context
        /** @type {TreeRow | undefined} */
        let at = r;
        for (; at && !keep.has(at.pid); at = byPid.get(at.ppid)) keep.add(at.pid);
      }
    }
    for (const tr of table("tree-table").tBodies[0].rows) {
      tr.classList.toggle("hidden", Boolean(needle) && !keep.has(Number(tr.dataset.pid)));
    }
  }

  /**
   * @param {number} pid
   * @param {boolean} andSeries
   */
  function selectNode(pid, andSeries) {
    for (const tr of table("tree-table").tBodies[0].rows) {
      const on = Number(tr.dataset.pid) === pid;
      tr.classList.toggle("selected", on);
      if (on) tr.scrollIntoView({ block: "nearest" });
    }
    if (andSeries) highlight(pid);
  }

  /** @param {number} pid */
  function highlight(pid) {
    for (const chart of state.charts.values()) {
      const series = chart.procpath.data.series;
      if (!series || !chart.setSeries) continue;
      const i = series.findIndex((s) => s.pid === pid);
      if (i >= 0) chart.setSeries(i + 1, { focus: true }, false);
    }
  }

  // ---- SQL ------------------------------------------------------------------------------------

  /** @type {QueryAnswer} */
  let result = { columns: [], rows: [], truncated: false, ms: 0 };
  /** @type {string[]} */
  const history = [];

  async function runSql() {
    const sql = input("sql-text").value;
    $("sql-status").textContent = "running…";
    $("sql-status").className = "";
    try {
      result = await api("/api/query", { method: "POST", body: JSON.stringify({ sql }) });
      if (!history.includes(sql)) {
        history.unshift(sql);
        const option =
          /** @type {HTMLOptionElement} */ (el("option", sql.replace(/\s+/g, " ").slice(0, 80)));
        option.value = sql;
        select("sql-history").insertBefore(option, select("sql-history").options[1] || null);
      }
      showResult();
      $("sql-status").textContent = `${result.rows.length} rows in ${result.ms.toFixed(0)} ms` +
        (result.truncated ? " (cut at the row or size limit)" : "");
    } catch (error) {
      $("sql-status").textContent = messageOf(error);
      $("sql-status").className = "error";
    }
  }

  /**
   * @param {number} [sortBy]
   * @param {boolean} [descending]
   */
  function showResult(sortBy, descending) {
    const shown = table("sql-result");
    const header = document.createElement("tr");
    result.columns.forEach((name, i) => {
      const th = el("th", name);
      th.addEventListener("click", () => showResult(i, sortBy === i ? !descending : false));
      header.append(th);
    });
    /** @type {HTMLTableSectionElement} */ (shown.tHead).replaceChildren(header);
    let rows = result.rows;
    if (sortBy !== undefined) {
      const at = sortBy;
      rows = rows.slice().sort((a, b) => {
        const x = a[at], y = b[at];
        const order = typeof x === "number" && typeof y === "number"
          ? x - y
          : String(x).localeCompare(String(y));
        return descending ? -order : order;
      });
    }
    shown.tBodies[0].replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      for (const value of row) {
        tr.append(
          el("td", value === null ? "NULL" : value, typeof value === "number" ? "" : "text"),
        );
      }
      return tr;
    }));
    const option = (/** @type {string} */ name, /** @type {string} */ value) => {
      const item = /** @type {HTMLOptionElement} */ (el("option", name));
      item.value = value;
      return item;
    };
    for (const id of ["chart-x", "chart-y", "chart-group"]) {
      const options = result.columns.map((name) => option(name, name));
      if (id === "chart-group") options.unshift(option("(none)", ""));
      select(id).replaceChildren(...options);
    }
    if (result.columns.length > 1) select("chart-y").value = result.columns[1];
    button("sql-csv").disabled = false;
    button("chart-draw").disabled = result.columns.length < 2;
  }

  function exportCsv() {
    const field = (/** @type {unknown} */ v) => {
      const text = v === null ? "" : String(v);
      return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    const text =
      [result.columns, ...result.rows].map((row) => row.map(field).join(",")).join("\n") + "\n";
    const link = /** @type {HTMLAnchorElement} */ (el("a"));
    link.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    link.download = "procpath-query.csv";
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  /** @type {UPlot | null} */
  let resultChart = null;
  function chartResult() {
    const xi = result.columns.indexOf(select("chart-x").value);
    const yi = result.columns.indexOf(select("chart-y").value);
    const gi = select("chart-group").value
      ? result.columns.indexOf(select("chart-group").value)
      : -1;
    /** @type {Map<string, Map<number, number | null>>} */
    const groups = new Map();
    for (const row of result.rows) {
      const key = gi >= 0 ? String(row[gi]) : select("chart-y").value;
      let group = groups.get(key);
      if (!group) groups.set(key, group = new Map());
      group.set(Number(row[xi]), row[yi] === null ? null : Number(row[yi]));
    }
    const xs = [...new Set(result.rows.map((r) => Number(r[xi])))].sort((a, b) => a - b);
    const keys = [...groups.keys()].slice(0, 30);
    const looksLikeTime = xs.length > 0 && xs[0] > 1e9 && xs[xs.length - 1] < 1e11;
    resultChart?.destroy();
    const box = $("sql-chart");
    box.replaceChildren();
    const strokes = coloursOf(keys.map((key) => `sql:${key}`));
    resultChart = new UPlotClass(
      {
        width: Math.max(400, box.clientWidth || 800),
        height: 260,
        scales: { x: { time: looksLikeTime } },
        ...(looksLikeTime ? { axes: [{ values: timeTicks, space: 80 }, {}] } : {}),
        series: [
          { label: select("chart-x").value },
          ...keys.map((key, i) => ({
            label: key,
            stroke: strokes[i],
            width: 1.5,
            points: { show: xs.length < 60 },
          })),
        ],
      },
      [xs, ...keys.map((key) => xs.map((x) => groups.get(key)?.get(x) ?? null))],
      box,
    );
  }

  // completion of table and column names: Ctrl+Space, or typing a few letters of a name
  function completer() {
    const text = /** @type {HTMLTextAreaElement} */ ($("sql-text"));
    const list = $("completions");
    const words = () => [...state.meta.columns, "record", "meta", "key", "value"];
    let active = 0;
    /** @type {string[]} */
    let items = [];
    const current = () => {
      const before = text.value.slice(0, text.selectionStart ?? 0);
      return /[A-Za-z_][A-Za-z0-9_]*$/.exec(before)?.[0] || "";
    };
    const close = () => {
      list.hidden = true;
      items = [];
    };
    const open = (/** @type {boolean} */ force) => {
      const word = current();
      if (!force && word.length < 2) return close();
      items = words().filter((w) => w.startsWith(word) && w !== word).slice(0, 50);
      if (items.length === 0) return close();
      active = 0;
      list.replaceChildren(...items.map((w, i) => {
        const li = el("li", w, i === 0 ? "active" : "");
        li.addEventListener("mousedown", (e) => {
          e.preventDefault();
          accept(w);
        });
        return li;
      }));
      list.hidden = false;
    };
    const accept = (/** @type {string} */ w) => {
      const word = current();
      const at = text.selectionStart ?? text.value.length;
      text.setRangeText(w.slice(word.length), at, at, "end");
      close();
      text.focus();
    };
    text.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
        e.preventDefault();
        close();
        runSql();
      } else if (e.ctrlKey && e.key === " ") {
        e.preventDefault();
        open(true);
      } else if (!list.hidden && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        [...list.children].forEach((li, i) => li.classList.toggle("active", i === active));
      } else if (!list.hidden && (e.key === "Tab" || e.key === "Enter")) {
        e.preventDefault();
        accept(items[active]);
      } else if (e.key === "Escape") close();
    });
    text.addEventListener("input", () => open(false));
    text.addEventListener("blur", () => setTimeout(close, 100));
  }

  // ---- start ---------------------------------------------------------------------------------

  async function poll() {
    try {
      /** @type {PollAnswer} */
      const now = await api("/api/poll");
      if (now.samples !== state.samples) {
        const first = state.samples === 0;
        state.samples = now.samples;
        $("live").hidden = first;
        state.meta = await api("/api/meta");
        showSpan();
        if (!state.window) await drawCharts();
      }
    } catch (error) {
      status(messageOf(error));
    }
  }

  function showSpan() {
    const span = state.meta.span;
    $("span").textContent = span
      ? `${iso(span[0])} – ${iso(span[1])} UTC, ${state.meta.samples} samples`
      : "no samples yet";
  }

  async function start() {
    if (!token) {
      status("no access token: open the URL procpath printed, with its #token=…");
      return;
    }
    state.meta = await api("/api/meta");
    state.samples = state.meta.samples;
    $("file").textContent = state.meta.file;
    showSpan();
    $("top").addEventListener("change", drawCharts);
    $("pids").addEventListener("change", drawCharts);
    $("reset").addEventListener("click", () => zoom(null));
    $("tree-search").addEventListener("input", filterTree);
    $("sql-run").addEventListener("click", runSql);
    $("sql-csv").addEventListener("click", exportCsv);
    $("chart-draw").addEventListener("click", chartResult);
    select("sql-history").addEventListener("change", () => {
      const history = select("sql-history");
      if (history.value) input("sql-text").value = history.value;
      history.value = "";
    });
    completer();
    await drawCharts();
    setInterval(poll, 2000);
  }

  start().catch((error) => status(messageOf(error)));
})();
