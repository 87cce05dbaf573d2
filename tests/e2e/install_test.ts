// Installing and running procpath as people do: through a symlink on PATH, from any
// directory, as a user without a home, with shell completions and a man page.
import { installed, needs } from "../_helpers/needs.ts";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, repoPath } from "../_helpers/run_procpath.ts";
import { readableCheckout } from "../_helpers/unprivileged.ts";

const VERSION_LINE = /^procpath \d+\.\d+\.\d+ \(follows Procpath 1\.14\.0\)\n$/;

async function run(command: string, args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(command, { args, ...options }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** PATH with the Deno running the tests on it, so scripts/deno needs no install. */
const withDeno = () => `${Deno.execPath().replace(/\/[^/]+$/, "")}:${Deno.env.get("PATH")}`;

Deno.test("scripts/install puts procpath on PATH with completions and a man page", async () => {
  const home = await Deno.makeTempDir();
  const bin = `${home}/bin`;
  const env = { HOME: home, PATH: withDeno(), PREFIX: home };
  const installed = await run(repoPath("scripts/install"), [bin], { env, cwd: "/" });
  assertEquals(installed.code, 0, installed.stderr);
  assertIncludes(installed.stdout, `procpath installed: ${bin}/procpath`);
  assertEquals(Deno.readLinkSync(`${bin}/procpath`), repoPath("scripts/procpath"));
  // through the symlink, from another directory
  const version = await run(`${bin}/procpath`, ["--version"], { env, cwd: "/" });
  assertEquals(VERSION_LINE.test(version.stdout), true, version.stdout + version.stderr);
  assertIncludes(
    Deno.readTextFileSync(`${home}/share/bash-completion/completions/procpath`),
    "complete -o default -F _procpath procpath",
  );
  assertIncludes(Deno.readTextFileSync(`${home}/share/zsh/site-functions/_procpath`), "#compdef");
  assertIncludes(
    Deno.readTextFileSync(`${home}/share/fish/vendor_completions.d/procpath.fish`),
    "complete -c procpath",
  );
  assertIncludes(Deno.readTextFileSync(`${home}/share/man/man1/procpath.1`), ".TH PROCPATH 1");
  await Deno.remove(home, { recursive: true });
});

Deno.test("the completion scripts load without error and complete commands and values", async () => {
  const bash = await run("bash", [
    "-c",
    `source <("${repoPath("scripts/procpath")}" completion bash) && complete -p procpath &&
     COMP_WORDS=(procpath record --procfs-target ""); COMP_CWORD=3; _procpath; echo "\${COMPREPLY[*]}" &&
     COMP_WORDS=(procpath pl); COMP_CWORD=1; _procpath; echo "\${COMPREPLY[*]}"`,
  ], { env: { PATH: withDeno(), HOME: Deno.env.get("HOME") ?? "/tmp" } });
  assertEquals([bash.code, bash.stderr], [0, ""]);
  assertEquals(bash.stdout.split("\n").slice(1, 3), ["process thread", "plot play"]);
  if (installed("zsh")) {
    const zsh = await run("zsh", [
      "-c",
      `autoload -U compinit && compinit -u && source <("${
        repoPath("scripts/procpath")
      }" completion zsh)`,
    ]);
    assertEquals([zsh.code, zsh.stderr], [0, ""]);
  }
  if (installed("fish")) {
    const script = (await run(repoPath("scripts/procpath"), ["completion", "fish"])).stdout;
    const fish = await run("fish", ["--no-execute", "-c", script]);
    assertEquals([fish.code, fish.stderr], [0, ""]);
  }
});

Deno.test({
  ...needs("a user without a home runs procpath from a read-only checkout", {
    "switching users needs root": Deno.uid() === 0,
    "setpriv is not installed": installed("setpriv"),
  }),
  async fn() {
    const checkout = await readableCheckout();
    const dir = checkout.dir;
    await run("cp", ["-r", fixture("browser"), `${dir}/fixture`]);
    await run("chmod", ["-R", "a+rX", `${dir}/fixture`]);
    const decoder = new TextDecoder();
    const asNobody = async (args: string[]) => {
      const out = await checkout.asNobody(args);
      return {
        code: out.code,
        stdout: decoder.decode(out.stdout),
        stderr: decoder.decode(out.stderr),
      };
    };
    const version = await asNobody(["--version"]);
    assertEquals(VERSION_LINE.test(version.stdout), true, version.stdout + version.stderr);
    const query = await asNobody([
      "query",
      "--procfs",
      `${dir}/fixture`,
      "-d",
      ",",
      "$..children[?(@.stat.pid == 1)].stat.pid",
    ]);
    assertEquals([query.code, query.stdout, query.stderr], [0, "1\n", ""]);
    await checkout.remove();
  },
});
