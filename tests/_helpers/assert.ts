import assert from "node:assert/strict";

function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** Deep strict equality; objects without a prototype (SQLite rows) compare as plain objects. */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(plain(actual), plain(expected), message);
}

/** Asserts that `fn` throws an error of the class, or whose message matches the pattern. */
export function assertThrows(
  fn: () => unknown,
  expected: RegExp | (new (...args: never[]) => Error),
  message?: string,
): void {
  assert.throws(fn, expected as RegExp, message);
}

/** Asserts that `fn`'s promise rejects with an error of the class, or whose message matches. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  expected: RegExp | (new (...args: never[]) => Error),
  message?: string,
): Promise<void> {
  await assert.rejects(fn, expected as RegExp, message);
}

/** Asserts that `text` contains `part`. */
export function assertIncludes(text: string, part: string): void {
  assert.ok(
    text.includes(part),
    `expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`,
  );
}
