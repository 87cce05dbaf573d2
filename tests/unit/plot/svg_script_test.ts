import { assertEquals } from "../../_helpers/assert.ts";
import { svgScript } from "../../../src/plot/svg_script.ts";
import { formatIsoTime, formatRelativeTime, FORMATTERS } from "../../../src/plot/format.ts";

/** The formatters the SVG's script passes to `chart`, evaluated from its text alone. */
function embedded(script: string): [(v: number) => string, (t: number) => string] {
  const call = script.slice(script.lastIndexOf("\nchart("));
  let args: [(v: number) => string, (t: number) => string] | null = null;
  new Function("chart", call)((value: (v: number) => string, time: (t: number) => string) => {
    args = [value, time];
  });
  return args!;
}

Deno.test("the SVG's tooltips format with the axes' own formatters, self-contained", () => {
  for (const name of Object.keys(FORMATTERS)) {
    const [value, time] = embedded(svgScript(name));
    for (const v of [0, 0.5, 12.345, 1234.5, 98765432]) {
      assertEquals(value(v), FORMATTERS[name](v), `${name} ${v}`);
    }
    assertEquals(time(1662233880.5), formatIsoTime(1662233880.5));
  }
  const [, relative] = embedded(svgScript("integer", 1000));
  assertEquals(relative(94599.678), formatRelativeTime(93599.678));
  // an unknown name falls back to the default, as the axes do
  assertEquals(embedded(svgScript("nope"))[0](1234), FORMATTERS.human_readable(1234));
});
