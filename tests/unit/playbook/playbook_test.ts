import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import {
  linearize,
  matchSections,
  parseIni,
  PlaybookSyntaxError,
  sectionArgv,
  splitMultiline,
} from "../../../src/playbook/mod.ts";
import { playbookSpec } from "../../../src/cli/play_command.ts";
import { plotCommand } from "../../../src/cli/plot_command.ts";
import { recordCommand } from "../../../src/cli/record_command.ts";

const PLAYBOOK = `
# comments start with #
[base]
procfs: /tmp/proc
environment:
  L=docker ps -q | xargs -I{} -- \\
    docker inspect -f '{{.State.Pid}}' {}

[left]
extends: base
interval: 5
environment: A=echo left

[right]
extends: base
interval: 7
environment: B=echo right

[app:record]
extends:
  left
  right
database_file: out.sqlite
Stop_Without_Result: yes
query: $..children[?(@.stat.pid == $L)]

[app:plot]
database_file: out.sqlite
query_name:
  rss

  cpu
`;

Deno.test("parseIni() reads sections, lower-cases keys and joins indented continuation lines", () => {
  const ini = parseIni(PLAYBOOK, "p.ini");
  assertEquals([...ini.keys()], ["base", "left", "right", "app:record", "app:plot"]);
  assertEquals(ini.get("app:record")!.get("stop_without_result"), "yes");
  assertEquals(ini.get("app:plot")!.get("query_name"), "\nrss\n\ncpu");
  assertEquals(
    ini.get("base")!.get("environment"),
    "\nL=docker ps -q | xargs -I{} -- \\\ndocker inspect -f '{{.State.Pid}}' {}",
  );
});

Deno.test("parseIni() reports configparser's errors on one line", () => {
  assertThrows(
    () => parseIni("x: 1\n", "p.ini"),
    /^PlaybookSyntaxError: File contains no section headers\. file: 'p.ini', line: 1 "x: 1\\n"$/,
  );
  assertThrows(
    () => parseIni("[a]\nnot an option\n", "p.ini"),
    /Source contains parsing errors: 'p.ini' \[line {2}2\]: "not an option\\n"/,
  );
  assertThrows(() => parseIni("[a]\n[a]\n", "p.ini"), /section 'a' already exists/);
  assertThrows(
    () => parseIni("[a]\nk: 1\nK: 2\n", "p.ini"),
    /option 'k' in section 'a' already exists/,
  );
  assertEquals(
    parseIni("[a]\nurl: http://x:8000/y\n", "p.ini").get("a")!.get("url"),
    "http://x:8000/y",
  );
});

Deno.test("splitMultiline() drops empty lines and joins lines ending in a lone backslash", () => {
  assertEquals(splitMultiline("\nrss\n\ncpu"), ["rss", "cpu"]);
  assertEquals(splitMultiline("a \\\nb \\\nc\nd"), ["a b c", "d"]);
  assertEquals(splitMultiline("echo 'a\\b'"), ["echo 'a\\b'"]);
  assertThrows(() => splitMultiline("a \\"), /Line continuation end expected/);
  assertThrows(() => splitMultiline('echo "open'), /No closing quotation/);
});

Deno.test("linearize() follows extends in C3 order", () => {
  const ini = parseIni(PLAYBOOK, "p.ini");
  assertEquals(linearize(ini, "app:record"), ["app:record", "left", "right", "base"]);
  const diamond = parseIni(
    "[o]\n[a]\nextends: o\n[b]\nextends: o\n[c]\nextends: a b\n[x]\nextends: a b\n[y]\nextends: b a\n[z]\nextends: x y\n",
    "d.ini",
  );
  assertEquals(linearize(diamond, "c"), ["c", "a", "b", "o"]);
  assertThrows(() => linearize(diamond, "z"), /consistent method resolution order/);
  assertThrows(() => linearize(parseIni("[a]\nextends: nope\n", "p"), "a"), PlaybookSyntaxError);
});

Deno.test("sectionArgv() takes the nearest scalar and accumulates repeatable options parents first", () => {
  const ini = parseIni(PLAYBOOK, "p.ini");
  const argv = sectionArgv(
    ini,
    "app:record",
    playbookSpec(recordCommand),
    new Map([["environment", "Z=echo override"]]),
  );
  assertEquals(argv, [
    "--database-file",
    "out.sqlite",
    "--procfs",
    "/tmp/proc",
    "--interval",
    "5",
    "--stop-without-result",
    "--environment",
    "L=docker ps -q | xargs -I{} -- docker inspect -f '{{.State.Pid}}' {}",
    "--environment",
    "B=echo right",
    "--environment",
    "A=echo left",
    "--environment",
    "Z=echo override",
    "--",
    "$..children[?(@.stat.pid == $L)]",
  ]);
  assertEquals(
    sectionArgv(ini, "app:record", playbookSpec(recordCommand), new Map([["interval", "9"]])).slice(
      4,
      6,
    ),
    ["--interval", "9"],
  );
  assertThrows(
    () => sectionArgv(ini, "app:plot", playbookSpec(plotCommand), new Map([["bogus", "1"]])),
    /unrecognized arguments: --bogus 1/,
  );
});

Deno.test("matchSections() globs like fnmatch, in file order", () => {
  const ini = parseIni(PLAYBOOK, "p.ini");
  assertEquals(matchSections(ini, "app:*"), ["app:record", "app:plot"]);
  assertEquals(matchSections(ini, "*:plot"), ["app:plot"]);
  assertEquals(matchSections(ini, "[lr]*"), ["left", "right"]);
  assertEquals(matchSections(ini, "b?se"), ["base"]);
});
