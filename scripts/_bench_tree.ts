/**
 * Shared benchmark fixtures: a real process tree of thousands of processes made by a
 * small C forker, and a C reader of the same procfs files procpath reads, both
 * compiled at bench time with the system's `cc`.
 */
import { createProcReader } from "../src/procfs/mod.ts";
import { descendantsOf, readForest } from "../src/tree/mod.ts";
import { bakedFlags, repoPath } from "../tests/_helpers/run_procpath.ts";

const FORKER_C = String.raw`
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>
/* forker FANOUT COUNT: COUNT sleeping descendants, at most FANOUT children each */
static void grow(int budget, int fanout) {
  int kids = budget < fanout ? budget : fanout;
  int rest = budget - kids;
  for (int i = 0; i < kids; i++) {
    int sub = rest / kids + (i < rest % kids);
    if (fork() == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      grow(sub, fanout);
      for (;;) pause();
    }
  }
}
int main(int argc, char **argv) {
  grow(atoi(argv[2]), atoi(argv[1]));
  for (;;) pause();
}
`;

const READER_C = String.raw`
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/* reader RUNS: reads stat and cmdline of every pid RUNS times, prints each run's ms */
static char buf[1 << 16];
static long readall(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  long total = 0, n;
  while ((n = read(fd, buf, sizeof buf)) > 0) total += n;
  close(fd);
  return total;
}
int main(int argc, char **argv) {
  int runs = atoi(argv[1]);
  char path[64];
  for (int r = 0; r < runs; r++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long files = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
      if (readall(path) >= 0) files++;
      snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
      if (readall(path) >= 0) files++;
    }
    closedir(d);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.3f %ld\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6, files);
  }
  return 0;
}
`;

/** Compiles a C source with `cc -O2` into `dir` and returns the binary's path. */
export function compileC(dir: string, name: string, source: string): string {
  Deno.writeTextFileSync(`${dir}/${name}.c`, source);
  const out = new Deno.Command("cc", { args: ["-O2", "-o", `${dir}/${name}`, `${dir}/${name}.c`] })
    .outputSync();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return `${dir}/${name}`;
}

/** A running tree of processes; `kill()` takes it all down. */
export interface BenchTree {
  rootPid: number;
  kill(): Promise<void>;
}

/** Spawns `count` sleeping processes in a tree under one root and waits until all exist. */
export async function spawnTree(dir: string, count: number, fanout = 16): Promise<BenchTree> {
  const forker = compileC(dir, "forker", FORKER_C);
  const child = new Deno.Command(forker, { args: [String(fanout), String(count)], stdout: "null" })
    .spawn();
  const started = performance.now();
  while (countDescendants(child.pid) < count) {
    if (performance.now() - started > 60_000) throw new Error("the tree did not grow in 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  const members = descendants(child.pid);
  return {
    rootPid: child.pid,
    async kill() {
      child.kill("SIGKILL");
      await child.status;
      // the tree dies through PR_SET_PDEATHSIG, level by level: wait for all of it, so
      // that the next measurement does not read a half-dead tree
      for (let i = 0; i < 200 && members.some((pid) => exists(pid)); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

function exists(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Counts the descendants of `pid` in the live process forest. */
export function countDescendants(pid: number): number {
  return descendants(pid).length;
}

/** The PIDs below `pid`, from one snapshot of the live process forest. */
export function descendants(pid: number): number[] {
  return descendantsOf(
    readForest(createProcReader("/proc"), { files: ["stat"], warn: () => {} }),
    pid,
  );
}

/** Runs the C reader `runs` times; returns each run's milliseconds and the file count. */
export function cRead(dir: string, runs: number): { times: number[]; files: number } {
  const reader = compileC(dir, "reader", READER_C);
  const out = new Deno.Command(reader, { args: [String(runs)] }).outputSync();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => l.split(" "));
  return { times: lines.map((l) => Number(l[0])), files: Number(lines.at(-1)![1]) };
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall time of a command, milliseconds, over `runs` runs. */
export function timeCommand(cmd: string, args: string[], runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const out = new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).outputSync();
    times.push(performance.now() - t0);
    if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return times;
}

/**
 * The command line that runs procpath from source with the flags of the `procpath`
 * task in deno.json (the compiled binary's): `[deno, "run", …flags, "--quiet", main.ts]`.
 */
export function procpathCommand(): [string, ...string[]] {
  return [Deno.execPath(), "run", ...bakedFlags(), "--quiet", repoPath("src/main.ts")];
}

/** Whether `tool` is on the PATH (peers that are not installed are left out of a benchmark). */
export function installed(tool: string): boolean {
  return new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] }).outputSync().success;
}
