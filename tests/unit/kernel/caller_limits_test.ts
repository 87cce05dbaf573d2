import { assertEquals } from "../../_helpers/assert.ts";
import {
  callerSoftLimit,
  parseLimitValue,
  parseOpenFilesRow,
} from "../../../src/kernel/caller_limits.ts";

const UNLIMITED = (1n << 64n) - 1n;

// the kernel's text of /proc/PID/limits (proc_pid_limits in fs/proc/base.c), three rows
const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max open files            1024                 524288               files     
Max locked memory         8388608              8388608              bytes     
`;

Deno.test("parseLimitValue reads what ulimit prints", () => {
  assertEquals(
    ["1024", "unlimited", " 20000\n", "", "-1", "1e3", "99999999999999999999"].map(
      parseLimitValue,
    ),
    [1024n, UNLIMITED, 20000n, null, null, null, null],
  );
});

Deno.test("parseOpenFilesRow reads the open-files row of /proc/PID/limits", () => {
  assertEquals(parseOpenFilesRow(LIMITS), { soft: 1024n, hard: 524288n });
  assertEquals(
    parseOpenFilesRow("Max open files            unlimited            unlimited            files"),
    { soft: UNLIMITED, hard: UNLIMITED },
  );
  assertEquals(parseOpenFilesRow("Max cpu time unlimited unlimited seconds"), null);
});

Deno.test("callerSoftLimit: the launcher's value first, else the parent's of the same hard limit", () => {
  const own = { soft: 524288n, hard: 524288n };
  // the launcher knows exactly, whatever the parent has
  assertEquals(callerSoftLimit(own, "1024", { soft: 4096n, hard: 524288n }), 1024n);
  assertEquals(callerSoftLimit(own, "unlimited", null), null);
  assertEquals(callerSoftLimit(own, "nonsense", null), null);
  // the parent's soft limit, when procpath's hard limit is the parent's
  assertEquals(callerSoftLimit(own, undefined, { soft: 1024n, hard: 524288n }), 1024n);
  // a hard limit of its own: procpath's limits did not come from this parent
  assertEquals(callerSoftLimit(own, undefined, { soft: 1024n, hard: 65536n }), null);
  // nothing lower to give back
  assertEquals(callerSoftLimit(own, undefined, own), null);
  assertEquals(callerSoftLimit(own, undefined, null), null);
});
