import { ProcfsSyntaxError } from "./errors.ts";
import type { FieldValue, Int, Status } from "./types.ts";

type Kind = "text" | "int" | "octal" | "state" | "ints" | "kb" | "sigq" | "hex" | "hexes";

/** A status field: its converter and whether its absence empties the whole file. */
export interface StatusField {
  name: string;
  kind: Kind;
  required: boolean;
}

const f = (name: string, kind: Kind, required = false): StatusField => ({ name, kind, required });

/** Status fields in schema (kernel line) order, with their converters. */
export const STATUS_FIELDS: readonly StatusField[] = [
  f("name", "text", true),
  f("umask", "octal"),
  f("state", "state", true),
  f("tgid", "int", true),
  f("ngid", "int"),
  f("pid", "int", true),
  f("ppid", "int", true),
  f("tracerpid", "int", true),
  f("uid", "ints", true),
  f("gid", "ints", true),
  f("fdsize", "int", true),
  f("groups", "ints", true),
  f("nstgid", "ints"),
  f("nspid", "ints"),
  f("nspgid", "ints"),
  f("nssid", "ints"),
  f("vmpeak", "kb"),
  f("vmsize", "kb"),
  f("vmlck", "kb"),
  f("vmpin", "kb"),
  f("vmhwm", "kb"),
  f("vmrss", "kb"),
  f("rssanon", "kb"),
  f("rssfile", "kb"),
  f("rssshmem", "kb"),
  f("vmdata", "kb"),
  f("vmstk", "kb"),
  f("vmexe", "kb"),
  f("vmlib", "kb"),
  f("vmpte", "kb"),
  f("vmpmd", "kb"),
  f("vmswap", "kb"),
  f("hugetlbpages", "kb"),
  f("coredumping", "int"),
  f("threads", "int", true),
  f("sigq", "sigq", true),
  f("sigpnd", "hex", true),
  f("shdpnd", "hex", true),
  f("sigblk", "hex", true),
  f("sigign", "hex", true),
  f("sigcgt", "hex", true),
  f("capinh", "hex", true),
  f("capprm", "hex", true),
  f("capeff", "hex", true),
  f("capbnd", "hex"),
  f("capamb", "hex"),
  f("nonewprivs", "int"),
  f("seccomp", "int"),
  f("speculation_store_bypass", "text"),
  f("cpus_allowed", "hex"),
  f("cpus_allowed_list", "text"),
  f("mems_allowed", "hexes"),
  f("mems_allowed_list", "text"),
  f("voluntary_ctxt_switches", "int"),
  f("nonvoluntary_ctxt_switches", "int"),
];

const BY_NAME = new Map(STATUS_FIELDS.map((field) => [field.name, field]));

function int(token: string, radix = 10): Int {
  const text = token.trim();
  const valid = radix === 16 ? /^[0-9a-f]+$/ : radix === 8 ? /^[0-7]+$/ : /^[+-]?\d+$/;
  if (!valid.test(text)) throw new ProcfsSyntaxError(`Cannot parse status value "${token}"`);
  const value = radix === 10 ? Number(text) : parseInt(text, radix);
  if (Number.isSafeInteger(value)) return value;
  return radix === 16 ? BigInt("0x" + text) : BigInt(text);
}

function convert(kind: Kind, raw: string): FieldValue {
  switch (kind) {
    case "text":
      return raw.trim();
    case "int":
      return int(raw);
    case "octal":
      return int(raw, 8);
    case "hex":
      return int(raw, 16);
    case "state":
      return raw.trim().split(/\s+/)[0]!.toUpperCase();
    case "kb":
      return int(raw.trim().split(/\s+/)[0]!);
    case "ints":
      return raw.trim() === "" ? [] : raw.trim().split(/\s+/).map((t) => int(t));
    case "sigq":
      return raw.trim().split("/").map((t) => int(t));
    case "hexes":
      return raw.trim().split(",").map((t) => int(t, 16));
  }
}

/** Returns a status record whose every field is `null`: the value stored when the file fails. */
export function emptyStatus(): Status {
  const status: Status = {};
  for (const field of STATUS_FIELDS) status[field.name] = null;
  return status;
}

/**
 * Parses `/proc/<pid>/status`. `name` keeps its case (first line); the rest is
 * lower-cased as the reference does. Memory fields are kB, masks are integers
 * (bigint past 2^53), id lists are arrays. Unknown keys are ignored; a missing
 * required key throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStatus } from "./parse_status.ts";
 * const text = "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t9\nPid:\t9\nPPid:\t1\n" +
 *   "TracerPid:\t0\nUid:\t0 0 0 0\nGid:\t0 0 0 0\nFDSize:\t64\nGroups:\t\nVmRSS:\t  12 kB\n" +
 *   "Threads:\t1\nSigQ:\t0/7\nSigPnd:\t0\nShdPnd:\t0\nSigBlk:\t0\nSigIgn:\tffffffffffffffff\n" +
 *   "SigCgt:\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n";
 * const status = parseStatus(text);
 * assert(status.umask === 18 && status.vmrss === 12 && status.sigign === 18446744073709551615n);
 * ```
 */
export function parseStatus(text: string): Status {
  const status = emptyStatus();
  const firstBreak = text.indexOf("\n");
  const firstLine = firstBreak < 0 ? text : text.slice(0, firstBreak);
  const colon = firstLine.indexOf(":");
  if (colon < 0) throw new ProcfsSyntaxError("Cannot parse status: no name line");
  status.name = firstLine.slice(colon + 1).trim();
  const seen = new Set(["name"]);
  for (const line of text.slice(firstLine.length + 1).toLowerCase().split("\n")) {
    const at = line.indexOf(":");
    if (at < 0) continue;
    const field = BY_NAME.get(line.slice(0, at));
    if (field === undefined || field.name === "name") continue;
    status[field.name] = convert(field.kind, line.slice(at + 1));
    seen.add(field.name);
  }
  const missing = STATUS_FIELDS.filter((field) => field.required && !seen.has(field.name));
  if (missing.length > 0) {
    throw new ProcfsSyntaxError(`Cannot parse status: missing ${missing.map((m) => m.name)}`);
  }
  return status;
}
