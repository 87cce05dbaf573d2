import { assertEquals } from "../../_helpers/assert.ts";
import { parseCgroupPaths, readCgroupFigures } from "../../../src/inspect/cgroup_files.ts";

/** Writes `files` (path → text) under a new temporary directory; returns it. */
function tree(files: Record<string, string>): string {
  const dir = Deno.makeTempDirSync({ prefix: "procpath-cgroup-" });
  for (const [path, text] of Object.entries(files)) {
    if (path.includes("/")) {
      Deno.mkdirSync(`${dir}/${path.replace(/\/[^/]+$/, "")}`, { recursive: true });
    }
    Deno.writeTextFileSync(`${dir}/${path}`, text);
  }
  return dir;
}

Deno.test("readCgroupFigures() on a hybrid machine reads the quota and memory at v1's own paths (#32)", () => {
  const base = tree({
    "unified/cgroup.controllers": "hugetlb\n",
    "unified/cpu.stat": "usage_usec 100\n",
    "cpu/cpu.cfs_quota_us": "-1\n",
    "cpu/batch/cpu.cfs_quota_us": "10000\n",
    "cpu/batch/cpu.cfs_period_us": "100000\n",
    "cpu/batch/cpu.stat": "nr_periods 20\nnr_throttled 19\nthrottled_time 1760000000\n",
    "memory/jobs/memory.usage_in_bytes": "67043328\n",
    "memory/jobs/memory.limit_in_bytes": "67108864\n",
    "memory/jobs/memory.failcnt": "115\n",
    "memory/jobs/memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
  });
  try {
    const paths = parseCgroupPaths("4:memory:/jobs\n2:cpuacct:/\n1:cpu:/batch\n0::/\n");
    const figures = readCgroupFigures(paths, base);
    assertEquals(figures.cpu, {
      from: "cpu.cfs_quota_us",
      path: "/batch",
      quotaUs: 10000,
      periodUs: 100000,
      periods: 20,
      throttled: 19,
      throttledUsec: 1760000,
    });
    assertEquals(figures.memory, {
      from: "memory.limit_in_bytes",
      path: "/jobs",
      current: 67043328,
      max: 67108864,
      oomKills: 1,
      limitHits: 115,
      swap: null,
    });
  } finally {
    Deno.removeSync(base, { recursive: true });
  }
});

Deno.test("readCgroupFigures() on cgroup v2 reads cpu.max, memory.max and memory.events", () => {
  const base = tree({
    "cgroup.controllers": "cpu memory\n",
    "app.slice/cpu.max": "20000 100000\n",
    "app.slice/cpu.stat": "usage_usec 9\nnr_periods 10\nnr_throttled 8\nthrottled_usec 1500000\n",
    "app.slice/memory.current": "1000\n",
    "app.slice/memory.max": "max\n",
    "app.slice/memory.events": "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n",
    "app.slice/memory.swap.current": "4096\n",
    "app.slice/cpu.pressure": "some avg10=12.50 avg60=1.00 avg300=0.00 total=1\n",
  });
  try {
    const figures = readCgroupFigures(parseCgroupPaths("0::/app.slice\n"), base);
    assertEquals(figures.cpu?.quotaUs, 20000);
    assertEquals(figures.cpu?.throttledUsec, 1500000);
    assertEquals(figures.memory, {
      from: "memory.max",
      path: "/app.slice",
      current: 1000,
      max: null,
      oomKills: 1,
      limitHits: 3,
      swap: 4096,
    });
    assertEquals(figures.pressure.cpu, 12.5);
  } finally {
    Deno.removeSync(base, { recursive: true });
  }
});

Deno.test("readCgroupFigures() finds a quota and a limit set on an ancestor of the group", () => {
  const base = tree({
    "unified/cgroup.controllers": "\n",
    "cpu/batch/cpu.cfs_quota_us": "50000\n",
    "cpu/batch/cpu.cfs_period_us": "100000\n",
    "cpu/batch/cpu.stat": "nr_periods 20\nnr_throttled 10\nthrottled_time 5\n",
    "cpu/batch/job/cpu.cfs_quota_us": "-1\n",
    "cpu/batch/job/cpu.cfs_period_us": "100000\n",
    "cpu/batch/job/cpu.stat": "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n",
    "memory/jobs/memory.usage_in_bytes": "990\n",
    "memory/jobs/memory.limit_in_bytes": "1000\n",
    "memory/jobs/a/memory.usage_in_bytes": "600\n",
    "memory/jobs/a/memory.limit_in_bytes": "9223372036854771712\n",
  });
  try {
    const figures = readCgroupFigures(
      parseCgroupPaths("4:memory:/jobs/a\n1:cpu:/batch/job\n0::/\n"),
      base,
    );
    assertEquals([figures.cpu?.path, figures.cpu?.quotaUs], ["/batch", 50000]);
    assertEquals([figures.memory?.path, figures.memory?.current, figures.memory?.max], [
      "/jobs",
      990,
      1000,
    ]);
  } finally {
    Deno.removeSync(base, { recursive: true });
  }
});
