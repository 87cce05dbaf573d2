/**
 * Function names for instruction pointers: a process's mappings (`/proc/PID/maps`) give
 * the file and its offset, the file's ELF symbol tables (`.symtab`, else `.dynsym`) the
 * function. Parsing is pure; reading the files is `readElfSymbols`.
 *
 * @module
 */

/** One file-backed executable mapping of `maps`. */
export interface Mapping {
  start: bigint;
  end: bigint;
  /** The file offset the mapping starts at. */
  offset: bigint;
  path: string;
}

/**
 * Parses `/proc/PID/maps`, keeping executable mappings of files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMaps } from "./elf_symbols.ts";
 * const [m] = parseMaps("55d0a000-55d0b000 r-xp 00001000 fd:01 42  /usr/bin/app\n" +
 *   "7ffd0000-7ffd1000 rw-p 00000000 00:00 0  [stack]\n");
 * assert.deepEqual(m, { start: 0x55d0a000n, end: 0x55d0b000n, offset: 0x1000n, path: "/usr/bin/app" });
 * ```
 */
export function parseMaps(text: string): Mapping[] {
  const found: Mapping[] = [];
  for (const line of text.split("\n")) {
    const match = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ \d+\s+(\/.*)$/.exec(line);
    if (!match || match[3]![2] !== "x") continue;
    found.push({
      start: BigInt(`0x${match[1]}`),
      end: BigInt(`0x${match[2]}`),
      offset: BigInt(`0x${match[4]}`),
      path: match[5]!.replace(/ \(deleted\)$/, ""),
    });
  }
  return found;
}

/** A file's functions, by the virtual addresses of its ELF image. */
export interface SymbolTable {
  /** Function start addresses, ascending, with their sizes and names (same index). */
  starts: bigint[];
  sizes: bigint[];
  names: string[];
  /** Loadable segments: file offset → virtual address. */
  segments: { offset: bigint; vaddr: bigint; size: bigint }[];
}

const STT_FUNC = 2;
const SHT_SYMTAB = 2, SHT_DYNSYM = 11;
const PT_LOAD = 1;

/**
 * Parses a 64-bit little-endian ELF file's function symbols (`.symtab`, else `.dynsym`)
 * and loadable segments; `null` for anything else.
 */
export function parseElfSymbols(bytes: Uint8Array): SymbolTable | null {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[4] !== 2) return null;
  if (bytes[5] !== 1) return null; // big-endian: not on the architectures procpath runs on
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => view.getBigUint64(at, true);
  const phoff = Number(u64(32)), shoff = Number(u64(40));
  const phentsize = u16(54), phnum = u16(56), shentsize = u16(58), shnum = u16(60);
  const segments: SymbolTable["segments"] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 56 > bytes.length) break;
    if (u32(at) !== PT_LOAD) continue;
    segments.push({ offset: u64(at + 8), vaddr: u64(at + 16), size: u64(at + 32) });
  }
  const sections: { type: number; offset: number; size: number; link: number; entsize: number }[] =
    [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    if (at + 64 > bytes.length) break;
    sections.push({
      type: u32(at + 4),
      offset: Number(u64(at + 24)),
      size: Number(u64(at + 32)),
      link: u32(at + 40),
      entsize: Number(u64(at + 56)),
    });
  }
  const table = sections.find((s) => s.type === SHT_SYMTAB) ??
    sections.find((s) => s.type === SHT_DYNSYM);
  const strings = table ? sections[table.link] : undefined;
  if (!table || !strings || table.entsize < 24) {
    return { starts: [], sizes: [], names: [], segments };
  }
  const decoder = new TextDecoder();
  const symbols: { start: bigint; size: bigint; name: string }[] = [];
  for (
    let at = table.offset;
    at + 24 <= Math.min(bytes.length, table.offset + table.size);
    at += table.entsize
  ) {
    if ((bytes[at + 4]! & 0xf) !== STT_FUNC) continue;
    const value = u64(at + 8);
    if (value === 0n) continue;
    const nameAt = strings.offset + u32(at);
    let end = nameAt;
    while (end < bytes.length && bytes[end] !== 0) end++;
    symbols.push({
      start: value,
      size: u64(at + 16),
      name: decoder.decode(bytes.subarray(nameAt, end)),
    });
  }
  symbols.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return {
    starts: symbols.map((s) => s.start),
    sizes: symbols.map((s) => s.size),
    names: symbols.map((s) => s.name),
    segments,
  };
}

/** The function at file offset `offset` of `table`'s file, or `null`. */
export function symbolAt(table: SymbolTable, offset: bigint): string | null {
  const segment = table.segments.find((s) => offset >= s.offset && offset < s.offset + s.size);
  const address = segment ? offset - segment.offset + segment.vaddr : offset;
  let low = 0, high = table.starts.length - 1, found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (table.starts[mid]! <= address) [found, low] = [mid, mid + 1];
    else high = mid - 1;
  }
  if (found < 0) return null;
  const size = table.sizes[found]!;
  // a symbol with no size covers up to the next one
  return size === 0n || address < table.starts[found]! + size ? table.names[found]! : null;
}

/** Function names for the instruction pointers of one process, with the files cached. */
export class Symbolizer {
  #tables = new Map<string, SymbolTable | null>();

  /** Reads and parses `path` once (`null` when unreadable or not ELF). */
  table(path: string): SymbolTable | null {
    if (!this.#tables.has(path)) {
      let parsed: SymbolTable | null = null;
      try {
        parsed = parseElfSymbols(Deno.readFileSync(path));
      } catch { /* gone or not ours */ }
      this.#tables.set(path, parsed);
    }
    return this.#tables.get(path)!;
  }

  /** `function (file)` for `ip` among `maps`, or the file and offset where no symbol says. */
  name(ip: bigint, maps: readonly Mapping[]): string {
    const mapping = maps.find((m) => ip >= m.start && ip < m.end);
    if (!mapping) return `[unknown 0x${ip.toString(16)}]`;
    const offset = ip - mapping.start + mapping.offset;
    const file = mapping.path.replace(/^.*\//, "");
    const table = this.table(mapping.path);
    const symbol = table ? symbolAt(table, offset) : null;
    return symbol ? `${symbol} (${file})` : `${file}+0x${offset.toString(16)}`;
  }
}

/** A function and its share of a thread's samples. */
export interface HotFunction {
  name: string;
  samples: number;
  /** Share of the thread's samples, %. */
  percent: number;
}

/**
 * The `limit` most sampled functions among `names` (one per sample), most first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rankFunctions } from "./elf_symbols.ts";
 * assert.deepEqual(rankFunctions(["a", "b", "a", "a"], 1), [{ name: "a", samples: 3, percent: 75 }]);
 * ```
 */
export function rankFunctions(names: readonly string[], limit = 5): HotFunction[] {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, limit)
    .map(([name, samples]) => ({ name, samples, percent: 100 * samples / names.length }));
}
