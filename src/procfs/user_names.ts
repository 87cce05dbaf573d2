/** Parses `/etc/passwd`: user names by uid (the first name of a uid wins). */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split("\n")) {
    const [name, , uid] = line.split(":");
    if (name && uid !== undefined && /^\d+$/.test(uid) && !names.has(Number(uid))) {
      names.set(Number(uid), name);
    }
  }
  return names;
}

/**
 * User names by uid from this machine's `/etc/passwd`; empty where it cannot be read.
 * Only for the live procfs: a captured tree's uids belong to another machine.
 */
export function readUserNames(): Map<number, string> {
  try {
    return parsePasswd(Deno.readTextFileSync("/etc/passwd"));
  } catch {
    return new Map();
  }
}
