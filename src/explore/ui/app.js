// procpath explore: the page. Every value from the recording is shown with
// textContent (never as HTML); every request goes to the server that served the page.
(function () {
  "use strict";
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const colours = new Map();
  const colourOf = (key) => {
    if (key === "others") return "#888888";
    if (!colours.has(key)) {
      // plot's palette (from the server), then further distinct hues
      const i = colours.size, palette = state.meta.palette;
      colours.set(
        key,
        i < palette.length ? palette[i] : `hsl(${Math.round((i * 137.508) % 360)},70%,45%)`,
      );
    }
    return colours.get(key);
  };
  const state = { meta: null, window: null, charts: new Map(), samples: 0, tree: null };
  // tests and curious users can look at the drawn charts
  globalThis.procpathExplore = state;

  async function api(path, init) {
    const response = await fetch(path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  const status = (text) => $("status").textContent = text;
  const iso = (t) => new Date(t * 1000).toISOString().replace("T", " ").replace(/\.000Z$|Z$/, "");
  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  };
  const fixed = (
    v,
    digits = 1,
  ) => (v === null || v === undefined ? "-" : Number(v).toFixed(digits));

  // ---- charts ---------------------------------------------------------------------------

  function chartWidth(card) {
    return Math.max(300, Math.floor(card.clientWidth - 16));
  }

  function query(info, width) {
    const params = new URLSearchParams({
      id: info.id,
      width: String(width),
      top: $("top").value || "10",
    });
    const pids = $("pids").value.replace(/\s+/g, "");
    if (/^\d+(,\d+)*$/.test(pids)) params.set("pids", pids);
    if (state.window) {
      params.set("after", String(state.window[0]));
      params.set("before", String(state.window[1]));
    }
    return api(`/api/chart?${params}`);
  }

  function lineChart(info, card, data) {
    const width = chartWidth(card);
    const twoAxes = data.series.some((s) => s.axis === 1);
    const opts = {
      width,
      height: 260,
      cursor: { sync: { key: "procpath" }, drag: { x: true, y: false } },
      scales: { x: { time: true }, y: { auto: true }, ...(twoAxes ? { y2: { auto: true } } : {}) },
      axes: [
        {},
        { label: info.axes[0] || "", size: 60 },
        ...(twoAxes
          ? [{ scale: "y2", side: 1, label: info.axes[1] || "", grid: { show: false } }]
          : []),
      ],
      series: [
        { label: "time", value: (_, t) => (t === null ? "-" : iso(t)) },
        ...data.series.map((s) => ({
          label: s.label,
          stroke: colourOf(s.key),
          width: 1.5,
          scale: s.axis === 1 ? "y2" : "y",
          dash: s.axis === 1 ? [6, 3] : undefined,
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
    const u = new uPlot(
      opts,
      [data.x, ...data.series.map((s) => s.y)],
      card.querySelector(".plot"),
    );
    u.procpath = { info, data };
    // a click (not a drag) opens the tree of that moment
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
    return u;
  }

  function timelineChart(info, card, bars) {
    const canvas = el("canvas", undefined, "timeline");
    const rowHeight = 4, height = Math.min(400, Math.max(60, bars.length * rowHeight + 20));
    const width = chartWidth(card);
    canvas.width = width;
    canvas.height = height;
    card.querySelector(".plot").replaceChildren(canvas);
    const span = state.window || state.meta.span;
    const x = (t) => 40 + (t - span[0]) / Math.max(1e-9, span[1] - span[0]) * (width - 50);
    const ctx = canvas.getContext("2d");
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
          ? timelineChart(info, card, data)
          : lineChart(info, card, data);
        state.charts.set(info.id, chart);
        performance.mark(`chart:${info.id}`); // when each chart was drawn, for the benchmark
      } catch (error) {
        card.append(el("p", error.message, "error"));
      }
    }
    status("");
    $("reset").disabled = state.window === null;
    document.body.dataset.drawn = String(Date.now());
  }

  function zoom(window) {
    state.window = window;
    drawCharts();
  }

  // ---- the tree at a moment ---------------------------------------------------------------

  function jsonPath(pid) {
    return `$..children[?(@.stat.pid == ${pid})]`;
  }

  async function loadTree(clicked) {
    // a click in the chart's margin is a moment just outside the recording: take its edge
    const span = state.meta.span;
    const at = Math.min(span[1], Math.max(span[0], clicked));
    status("reading the tree…");
    let tree;
    try {
      tree = await api(`/api/tree?at=${encodeURIComponent(String(at))}`);
    } catch (error) {
      status(error.message);
      return;
    }
    state.tree = tree;
    $("tree-when").textContent = `at ${iso(tree.ts)} UTC (sample ${tree.sample})`;
    const rows = tree.rows;
    const total = (key) => rows.reduce((sum, r) => sum + r[key], 0);
    $("tree-totals").textContent =
      `${rows.length} processes, RSS ${total("rss").toFixed(1)} MiB, ` +
      `CPU ${(total("cpu") + total("reaped")).toFixed(1)} % incl. exited children`;
    $("tree-totals").dataset.rss = String(total("rss"));
    const body = $("tree-table").tBodies[0];
    body.replaceChildren(...rows.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.pid = String(r.pid);
      tr.dataset.subtreeRss = String(r.subtree.rss);
      const name = el("td", undefined, "name");
      name.style.paddingLeft = `${8 + r.depth * 14}px`;
      name.textContent = r.cmdline || `[${r.comm}]`;
      name.title = `${r.comm} — ${r.cmdline}`;
      const copy = el("button", "copy JSONPath");
      copy.type = "button";
      copy.addEventListener("click", () => navigator.clipboard?.writeText(jsonPath(r.pid)));
      const show = el("button", "series");
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
        if (e.target.tagName !== "BUTTON") selectNode(r.pid, true);
      });
      return tr;
    }));
    $("tree-search").disabled = false;
    filterTree();
    status("");
  }

  function filterTree() {
    const needle = $("tree-search").value.trim().toLowerCase();
    const rows = state.tree ? state.tree.rows : [];
    const keep = new Set();
    if (needle) {
      const byPid = new Map(rows.map((r) => [r.pid, r]));
      for (const r of rows) {
        if (!(r.comm.toLowerCase().includes(needle) || r.cmdline.toLowerCase().includes(needle))) {
          continue;
        }
        // a match keeps its ancestors, so it stays in context
        for (let at = r; at && !keep.has(at.pid); at = byPid.get(at.ppid)) keep.add(at.pid);
      }
    }
    for (const tr of $("tree-table").tBodies[0].rows) {
      tr.classList.toggle("hidden", Boolean(needle) && !keep.has(Number(tr.dataset.pid)));
    }
  }

  function selectNode(pid, andSeries) {
    for (const tr of $("tree-table").tBodies[0].rows) {
      const on = Number(tr.dataset.pid) === pid;
      tr.classList.toggle("selected", on);
      if (on) tr.scrollIntoView({ block: "nearest" });
    }
    if (andSeries) highlight(pid);
  }

  function highlight(pid) {
    for (const chart of state.charts.values()) {
      const series = chart.procpath.data.series;
      if (!series || !chart.setSeries) continue;
      const i = series.findIndex((s) => s.pid === pid);
      if (i >= 0) chart.setSeries(i + 1, { focus: true }, false);
    }
  }

  // ---- SQL ------------------------------------------------------------------------------------

  let result = null;
  const history = [];

  async function runSql() {
    const sql = $("sql-text").value;
    $("sql-status").textContent = "running…";
    $("sql-status").className = "";
    try {
      result = await api("/api/query", { method: "POST", body: JSON.stringify({ sql }) });
      if (!history.includes(sql)) {
        history.unshift(sql);
        const option = el("option", sql.replace(/\s+/g, " ").slice(0, 80));
        option.value = sql;
        $("sql-history").insertBefore(option, $("sql-history").options[1] || null);
      }
      showResult();
      $("sql-status").textContent = `${result.rows.length} rows in ${result.ms.toFixed(0)} ms` +
        (result.truncated ? " (cut at the row or size limit)" : "");
    } catch (error) {
      $("sql-status").textContent = error.message;
      $("sql-status").className = "error";
    }
  }

  function showResult(sortBy, descending) {
    const table = $("sql-result");
    const header = document.createElement("tr");
    result.columns.forEach((name, i) => {
      const th = el("th", name);
      th.addEventListener("click", () => showResult(i, sortBy === i ? !descending : false));
      header.append(th);
    });
    table.tHead.replaceChildren(header);
    let rows = result.rows;
    if (sortBy !== undefined) {
      rows = rows.slice().sort((a, b) => {
        const x = a[sortBy], y = b[sortBy];
        const order = typeof x === "number" && typeof y === "number"
          ? x - y
          : String(x).localeCompare(String(y));
        return descending ? -order : order;
      });
    }
    table.tBodies[0].replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      for (const value of row) {
        tr.append(
          el("td", value === null ? "NULL" : value, typeof value === "number" ? "" : "text"),
        );
      }
      return tr;
    }));
    for (const id of ["chart-x", "chart-y", "chart-group"]) {
      const select = $(id);
      const options = result.columns.map((name) => {
        const option = el("option", name);
        option.value = name;
        return option;
      });
      if (id === "chart-group") {
        const none = el("option", "(none)");
        none.value = "";
        options.unshift(none);
      }
      select.replaceChildren(...options);
    }
    if (result.columns.length > 1) $("chart-y").value = result.columns[1];
    $("sql-csv").disabled = false;
    $("chart-draw").disabled = result.columns.length < 2;
  }

  function exportCsv() {
    const field = (v) => {
      const text = v === null ? "" : String(v);
      return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    const text =
      [result.columns, ...result.rows].map((row) => row.map(field).join(",")).join("\n") + "\n";
    const link = el("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    link.download = "procpath-query.csv";
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  let resultChart = null;
  function chartResult() {
    const xi = result.columns.indexOf($("chart-x").value);
    const yi = result.columns.indexOf($("chart-y").value);
    const gi = $("chart-group").value ? result.columns.indexOf($("chart-group").value) : -1;
    const groups = new Map();
    for (const row of result.rows) {
      const key = gi >= 0 ? String(row[gi]) : $("chart-y").value;
      if (!groups.has(key)) groups.set(key, new Map());
      groups.get(key).set(Number(row[xi]), row[yi] === null ? null : Number(row[yi]));
    }
    const xs = [...new Set(result.rows.map((r) => Number(r[xi])))].sort((a, b) => a - b);
    const keys = [...groups.keys()].slice(0, 30);
    const looksLikeTime = xs.length > 0 && xs[0] > 1e9 && xs[xs.length - 1] < 1e11;
    resultChart?.destroy();
    const box = $("sql-chart");
    box.replaceChildren();
    resultChart = new uPlot(
      {
        width: Math.max(400, box.clientWidth || 800),
        height: 260,
        scales: { x: { time: looksLikeTime } },
        series: [
          { label: $("chart-x").value },
          ...keys.map((key) => ({
            label: key,
            stroke: colourOf(`sql:${key}`),
            width: 1.5,
            points: { show: xs.length < 60 },
          })),
        ],
      },
      [xs, ...keys.map((key) => xs.map((x) => groups.get(key).get(x) ?? null))],
      box,
    );
  }

  // completion of table and column names: Ctrl+Space, or typing a few letters of a name
  function completer() {
    const text = $("sql-text");
    const list = $("completions");
    const words = () => [...state.meta.columns, "record", "meta", "key", "value"];
    let active = 0, items = [];
    const current = () => {
      const before = text.value.slice(0, text.selectionStart);
      return /[A-Za-z_][A-Za-z0-9_]*$/.exec(before)?.[0] || "";
    };
    const close = () => {
      list.hidden = true;
      items = [];
    };
    const open = (force) => {
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
    const accept = (w) => {
      const word = current();
      const at = text.selectionStart;
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
      status(error.message);
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
    $("sql-history").addEventListener("change", (e) => {
      if (e.target.value) $("sql-text").value = e.target.value;
      e.target.value = "";
    });
    completer();
    await drawCharts();
    setInterval(poll, 2000);
  }

  start().catch((error) => status(error.message));
})();
