// The process_event table keeps the kernel's order across the listener's two sockets
// (#31): each exec between its process's fork and exit. Execs wake the reader on one
// socket while forks and exits are collected in batches on another; an exec still queued
// behind the machine's other execs went out after its process's exit, and the tracker,
// the process gone, dropped it (18–41 of 300 /bin/true runs had no exec row; `as` was
// counted 14 times where gcc's -time saw 15 runs).
import { assertEquals } from "../_helpers/assert.ts";
import { runProcpath } from "../_helpers/run_procpath.ts";
import { needs } from "../_helpers/needs.ts";
import { sql } from "../_helpers/sqlite.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

Deno.test({
  ...needs("every exec of a short child is stored between its fork and its exit (#31)", {
    "the process-events connector needs root here": Deno.uid() === 0,
  }),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/order.sqlite`;
      // the shell's own count: 300 children that exec /bin/true, and one that execs seq
      const { code, stderr } = await runProcpath([
        "record",
        "-i",
        "0.5",
        "-d",
        db,
        "--",
        "sh",
        "-c",
        "for i in $(seq 300); do /bin/true; done",
      ]);
      assertEquals(code, 0, stderr);
      // the command, the recording's first row
      const shell = Number(
        sql(db, "SELECT stat_pid FROM record ORDER BY record_id LIMIT 1")[0]!.stat_pid,
      );
      const children = sql(
        db,
        "SELECT f.pid, (SELECT COUNT(*) FROM process_event e WHERE e.kind = 'exec' AND e.pid = f.pid " +
          "AND e.ts >= f.ts AND e.ts <= COALESCE((SELECT MIN(x.ts) FROM process_event x " +
          "WHERE x.kind = 'exit' AND x.pid = f.pid AND x.ts >= f.ts), 1e300)) execs " +
          `FROM process_event f WHERE f.kind = 'fork' AND f.ppid = ${shell}`,
      );
      assertEquals(children.length, 301, "forks of the shell");
      const without = children.filter((c) => Number(c.execs) !== 1).map((c) => c.pid);
      assertEquals(without, [], "forks without their exec between fork and exit");
    }, "procpath-events-");
  },
});
