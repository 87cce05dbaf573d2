import assert from "node:assert/strict";
import { assertEquals } from "../../_helpers/assert.ts";
import { handRun } from "../../_helpers/run_rows.ts";
import { renderHtml } from "../../../src/report/html_report.ts";
import { buildRun } from "../../../src/report/run_model.ts";

/** The hand run with a command line that tries to close the page's script and open a tag. */
function hostile() {
  const rows = handRun();
  rows.events![3] = { ...rows.events![3]!, cmdline: "gcc </script><img src=x onerror=alert(1)>" };
  return renderHtml(buildRun(rows));
}

Deno.test("renderHtml(): one page that may load nothing (its policy), with no address in it", () => {
  const page = renderHtml(buildRun(handRun()));
  assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.doesNotMatch(page, /\b(src|href)=|https?:\/\//);
  assertEquals((page.match(/<script\b/g) ?? []).length, 2);
});

Deno.test("renderHtml(): process data is shown, never interpreted", () => {
  const page = hostile();
  assert.doesNotMatch(page, /<img/);
  assertEquals((page.match(/<\/script>/g) ?? []).length, 2);
  const json = page.slice(page.indexOf('type="application/json">') + 24, page.indexOf("</script>"));
  const data = JSON.parse(json);
  assert.ok(data.commands.includes("gcc </script><img src=x onerror=alert(1)>"));
});

Deno.test("renderHtml(): the timeline's data has a row per process, in ms from the start", () => {
  const page = renderHtml(buildRun(handRun()));
  const json = page.slice(page.indexOf('type="application/json">') + 24, page.indexOf("</script>"));
  const { procs, span, lanes, programs } = JSON.parse(json);
  assertEquals([span, lanes], [1200, 2]);
  assertEquals(procs.start, [0, 200, 600]);
  assertEquals(procs.dur, [1200, 700, 100]);
  assertEquals(procs.exit, [0, 0, 2]);
  assertEquals(procs.prog.map((k: number) => programs[k]), ["sh", "gcc", "ls"]);
});
