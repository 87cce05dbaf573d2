// The structure docs/architecture.md describes, checked: modules form no import cycle,
// SQL runs only in src/store/, the process exits only in src/main.ts.
import { assertEquals } from "../_helpers/assert.ts";
import { repoPath } from "../_helpers/run_procpath.ts";

/** Every TypeScript module under src/, by path relative to the repository. */
function sources(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(repoPath(dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (path.endsWith(".ts")) found.set(path, Deno.readTextFileSync(repoPath(path)));
    }
  };
  walk("src");
  return found;
}

/** The relative modules a source imports (static, dynamic and type-only), resolved. */
function importsOf(path: string, text: string): string[] {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gms),
    ...text.matchAll(/\bimport\(\s*"(\.[^"]+)"\s*\)/g),
  ].map((m) => m[1]);
  return specifiers.map((specifier) => {
    const parts = `${dir}/${specifier}`.split("/");
    const out: string[] = [];
    for (const part of parts) {
      if (part === "..") out.pop();
      else if (part !== ".") out.push(part);
    }
    return out.join("/");
  });
}

Deno.test("no import cycle among procpath's modules, type-only imports included", () => {
  const files = sources();
  const graph = new Map([...files].map(([path, text]) => [path, importsOf(path, text)]));
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") {
        cycles.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  assertEquals(cycles, []);
});

Deno.test("SQL runs only in src/store/: nothing else opens SQLite or reaches the store's private files", () => {
  const offenders: string[] = [];
  for (const [path, text] of sources()) {
    if (path.startsWith("src/store/")) continue;
    if (/from\s+"node:sqlite"/.test(text)) offenders.push(`${path}: imports node:sqlite`);
    if (/from\s+"[^"]*store\/_[^"]*"/.test(text)) offenders.push(`${path}: a private store file`);
    if (/\.prepare\(|\bdb\.exec\(/.test(text)) offenders.push(`${path}: runs SQL`);
  }
  assertEquals(offenders, []);
});

Deno.test("only src/main.ts ends the process", () => {
  const offenders = [...sources()].filter(([path, text]) =>
    path !== "src/main.ts" && /\bDeno\.exit\(/.test(text)
  ).map(([path]) => path);
  assertEquals(offenders, []);
});

Deno.test("tests/unit/ mirrors src/: every source folder has its unit tests", () => {
  const folders = (dir: string) =>
    [...Deno.readDirSync(repoPath(dir))].filter((e) => e.isDirectory).map((e) => e.name).sort();
  const missing = folders("src").filter((name) => !folders("tests/unit").includes(name));
  assertEquals(missing, []);
});
