/**
 * Whether procpath runs in the machine's own user and PID namespaces. The kernel
 * delivers process events to an unprivileged listener only there; elsewhere (a
 * container, `unshare -U`) the subscription succeeds and no event ever comes.
 *
 * @module
 */

/** The initial user namespace maps every uid to itself: `0 0 4294967295`. */
export function isInitialUserNamespace(uidMap: string): boolean {
  return /^\s*0\s+0\s+4294967295\s*$/.test(uidMap);
}

/** A process in a child PID namespace has one `NSpid` per level: the initial has one. */
export function isInitialPidNamespace(status: string): boolean {
  const line = /^NSpid:\s*(.*)$/m.exec(status);
  return line === null || line[1]!.trim().split(/\s+/).length === 1;
}

/**
 * Returns why process events cannot reach procpath here, or `null` when they can: read
 * from `/proc/self` (its own files, readable by every user).
 */
export function eventNamespaceProblem(procRoot = "/proc"): string | null {
  try {
    if (!isInitialUserNamespace(Deno.readTextFileSync(`${procRoot}/self/uid_map`))) {
      return "procpath runs in a user namespace of its own (a container), where the kernel " +
        "sends no process events";
    }
    if (!isInitialPidNamespace(Deno.readTextFileSync(`${procRoot}/self/status`))) {
      return "procpath runs in a PID namespace of its own (a container), where the kernel " +
        "sends no process events";
    }
  } catch { /* no such files: let the kernel answer */ }
  return null;
}
