/**
 * The Trace Event Format's rules for what `export --format chrome-trace` writes,
 * checked from the format's description (not from procpath's code): the JSON object
 * form, the fields each phase needs, names for every process and thread track used,
 * and slices on one track that nest without partial overlap (Perfetto's importer
 * rejects the rest). Returns the list of broken rules (empty when the trace keeps them).
 */
export function traceRuleBreaks(trace: unknown): string[] {
  const breaks: string[] = [];
  const t = trace as { traceEvents?: unknown; displayTimeUnit?: unknown };
  if (!Array.isArray(t.traceEvents)) return ["traceEvents is not an array"];
  if (t.displayTimeUnit !== undefined && !["ms", "ns"].includes(String(t.displayTimeUnit))) {
    breaks.push(`displayTimeUnit ${t.displayTimeUnit}`);
  }
  const processNames = new Set<number>();
  const threadNames = new Set<string>();
  const slices = new Map<string, { ts: number; end: number; name: string }[]>();
  const usedProcesses = new Set<number>();
  const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v);
  for (const [i, e] of (t.traceEvents as Record<string, unknown>[]).entries()) {
    const where = `event ${i}`;
    if (typeof e.name !== "string" || e.name === "") breaks.push(`${where}: no name`);
    if (!isInt(e.pid)) breaks.push(`${where}: pid ${e.pid}`);
    const args = e.args as Record<string, unknown> | undefined;
    switch (e.ph) {
      case "M":
        if (e.name === "process_name") processNames.add(e.pid as number);
        if (e.name === "thread_name") threadNames.add(`${e.pid}/${e.tid}`);
        if (
          (e.name === "process_name" || e.name === "thread_name") && typeof args?.name !== "string"
        ) breaks.push(`${where}: ${e.name} without args.name`);
        break;
      case "X": {
        if (!isInt(e.tid)) breaks.push(`${where}: tid ${e.tid}`);
        if (!isInt(e.ts) || (e.ts as number) < 0) breaks.push(`${where}: ts ${e.ts}`);
        if (!isInt(e.dur) || (e.dur as number) < 0) breaks.push(`${where}: dur ${e.dur}`);
        const track = `${e.pid}/${e.tid}`;
        usedProcesses.add(e.pid as number);
        const list = slices.get(track) ?? [];
        list.push({
          ts: e.ts as number,
          end: (e.ts as number) + (e.dur as number),
          name: e.name as string,
        });
        slices.set(track, list);
        break;
      }
      case "C":
        if (!isInt(e.ts)) breaks.push(`${where}: counter ts ${e.ts}`);
        if (!args || Object.values(args).some((v) => typeof v !== "number" || !isFinite(v))) {
          breaks.push(`${where}: counter values not all finite numbers`);
        }
        usedProcesses.add(e.pid as number);
        break;
      default:
        breaks.push(`${where}: phase ${e.ph}`);
    }
  }
  for (const pid of usedProcesses) {
    if (!processNames.has(pid)) breaks.push(`process ${pid} has no process_name`);
  }
  for (const [track, list] of slices) {
    if (!threadNames.has(track)) breaks.push(`track ${track} has no thread_name`);
    list.sort((a, b) => a.ts - b.ts || b.end - a.end);
    const open: { ts: number; end: number; name: string }[] = [];
    for (const s of list) {
      while (open.length > 0 && open[open.length - 1]!.end <= s.ts) open.pop();
      const parent = open[open.length - 1];
      if (parent && s.end > parent.end) {
        breaks.push(
          `track ${track}: ${s.name} [${s.ts}, ${s.end}] partly overlaps ${parent.name} [${parent.ts}, ${parent.end}]`,
        );
      }
      open.push(s);
    }
  }
  return breaks;
}
