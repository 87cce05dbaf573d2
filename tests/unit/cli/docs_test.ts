// The documentation stays true: every `procpath …` example in README.md and docs/ parses
// with today's command tables, docs/reference.md is what the tables generate, and every
// file docs/architecture.md names exists.
import { assertEquals } from "../../_helpers/assert.ts";
import { repoPath } from "../../_helpers/run_procpath.ts";
import { loadCommands } from "../../../src/cli/commands.ts";
import { parseProgramArgv } from "../../../src/cli/parse_argv.ts";
import { programSpec } from "../../../src/cli/program.ts";
import { referenceDoc } from "../../../src/cli/reference_doc.ts";

/** README.md and every Markdown file under docs/, by path relative to the repository. */
function documents(): Map<string, string> {
  const found = new Map<string, string>([[
    "README.md",
    Deno.readTextFileSync(repoPath("README.md")),
  ]]);
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(repoPath(dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (path.endsWith(".md")) found.set(path, Deno.readTextFileSync(repoPath(path)));
    }
  };
  walk("docs");
  return found;
}

/** The command lines of a document's code blocks that run procpath, continuations joined. */
function examples(text: string): string[] {
  const lines: string[] = [];
  let inCode = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) {
      inCode = !inCode;
      continue;
    }
    if (!inCode) continue;
    const previous = lines.at(-1);
    if (previous !== undefined && previous.endsWith("\\")) {
      lines[lines.length - 1] = previous.slice(0, -1) + " " + line.trim();
    } else lines.push(line);
  }
  // a printed line that starts with procpath's name (`procpath record: make exited …`) is output
  return lines.map((l) => l.replace(/^\$ /, "")).filter((l) =>
    /^procpath( [^\s:]+(\s|$)|$)/.test(l)
  );
}

/**
 * A command line's words as a POSIX shell splits them, up to the first unquoted `|`,
 * `>`, `;`, `&&` or comment: what procpath itself would receive.
 */
function words(line: string): string[] {
  const out: string[] = [];
  let word: string | null = null, quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\" && i + 1 < line.length) word = (word ?? "") + line[++i];
    else if (/\s/.test(c)) {
      if (word !== null) out.push(word);
      word = null;
    } else if (
      "|;>".includes(c) || (c === "&" && line[i + 1] === "&") || (c === "#" && word === null)
    ) {
      break;
    } else word = (word ?? "") + c;
  }
  if (word !== null) out.push(word);
  return out;
}

Deno.test("every procpath example in README.md and docs/ parses with the command tables", async () => {
  const { commands, hidden } = await loadCommands(undefined);
  const program = programSpec(commands, hidden);
  const failures: string[] = [];
  let count = 0;
  for (const [path, text] of documents()) {
    for (const line of examples(text)) {
      count++;
      try {
        parseProgramArgv(program, words(line).slice(1));
      } catch (error) {
        failures.push(`${path}: ${line}\n  ${(error as Error).message}`);
      }
    }
  }
  assertEquals(failures, []);
  assertEquals(count > 40, true, `only ${count} examples found`);
});

Deno.test("docs/reference.md is what the command tables generate (scripts/make_docs.ts)", async () => {
  const committed = Deno.readTextFileSync(repoPath("docs/reference.md"));
  assertEquals(
    committed === await referenceDoc(),
    true,
    "stale: run deno run -A scripts/make_docs.ts",
  );
});

Deno.test("every file docs/architecture.md names exists", () => {
  const text = Deno.readTextFileSync(repoPath("docs/architecture.md"));
  // lower-case paths: `src/cli/NAME_command.ts` is a pattern, not a file
  const named = [...text.matchAll(/`((?:src|tests|scripts|docs)\/[a-z0-9_./-]+\.(?:ts|js|md))`/g)]
    .map((m) => m[1]);
  const missing = named.filter((path) => {
    try {
      return !Deno.statSync(repoPath(path)).isFile;
    } catch {
      return true;
    }
  });
  assertEquals(missing, []);
  assertEquals(named.length > 40, true, `only ${named.length} files named`);
});

Deno.test("every relative link in README.md and docs/ reaches a file", () => {
  const broken: string[] = [];
  for (const [path, text] of documents()) {
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // http:, mailto:
      try {
        Deno.statSync(repoPath(`${dir}/${target}`));
      } catch {
        broken.push(`${path}: ${target}`);
      }
    }
  }
  assertEquals(broken, []);
});
