import { repoPath } from "./run_procpath.ts";

/** A copy of the checkout every user can read, with the Deno running the tests in it. */
export interface ReadableCheckout {
  dir: string;
  /** `scripts/procpath` of the copy. */
  procpath: string;
  /** Runs `procpath args…` from the copy as uid 65534 (setpriv), with no home. */
  asNobody(args: string[], options?: { cwd?: string }): Promise<Deno.CommandOutput>;
  remove(): Promise<void>;
}

/** The setpriv words that drop to uid and gid 65534 with no supplementary groups. */
export const NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

/**
 * Copies what procpath runs from into a directory every user can read: the test's
 * own checkout may sit in a private one (`mktemp -d` makes 0700 directories).
 */
export async function readableCheckout(): Promise<ReadableCheckout> {
  const dir = await Deno.makeTempDir({ prefix: "procpath-readable-" });
  Deno.chmodSync(dir, 0o755);
  for (const part of ["src", "scripts", "deno.json", "deno.lock", "node_modules"]) {
    await new Deno.Command("cp", { args: ["-r", repoPath(part), `${dir}/${part}`] }).output();
  }
  const denoDir = `${dir}/.deno/node_modules/@deno/linux-x64-glibc`;
  Deno.mkdirSync(denoDir, { recursive: true });
  Deno.copyFileSync(Deno.execPath(), `${denoDir}/deno`);
  Deno.chmodSync(`${denoDir}/deno`, 0o755);
  await new Deno.Command("chmod", { args: ["-R", "a+rX", dir] }).output();
  const procpath = `${dir}/scripts/procpath`;
  return {
    dir,
    procpath,
    asNobody: (args, options = {}) =>
      new Deno.Command(NOBODY[0], {
        args: [...NOBODY.slice(1), procpath, ...args],
        env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" },
        cwd: options.cwd ?? "/",
        stdout: "piped",
        stderr: "piped",
      }).output(),
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Runs `body` with a readable checkout (`readableCheckout`), removed in the end even when it throws. */
export async function withReadableCheckout<T>(
  body: (checkout: ReadableCheckout) => Promise<T>,
): Promise<T> {
  const checkout = await readableCheckout();
  try {
    return await body(checkout);
  } finally {
    await checkout.remove();
  }
}

/**
 * Makes the directory `name` in the checkout's, for what uid 65534 runs or writes:
 * `mode` 0o755 to read and run, 0o777 to write too (the chmod, since the umask trims
 * mkdir's). Returns its path.
 */
export function nobodyDir(checkout: ReadableCheckout, name: string, mode: number): string {
  const dir = `${checkout.dir}/${name}`;
  Deno.mkdirSync(dir);
  Deno.chmodSync(dir, mode);
  return dir;
}

/** `withReadableCheckout` with the directory `name` made in it for uid 65534 (`nobodyDir`). */
export function withNobodyDir<T>(
  name: string,
  mode: number,
  body: (checkout: ReadableCheckout, dir: string) => Promise<T>,
): Promise<T> {
  return withReadableCheckout((checkout) => body(checkout, nobodyDir(checkout, name, mode)));
}
