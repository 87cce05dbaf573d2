import { EXIT } from "../exit_codes.ts";
import { dirnameOf, followLinks, OutputError, reasonOf } from "../files/output_path.ts";
import { quoteInput } from "../text/visible.ts";
import { CommandError } from "./errors.ts";
import { SHARED } from "./shared_options.ts";
import { selectLiveProcesses } from "./selection_options.ts";
import { defineCommand } from "./spec.ts";

/** `procpath capture`: the procfs files of a selection saved for replay. */
export const captureCommand = defineCommand({
  name: "capture",
  summary:
    "Save the procfs files procpath reads into a directory, to replay with --procfs or attach to a bug report.",
  args: [
    {
      name: "directory",
      help: "where to write the tree (created; must be empty when it exists)",
      required: true,
    },
    {
      name: "query",
      help: "JSONPath selecting whole process nodes and their subtrees; all when absent",
    },
  ],
  options: {
    procfileList: {
      ...SHARED.procfileList,
      help: "procfiles to save besides stat (fd cannot be copied)",
    },
    procfs: SHARED.procfs,
    procfsTarget: SHARED.procfsTarget,
  },
  examples: [
    "procpath capture -f stat,cmdline,status,io bug-1234 '$..children[?(@.stat.pid == 2610)]'",
    "procpath query --procfs bug-1234 -d , '$..children[?(@.stat.pid == 2610)]..pid'",
  ],
  /** One snapshot; the selection's files (with every subtree) copied into the directory. */
  async run([directoryArg, queryArg], options, { deps }) {
    const { captureTree } = await import("../procfs/capture.ts");
    const directory = directoryArg as string;
    // the selection with every subtree, each process once, as record would store it
    const nodes = await selectLiveProcesses(
      "capture",
      queryArg as string | undefined,
      options,
      deps,
    );
    const target = planCaptureDirectory(directory);
    const pids = nodes.map((node) => node.stat.pid as number);
    // written into a temporary directory beside the target and renamed into place whole,
    // so a failure (a full disk) leaves no partial capture behind
    let temp: string;
    try {
      temp = Deno.makeTempDirSync({ dir: dirnameOf(target.path), prefix: ".procpath-capture-" });
    } catch (error) {
      throw new OutputError(directory, reasonOf(error), { cause: error });
    }
    let summary;
    try {
      summary = captureTree(
        options.procfs.reader(options.procfsTarget),
        options.procfsTarget,
        pids,
        options.procfileList,
        temp,
      );
      Deno.chmodSync(temp, target.mode ?? 0o777 & ~Deno.umask());
      Deno.renameSync(temp, target.path);
    } catch (error) {
      Deno.removeSync(temp, { recursive: true });
      throw error instanceof CommandError
        ? error
        : new OutputError(directory, reasonOf(error), { cause: error });
    }
    const { processes, files } = summary;
    deps.log.info(`Captured ${processes} processes (${files} files) into ${directory}`);
    return EXIT.ok;
  },
});

/**
 * Returns where a capture goes: the directory named (its links followed), with its mode
 * when it exists; throws when it is not a directory or not empty.
 */
function planCaptureDirectory(directory: string): { path: string; mode: number | null } {
  const { path, info } = followLinks(directory.replace(/(.)\/+$/, "$1"));
  if (info === null) return { path, mode: null };
  if (!info.isDirectory) {
    throw new CommandError(`Cannot capture into ${quoteInput(directory)}: it is not a directory`);
  }
  if ([...Deno.readDirSync(path)].length > 0) {
    throw new CommandError(`Cannot capture into ${quoteInput(directory)}: it is not empty`);
  }
  return { path, mode: (info.mode ?? 0o755) & 0o7777 };
}
