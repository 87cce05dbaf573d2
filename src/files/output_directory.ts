/**
 * A directory written whole: filled in a temporary directory beside the target and
 * renamed into place, so a failure (a full disk) leaves nothing partial behind, and a
 * target that exists keeps its mode. The target must be absent or an empty directory.
 *
 * @module
 */
import { RunFailure } from "../exit_codes.ts";
import { quoteInput } from "../text/visible.ts";
import { dirnameOf, followLinks, OutputError, reasonOf } from "./output_path.ts";

/** A target the directory cannot be written to: not a directory, or not empty. */
export class DirectoryTargetError extends RunFailure {}

/** Where the directory goes (links followed), with its mode when it exists already. */
function planDirectory(directory: string, verb: string): { path: string; mode: number | null } {
  const { path, info } = followLinks(directory.replace(/(.)\/+$/, "$1"));
  if (info === null) return { path, mode: null };
  if (!info.isDirectory) {
    throw new DirectoryTargetError(
      `Cannot ${verb} into ${quoteInput(directory)}: it is not a directory`,
    );
  }
  if ([...Deno.readDirSync(path)].length > 0) {
    throw new DirectoryTargetError(`Cannot ${verb} into ${quoteInput(directory)}: it is not empty`);
  }
  return { path, mode: (info.mode ?? 0o755) & 0o7777 };
}

/**
 * Fills a temporary directory with `fill` and renames it to `directory`; returns what
 * `fill` returned. Throws `DirectoryTargetError` for an unusable target, `OutputError`
 * when the system refuses a write, and `fill`'s own errors (after removing the temporary
 * directory).
 */
export function writeDirectory<T>(directory: string, verb: string, fill: (temp: string) => T): T {
  const target = planDirectory(directory, verb);
  let temp: string;
  try {
    temp = Deno.makeTempDirSync({ dir: dirnameOf(target.path), prefix: ".procpath-capture-" });
  } catch (error) {
    throw new OutputError(directory, reasonOf(error), { cause: error });
  }
  try {
    const result = fill(temp);
    Deno.chmodSync(temp, target.mode ?? 0o777 & ~Deno.umask());
    Deno.renameSync(temp, target.path);
    return result;
  } catch (error) {
    Deno.removeSync(temp, { recursive: true });
    throw error instanceof Error && "exitCode" in error
      ? error
      : new OutputError(directory, reasonOf(error), { cause: error });
  }
}
