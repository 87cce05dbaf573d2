import type { Fd, ProcReader } from "../../src/procfs/mod.ts";
import { emptyFd } from "../../src/procfs/mod.ts";

/** A file's content, or the error reading it raises. */
export type FakeFile = string | Uint8Array | Error;

/** An in-memory ProcReader: `files[pid][name]`; a missing pid or file raises NotFound. */
export function fakeReader(
  files: Record<number, Record<string, FakeFile>>,
  options: { onRead?: (pid: number, name: string) => void } = {},
): ProcReader {
  const notFound = (path: string) => new Deno.errors.NotFound(`No such file: ${path}`);
  return {
    root: "/fake",
    listPids: () => Object.keys(files).map(Number).sort((a, b) => a - b),
    readFile(pid, name) {
      options.onRead?.(pid, name);
      const content = files[pid]?.[name];
      if (content === undefined) throw notFound(`${pid}/${name}`);
      if (content instanceof Error) throw content;
      return typeof content === "string" ? new TextEncoder().encode(content) : content;
    },
    readParsed(pid, name, parse) {
      return parse(this.readFile(pid, name));
    },
    countFds(pid): Fd {
      const content = files[pid]?.fd;
      if (content instanceof Error) throw content;
      if (content === undefined) throw notFound(`${pid}/fd`);
      return { ...emptyFd(), ...JSON.parse(String(content)) };
    },
    hasStat: (pid) => files[pid]?.stat !== undefined,
    keepFiles() {}, // a fake tree has no files to keep
    readRootFile(name) {
      throw notFound(name);
    },
    childrenOf: () => null,
  };
}
