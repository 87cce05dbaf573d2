/**
 * A recording as OpenMetrics text with timestamps, for `promtool tsdb
 * create-blocks-from openmetrics`. OpenMetrics wants each family's samples together
 * and each series in time order, while a recording comes sample by sample: every
 * series is written to its own temporary file in one pass over the rows, then the
 * files are joined family by family — memory for one sample, whatever the size.
 *
 * @module
 */
import { writeAll } from "../files/output_file.ts";
import type { OutputFile } from "../files/output_file.ts";
import { openTimeline } from "../store/timeline.ts";
import { Collector } from "./collect.ts";
import type { Group } from "./collect.ts";
import { familyHeader, sampleLine } from "./exposition.ts";
import type { MetricFamily } from "./exposition.ts";

/** What a backfill wrote: the recording's samples, and the metric points made of them. */
export interface BackfillCount {
  samples: number;
  /** Lines of values, one per series and sample. */
  points: number;
}

/**
 * Writes the recording's group metrics to `out` (not committed: the caller commits);
 * returns what it wrote. Every write is checked: a failure throws.
 */
export async function backfill(
  path: string,
  groups: readonly Group[],
  out: OutputFile,
): Promise<BackfillCount> {
  const timeline = openTimeline(path);
  const dir = await Deno.makeTempDir({ prefix: "procpath-backfill-" });
  try {
    const collector = new Collector({
      groups,
      perProcess: false,
      maxProcesses: 0,
      cmdline: false,
      redact: null,
      pageSize: Number(timeline.meta.page_size ?? 4096),
      clockTicks: Number(timeline.meta.clock_ticks ?? 100),
      bootTime: NaN,
    });
    const families = new Map<string, { family: MetricFamily; series: Map<string, Deno.FsFile> }>();
    let count = 0, samples = 0;
    for (const { ts, roots } of timeline.samples()) {
      samples++;
      for (const family of collector.collect(roots, ts)) {
        let known = families.get(family.name);
        if (!known) families.set(family.name, known = { family, series: new Map() });
        for (const sample of family.samples) {
          const key = JSON.stringify(sample.labels);
          let file = known.series.get(key);
          if (!file) {
            file = Deno.openSync(`${dir}/${families.size}-${known.series.size}`, {
              create: true,
              write: true,
              read: true,
            });
            known.series.set(key, file);
          }
          writeAll(file, sampleLine(family, sample, true) + "\n");
          count++;
        }
      }
    }
    for (const { family, series } of families.values()) {
      out.write(familyHeader(family, true).join("\n") + "\n");
      for (const file of series.values()) {
        file.seekSync(0, Deno.SeekMode.Start);
        for await (const chunk of file.readable) out.write(chunk);
      }
    }
    out.write("# EOF\n");
    return { samples, points: count };
  } finally {
    timeline.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
