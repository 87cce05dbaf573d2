/**
 * Where bytes for a path the user named go, by one set of rules for every file procpath
 * writes (a plot, backfill's output, a capture, a recording):
 * - `-` is standard output;
 * - a path that exists and is not a regular file (a device, a FIFO, a socket) is written
 *   directly, never replaced: `-f /dev/null` stays the system's device;
 * - a symbolic link is followed, and its target is what gets replaced;
 * - a regular file (or a path that does not exist yet) is replaced atomically: the new
 *   bytes go to a temporary file in the target's directory, which is renamed over the
 *   target only once every byte is written, keeping the old file's mode and, where the
 *   user may set them, its owner and group;
 * - a directory is refused.
 *
 * @module
 */
import { EXIT } from "../exit_codes.ts";

/** A path procpath cannot write, or a write that failed: one line, exit 1. */
export class OutputError extends Error {
  readonly exitCode = EXIT.failure;
  constructor(readonly path: string, readonly reason: string, options?: ErrorOptions) {
    super(`Cannot write "${path}": ${reason}`, options);
    this.name = "OutputError";
  }
}

/** What an existing regular file keeps when it is replaced. */
export interface KeptAttributes {
  /** Permission bits (`0o7777`). */
  mode: number;
  uid: number | null;
  gid: number | null;
}

/** How a path is written, decided before any byte is. */
export type OutputPlan =
  | { kind: "stdout" }
  | { kind: "direct"; path: string }
  | { kind: "replace"; path: string; dir: string; existing: KeptAttributes | null };

/** Symbolic links followed before a path is called a loop, as the kernel's ELOOP. */
const MAX_LINKS = 40;

/** Returns the directory part of `path` (`.` for a bare name). */
export function dirnameOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : path.slice(0, slash) || "/";
}

/** Returns `link`'s target as a path usable from here (relative targets are the link's directory's). */
function resolveLink(link: string, target: string): string {
  return target.startsWith("/") ? target : `${dirnameOf(link)}/${target}`;
}

/**
 * Returns the path `path` names once every symbolic link is followed (a dangling link's
 * target too) and what is there (null: nothing yet); throws `OutputError` for a loop of
 * links or a path that cannot be examined.
 */
export function followLinks(path: string): { path: string; info: Deno.FileInfo | null } {
  let current = path;
  for (let hop = 0; hop <= MAX_LINKS; hop++) {
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(current);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { path: current, info: null };
      throw new OutputError(path, reasonOf(error), { cause: error });
    }
    if (!info.isSymlink) return { path: current, info };
    current = resolveLink(current, Deno.readLinkSync(current));
  }
  throw new OutputError(path, "too many levels of symbolic links");
}

/**
 * Returns how `path` is to be written by the rules above; throws `OutputError` for a
 * directory, a loop of links or a path that cannot be examined.
 */
export function planOutput(path: string): OutputPlan {
  if (path === "-") return { kind: "stdout" };
  if (path === "") throw new OutputError(path, "the path is empty");
  const { path: target, info } = followLinks(path);
  if (info === null) {
    return { kind: "replace", path: target, dir: dirnameOf(target), existing: null };
  }
  if (info.isDirectory) throw new OutputError(path, "it is a directory");
  if (!info.isFile) return { kind: "direct", path: target };
  return {
    kind: "replace",
    path: target,
    dir: dirnameOf(target),
    existing: { mode: (info.mode ?? 0o644) & 0o7777, uid: info.uid, gid: info.gid },
  };
}

/** Returns an error's reason without Deno's "(os error N)" and the call and path after it. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/ \(os error \d+\).*$/s, "");
}
