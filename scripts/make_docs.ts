/**
 * Writes the generated parts of the documentation: `docs/reference.md` (every command's
 * `--help`, from the command tables).
 *
 *   deno run -A scripts/make_docs.ts
 */
import { referenceDoc } from "../src/cli/reference_doc.ts";

const path = new URL("../docs/reference.md", import.meta.url).pathname;
Deno.writeTextFileSync(path, await referenceDoc());
console.log(`wrote ${path}`);
