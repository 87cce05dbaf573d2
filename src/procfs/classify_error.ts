/** What a failed procfs read means for the snapshot. */
export type ReadFailure = "vanished" | "denied" | "fatal";

/**
 * Classifies an error thrown by a procfs read: the process went away
 * (`ENOENT`, `ESRCH`), the file is not readable for this user (`EACCES`, `EPERM`),
 * or anything else, which includes Deno's `NotCapable`.
 */
export function classifyReadError(error: unknown): ReadFailure {
  if (error instanceof Deno.errors.NotFound) return "vanished";
  if (error instanceof Deno.errors.PermissionDenied) return "denied";
  const code = (error as { code?: string } | null)?.code;
  if (code === "ESRCH" || code === "ENOENT") return "vanished";
  if (code === "EACCES" || code === "EPERM") return "denied";
  // Deno reports ESRCH (a kernel thread's smaps_rollup, a process gone mid-read) as a
  // plain Error that only names the errno in its message.
  const errno = /\(os error (\d+)\)/.exec((error as Error | null)?.message ?? "")?.[1];
  if (errno === "3" || errno === "2") return "vanished";
  if (errno === "13" || errno === "1") return "denied";
  return "fatal";
}
