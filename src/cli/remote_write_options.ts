import { option, OptionValueError } from "./spec.ts";

/** The record options that push to a remote-write receiver. */
export const REMOTE_WRITE_OPTIONS = {
  remoteWrite: option({
    flags: "--remote-write <url>",
    help: "also push the recorded selection's group metrics to this Prometheus remote-write URL",
    parse: (text: string) => {
      try {
        const url = new URL(text);
        if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
        return url.href;
      } catch {
        throw new OptionValueError("expected an http(s) URL");
      }
    },
    dryRun: { onlyWhenSet: true },
  }),
  remoteLabel: option({
    flags: "--remote-label <label>",
    help: "NAME=VALUE added to every pushed series (the CI job, the host); repeatable",
    parse: (text: string, previous: [string, string][]) => {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
      if (!match || match[1]!.startsWith("__")) throw new OptionValueError("expected NAME=VALUE");
      return [...previous, [match[1], match[2]] as [string, string]];
    },
    default: [] as [string, string][],
    repeatable: true,
    dryRun: { onlyWhenSet: true, value: (labels) => labels.length > 0 ? labels : null },
  }),
  remoteGroup: option({
    flags: "--remote-group <name>",
    help: "the group label of the pushed series",
    parse: (text: string) => text,
    default: "record",
    dryRun: { onlyWhenSet: true },
  }),
};
