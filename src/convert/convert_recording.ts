/**
 * `procpath convert`: a recording into the compact layout or back into the plain one,
 * written to a new file by the rules of every output (the input is only read; the output
 * appears whole or not at all).
 *
 * @module
 */
import { RunFailure } from "../exit_codes.ts";
import { dirnameOf, followLinks, OutputError, planOutput, reasonOf } from "../files/output_path.ts";
import { openOutput } from "../files/output_file.ts";
import { copyRecording } from "../store/compact_copy.ts";
import type { CopyFigures } from "../store/compact_copy.ts";

/** What to convert. */
export interface ConvertOptions {
  input: string;
  output: string;
  /** The plain layout (the reference's table) instead of the compact one. */
  plain: boolean;
}

/** What a conversion did: the copy's figures and both files' sizes in bytes. */
export interface ConvertResult extends CopyFigures {
  to: "plain" | "compact";
  bytesIn: number;
  bytesOut: number;
}

/** Bytes copied into the output per write. */
const CHUNK = 1 << 20;

/**
 * Converts the recording `input` into `output` (replaced atomically when it exists) and
 * returns the figures. Throws `RecordingError` for an input that is not a recording,
 * `OutputError` for an output that cannot be written, `RunFailure` for an output that is
 * the input.
 */
export function convertRecording(options: ConvertOptions): ConvertResult {
  const { input, output } = options;
  let bytesIn: number;
  try {
    bytesIn = Deno.statSync(input).size;
  } catch (error) {
    throw new RunFailure(`Cannot convert "${input}": ${reasonOf(error)}`, { cause: error });
  }
  planOutput(output); // a directory or a loop of links is refused before any work
  const target = followLinks(output);
  if (target.info !== null && samePath(input, target.path)) {
    throw new RunFailure(`Cannot convert "${input}" into itself: name another output file`);
  }
  let scratch: string;
  try {
    scratch = Deno.makeTempDirSync({
      dir: dirnameOf(target.path),
      prefix: ".procpath-convert-",
    });
  } catch (error) {
    throw new OutputError(output, reasonOf(error), { cause: error });
  }
  try {
    const built = `${scratch}/recording.sqlite`;
    const figures = copyRecording(input, built, { compact: !options.plain });
    const bytesOut = copyInto(built, output);
    return { ...figures, to: options.plain ? "plain" : "compact", bytesIn, bytesOut };
  } catch (error) {
    if (error instanceof Error && "exitCode" in error) throw error;
    throw new OutputError(output, reasonOf(error), { cause: error });
  } finally {
    Deno.removeSync(scratch, { recursive: true });
  }
}

/** True when both paths name one file. */
function samePath(a: string, b: string): boolean {
  try {
    const x = Deno.statSync(a);
    const y = Deno.statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** Streams the file `from` into the output `path`; returns the bytes written. */
function copyInto(from: string, path: string): number {
  const out = openOutput(path);
  const file = Deno.openSync(from, { read: true });
  let total = 0;
  try {
    const buffer = new Uint8Array(CHUNK);
    for (;;) {
      const read = file.readSync(buffer);
      if (read === null || read === 0) break;
      out.write(buffer.subarray(0, read));
      total += read;
    }
    out.commit();
    return total;
  } catch (error) {
    out.abort();
    throw error;
  } finally {
    file.close();
  }
}
