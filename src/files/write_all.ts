/** Something bytes can be written to synchronously (a file, stdout). */
export interface Writable {
  writeSync(bytes: Uint8Array): number;
}

/** Writes every byte of `data` to `file` (a single write may take fewer); throws what the system says. */
export function writeAll(file: Writable, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
}

const encoder = new TextEncoder();
