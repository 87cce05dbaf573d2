/** Permissions a command can drop once its reads are done. */
const DROPPABLE = ["read", "write", "net", "env", "run", "ffi", "sys"] as const;

/**
 * Revokes every permission this process holds, so that evaluating the user's filter
 * and SQL happens with no access to files, network, subprocesses or the environment.
 * Deno cannot narrow `--allow-all` (revoking anything also re-blocks `/proc`), so this
 * is all or nothing, and only for commands whose reads are finished.
 */
export function dropAllPermissions(): void {
  for (const name of DROPPABLE) Deno.permissions.revokeSync({ name });
}
