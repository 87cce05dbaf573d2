/**
 * Opening and writing an output path by the rules of `output_path.ts`: every write is
 * checked, and a replaced file appears only whole.
 *
 * @module
 */
import { writeAll } from "./write_all.ts";
import { OutputError, planOutput, reasonOf } from "./output_path.ts";
import type { KeptAttributes, OutputPlan } from "./output_path.ts";

export { OutputError };

/** An output being written. */
export interface OutputFile {
  /** The path the user gave (`-` for standard output). */
  readonly path: string;
  /** Writes every byte of `data`; throws `OutputError` when the system refuses. */
  write(data: Uint8Array | string): void;
  /**
   * Makes what was written the path's content (renames the temporary file over the
   * target); throws `OutputError`, and then nothing of the new content is left behind.
   */
  commit(): void;
  /** Drops what was written and leaves the path as it was. Never throws. */
  abort(): void;
}

const encoder = new TextEncoder();

/**
 * Returns a file the caller writes to and then commits (or aborts); throws `OutputError`.
 * `-` writes through `writeStdout` (the command's own, which knows a closed pipe).
 */
export function openOutput(
  path: string,
  writeStdout: (bytes: Uint8Array) => void = (bytes) => writeAll(Deno.stdout, bytes),
): OutputFile {
  const plan = planOutput(path);
  switch (plan.kind) {
    case "stdout":
      return {
        path,
        write: (data) => writeStdout(typeof data === "string" ? encoder.encode(data) : data),
        commit() {},
        abort() {},
      };
    case "direct":
      try {
        // a FIFO's open waits for a reader, as any writer's would
        return directOutput(path, Deno.openSync(plan.path, { write: true }));
      } catch (error) {
        throw new OutputError(path, reasonOf(error), { cause: error });
      }
    case "replace":
      return replacingOutput(path, plan);
  }
}

/** Writes `data` to `path` whole, by the rules; throws `OutputError`. */
export function writeOutputFile(path: string, data: Uint8Array | string): void {
  const output = openOutput(path);
  try {
    output.write(data);
    output.commit();
  } catch (error) {
    output.abort();
    throw error;
  }
}

export { writeAll };

/** Returns a function that closes `file` the first time it is called. */
function closer(file: Deno.FsFile): () => void {
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    try {
      file.close();
    } catch { /* already closed */ }
  };
}

/** Returns a checked writer of `file`: a failure runs `undo` and throws `OutputError`. */
function checkedWriter(path: string, file: Deno.FsFile, undo: () => void) {
  return (data: Uint8Array | string) => {
    try {
      writeAll(file, data);
    } catch (error) {
      undo();
      throw new OutputError(path, reasonOf(error), { cause: error });
    }
  };
}

function directOutput(path: string, file: Deno.FsFile): OutputFile {
  const close = closer(file);
  return { path, write: checkedWriter(path, file, close), commit: close, abort: close };
}

function replacingOutput(
  path: string,
  plan: Extract<OutputPlan, { kind: "replace" }>,
): OutputFile {
  let temp: string;
  let file: Deno.FsFile;
  try {
    temp = Deno.makeTempFileSync({ dir: plan.dir, prefix: ".procpath-", suffix: ".tmp" });
    file = Deno.openSync(temp, { write: true });
  } catch (error) {
    throw new OutputError(path, reasonOf(error), { cause: error });
  }
  const close = closer(file);
  const discard = () => {
    close();
    try {
      Deno.removeSync(temp);
    } catch { /* renamed or already gone */ }
  };
  return {
    path,
    write: checkedWriter(path, file, discard),
    commit() {
      try {
        // the bytes reach the disk before the name does: a crash leaves the old file
        file.syncSync();
        close();
        keepAttributes(temp, plan.existing);
        Deno.renameSync(temp, plan.path);
      } catch (error) {
        discard();
        throw new OutputError(path, reasonOf(error), { cause: error });
      }
    },
    abort: discard,
  };
}

/**
 * Gives the temporary file the replaced file's mode and owner, or the mode a new file
 * gets under the umask (a temporary file is created private, 0600).
 */
function keepAttributes(temp: string, existing: KeptAttributes | null): void {
  if (existing === null) {
    Deno.chmodSync(temp, 0o666 & ~Deno.umask());
    return;
  }
  try {
    // only root, or a member of the group, may give a file away: keep what is allowed
    Deno.chownSync(temp, existing.uid, existing.gid);
  } catch {
    try {
      Deno.chownSync(temp, null, existing.gid);
    } catch { /* the file stays the writer's */ }
  }
  Deno.chmodSync(temp, existing.mode);
}
