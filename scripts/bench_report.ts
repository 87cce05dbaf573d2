/**
 * Benchmarks `report`, `export` and `compare` on the size: a ten-minute build of
 * 20,002 processes (tests/_helpers/big_run.ts), timing the whole command (Deno's start
 * included) over 5 runs, and the HTML page's size and time to draw in headless Chromium
 * where it is installed (the issue asks ≤ 3 MB and ≤ 2 s).
 *
 *   deno task bench:report
 */
import { writeBigBuild } from "../tests/_helpers/big_run.ts";
import { CHROMIUM, withChromium } from "../tests/_helpers/browser.ts";
import { median, procpathCommand, timeCommand } from "./_bench_tree.ts";

const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-report-" });
try {
  const db = `${dir}/build.sqlite`;
  const { processes } = writeBigBuild(db);
  const [deno, ...run] = procpathCommand();
  const cases: [string, string[], string][] = [
    [
      "report -o report.html",
      ["report", "-d", db, "-o", `${dir}/report.html`],
      `${dir}/report.html`,
    ],
    ["report --format markdown", ["report", "-d", db, "--format", "markdown"], ""],
    [
      "export --format chrome-trace",
      ["export", "-d", db, "-o", `${dir}/trace.json`],
      `${dir}/trace.json`,
    ],
    ["compare (the run with itself)", ["compare", db, db], ""],
  ];
  console.log(`${processes} processes, ${(Deno.statSync(db).size / 1e6).toFixed(1)} MB recording`);
  for (const [name, args, out] of cases) {
    const times = timeCommand(deno, [...run, ...args], 5).map((ms) => ms / 1000);
    const size = out ? `, ${(Deno.statSync(out).size / 1e6).toFixed(2)} MB` : "";
    console.log(
      `${name.padEnd(32)} median ${median(times).toFixed(2)} s (${Math.min(...times).toFixed(2)}–${
        Math.max(...times).toFixed(2)
      })${size}`,
    );
  }
  if (CHROMIUM) {
    const page = `${dir}/report.html`;
    const draws: number[] = [];
    for (let i = 0; i < 5; i++) {
      draws.push(
        await withChromium("about:blank", { width: 1280, height: 1000 }, async (p) => {
          const start = performance.now();
          await p.send("Page.navigate", { url: `file://${page}` });
          await p.waitFor("document.getElementById('timeline-note')?.textContent.length > 0");
          return (performance.now() - start) / 1000;
        }),
      );
    }
    console.log(
      `${"the page drawn in Chromium".padEnd(32)} median ${median(draws).toFixed(2)} s (${
        Math.min(...draws).toFixed(2)
      }–${Math.max(...draws).toFixed(2)}), polled every 0.1 s`,
    );
  } else console.log("Chromium is not installed: the page's drawing time is not measured");
} finally {
  Deno.removeSync(dir, { recursive: true });
}
