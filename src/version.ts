/** procpath's own version (the `version` of deno.json; a test keeps the two equal). */
export const VERSION = "0.8.0";

/** The version of the Python Procpath whose command lines, dialect and schema procpath follows. */
export const REFERENCE_VERSION = "1.14.0";
