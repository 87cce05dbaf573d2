// The interactive part of a plot's SVG, run by the browser that opens it: a tooltip
// (series, time, value) for the point nearest the pointer, and legend entries that hide
// or show their line. The SVG embeds this file's text and calls `chart` with the same
// formatters the axes were labelled with (`render_svg.ts`); `deno task check` checks it
// with the DOM's types.

/**
 * @param {(value: number) => string} formatValue
 * @param {(seconds: number) => string} formatTime
 */
// deno-lint-ignore no-unused-vars -- called by the line the SVG adds after this text
function chart(formatValue, formatTime) {
  const svg = /** @type {SVGSVGElement} */ (/** @type {unknown} */ (document.documentElement));
  const tip =
    /** @type {SVGTextElement} */ (/** @type {unknown} */ (document.getElementById("tip")));
  const NS = "http://www.w3.org/2000/svg";
  const numbers = (/** @type {string} */ text) => text.split(" ").map(Number);
  const attribute = (/** @type {Element} */ node, /** @type {string} */ name) =>
    node.getAttribute(name) ?? "";
  // data-x: pixel of t0, t0, pixels per second; data-y*: pixel, value, pixels per unit, log
  const X = numbers(attribute(svg, "data-x"));
  const Y = [
    numbers(attribute(svg, "data-y0")),
    numbers(svg.getAttribute("data-y1") || "0 0 1 0"),
  ];

  /**
   * @param {SVGPathElement} path
   * @param {MouseEvent} event
   */
  function show(path, event) {
    let point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const matrix = svg.getScreenCTM();
    if (!matrix) return;
    point = point.matrixTransform(matrix.inverse());
    const vertices = attribute(path, "d").match(/-?[\d.]+ -?[\d.]+/g) ?? [];
    /** @type {number[] | null} */
    let best = null;
    let distance = Infinity;
    for (const vertex of vertices) {
      const q = numbers(vertex);
      const d = Math.abs(q[0] - point.x) + Math.abs(q[1] - point.y) / 4;
      if (d < distance) {
        distance = d;
        best = q;
      }
    }
    if (!best) return;
    const axis = Y[Number(attribute(path, "data-axis"))];
    const t = X[1] + (best[0] - X[0]) / X[2];
    const linear = axis[1] + (best[1] - axis[0]) / axis[2];
    const value = axis[3] ? Math.pow(10, linear) : linear;
    tip.textContent = "";
    [attribute(path, "data-title"), formatTime(t), formatValue(value)].forEach((text, k) => {
      const line = document.createElementNS(NS, "tspan");
      line.setAttribute("x", "0");
      line.setAttribute("dy", k ? "1.2em" : "0");
      line.textContent = text;
      tip.appendChild(line);
    });
    const width = Number(attribute(svg, "data-w"));
    tip.setAttribute(
      "transform",
      `translate(${Math.min(best[0] + 10, width - 180)},${Math.max(best[1] - 30, 14)})`,
    );
    tip.style.display = "block";
  }

  svg.addEventListener("mousemove", (event) => {
    const target = /** @type {Element} */ (event.target);
    if (target.classList && target.classList.contains("line")) {
      show(/** @type {SVGPathElement} */ (target), event);
    } else if (target !== tip) tip.style.display = "none";
  });
  svg.addEventListener("click", (event) => {
    const target = /** @type {Element} */ (event.target);
    const item = target.closest ? target.closest(".item") : null;
    if (!item) return;
    // a legend entry stands for every series of its line, on both axes
    const off = item.classList.toggle("off"), key = item.getAttribute("data-key");
    svg.querySelectorAll(".series > g").forEach((group) => {
      if (group.getAttribute("data-key") === key) {
        /** @type {SVGGElement} */ (group).style.display = off ? "none" : "";
      }
    });
  });
}
