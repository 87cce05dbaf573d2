import { waitFor } from "./processes.ts";

/** Where a test may make a cgroup of its own, and which version the files there speak. */
export interface CgroupPlace {
  dir: string;
  v2: boolean;
}

/**
 * Where a test may make a group with `controller`: cgroup v2 where the controller is
 * enabled for children, or the v1 `hierarchy` when it has `file` (the one the test
 * writes); `null` when neither.
 */
export function cgroupPlace(
  controller: string,
  hierarchy: string,
  file: string,
): CgroupPlace | null {
  for (const base of ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]) {
    try {
      const enabled = Deno.readTextFileSync(`${base}/cgroup.subtree_control`).split(/\s+/);
      if (enabled.includes(controller)) return { dir: base, v2: true };
    } catch { /* not cgroup v2 here */ }
  }
  const dir = `/sys/fs/cgroup/${hierarchy}`;
  try {
    Deno.statSync(`${dir}/${file}`);
    return { dir, v2: false };
  } catch {
    return null;
  }
}

/**
 * Makes the cgroup directory `dir`, runs `body` with it, and removes it in the end,
 * moving what is left in it to the parent group first (a group with processes cannot
 * be removed).
 */
export async function withCgroup<T>(dir: string, body: (dir: string) => Promise<T>): Promise<T> {
  Deno.mkdirSync(dir);
  try {
    return await body(dir);
  } finally {
    const parent = dir.replace(/\/[^/]+$/, "");
    await waitFor(() => {
      try {
        for (const pid of Deno.readTextFileSync(`${dir}/cgroup.procs`).split("\n")) {
          if (pid !== "") Deno.writeTextFileSync(`${parent}/cgroup.procs`, pid);
        }
        Deno.removeSync(dir);
        return true;
      } catch {
        return false;
      }
    });
  }
}
