// procpath's own command-line parser: the grammar users type, and the messages they see.
import { assertEquals } from "../../_helpers/assert.ts";
import { loadCommands } from "../../../src/cli/commands.ts";

const { commands: COMMANDS } = await loadCommands(undefined);
import {
  didYouMean,
  parseCommandArgv,
  ParseError,
  parseProgramArgv,
} from "../../../src/cli/parse_argv.ts";
import { programSpec } from "../../../src/cli/program.ts";

const program = programSpec(COMMANDS);
const command = (name: string) => COMMANDS.find((c) => c.name === name)!;
const run = (argv: string[]) => {
  const parsed = parseProgramArgv(program, argv);
  if (parsed.kind !== "run") throw new Error(`expected a command, got ${parsed.kind}`);
  return parsed as typeof parsed & { options: Record<string, unknown> };
};

Deno.test("values attach every way users type them: -d ,  -d,  --delimiter=,  --delimiter ,", () => {
  for (const argv of [["-d", ","], ["-d,"], ["--delimiter=,"], ["--delimiter", ","]]) {
    assertEquals(run(["query", ...argv]).options.delimiter, ",", argv.join(" "));
  }
  // a value may start with a dash, and options may follow the arguments
  const parsed = run(["query", "$..pid", "-d", "-", "--indent", "2"]);
  assertEquals([parsed.args[0], parsed.options.delimiter, parsed.options.indent], [
    "$..pid",
    "-",
    2,
  ]);
});

Deno.test("defaults, repeatable options, negated and grouped switches", () => {
  const plain = run(["query"]).options;
  assertEquals([plain.procfileList, plain.subtree, plain.ascii], [
    ["stat", "cmdline"],
    true,
    undefined,
  ]);
  const set = run(["query", "--no-subtree", "--ascii", "-e", "A=1", "-e", "B=2"]).options;
  assertEquals([set.subtree, set.ascii], [false, true]);
  assertEquals((set.environment as unknown[]).length, 2);
  const play = parseCommandArgv(command("play"), ["-nl", "-f", "x.ini", "a", "b"]);
  const options = play.options as Record<string, unknown>;
  assertEquals([options.dryRun, options.listSections, play.args[0]], [true, true, ["a", "b"]]);
});

Deno.test("-- ends the options: what follows is an argument even when it starts with a dash", () => {
  assertEquals(run(["query", "--", "-x"]).args[0], "-x");
});

Deno.test("the program's options come before the command; help and version answer without running", () => {
  assertEquals(run(["--logging-level", "debug", "query"]).globals, { loggingLevel: "DEBUG" });
  assertEquals(parseProgramArgv(program, ["--version"]).kind, "version");
  for (const argv of [["-h"], ["--help"], ["help"], ["query", "-h"], ["help", "query"]]) {
    assertEquals(parseProgramArgv(program, argv).kind, "help", argv.join(" "));
  }
  const help = parseProgramArgv(program, ["record", "--help"]);
  assertEquals(help.kind === "help" && help.command?.name, "record");
});

Deno.test("each mistake has its message, in a fixed order of checks", () => {
  const cases: [string[], string][] = [
    [["qurey"], "unknown command 'qurey' (Did you mean query?)"],
    [["help", "nope"], "unknown command 'nope'"],
    [["--bogus"], "unknown option '--bogus'"],
    [["query", "--delim", ","], "unknown option '--delim' (Did you mean --delimiter?)"],
    [["query", "-Z"], "unknown option '-Z'"],
    [["query", "-d"], "option '-d, --delimiter <delimiter>' argument missing"],
    [["query", "--ascii=yes"], "option '--ascii' takes no argument"],
    [["query", "-i", "x"], "option '-i, --indent <indent>' argument 'x' is invalid. expected"],
    [["record"], "required option '-d, --database-file <database-file>' not specified"],
    // a required option is reported before an unknown one, as the reference's parser did
    [["record", "--bogus"], "required option '-d, --database-file"],
    // a lone word where the command takes none is likely the option's value without its flag
    [
      ["report", "run.sqlite"],
      "required option '-d, --database-file <database-file>' not specified; " +
      "did you mean: procpath report -d run.sqlite",
    ],
    [["query", "a", "b", "c"], "too many arguments for 'query'. Expected 2 arguments but got 3"],
    [["play", "-f", "x.ini"], "missing required argument 'target'"],
    [["completion"], "missing required argument 'shell'"],
  ];
  for (const [argv, message] of cases) {
    let error: unknown;
    try {
      parseProgramArgv(program, argv);
    } catch (thrown) {
      error = thrown;
    }
    assertEquals(error instanceof ParseError, true, argv.join(" "));
    const { message: text, exitCode } = error as ParseError;
    assertEquals(text.startsWith(message), true, `${argv.join(" ")}: ${text}`);
    assertEquals(exitCode, 2);
  }
});

Deno.test("suggestions come from close spellings and prefixes only", () => {
  assertEquals(didYouMean("recrod", ["query", "record", "plot"]), " (Did you mean record?)");
  assertEquals(didYouMean("--proc", ["--procfs", "--procfs-target"]), " (Did you mean --procfs?)");
  assertEquals(didYouMean("xyz", ["query", "record"]), "");
});
