import { EXIT } from "../exit_codes.ts";
import { writeDirectory } from "../files/output_directory.ts";
import { SHARED } from "./shared_options.ts";
import { countOf } from "../text/plural.ts";
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
    const pids = nodes.map((node) => node.stat.pid as number);
    const { processes, files } = writeDirectory(directory, "capture", (temp) =>
      captureTree(
        options.procfs.reader(options.procfsTarget),
        options.procfsTarget,
        pids,
        options.procfileList,
        temp,
      ));
    deps.log.info(
      `Captured ${countOf(processes, "process")} (${countOf(files, "file")}) into ${directory}`,
    );
    return EXIT.ok;
  },
});
