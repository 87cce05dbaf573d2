import { EXIT } from "../exit_codes.ts";
import { completionScript, SHELLS } from "./completion.ts";
import { manPage } from "./man_page.ts";
import type { Shell } from "./completion.ts";
import { parseChoice } from "./options.ts";
import { defineCommand } from "./spec.ts";

/** `procpath completion SHELL`: the completion script, generated from the command tables. */
export const completionCommand = defineCommand({
  name: "completion",
  summary: "Print the completion script of a shell (bash, zsh or fish).",
  args: [{ name: "shell", help: SHELLS.join(", "), required: true }],
  options: {},
  examples: [
    "procpath completion bash > ~/.local/share/bash-completion/completions/procpath",
    "procpath completion fish > ~/.config/fish/completions/procpath.fish",
  ],
  run([shell], _options, { deps, commands }) {
    const name = parseChoice(SHELLS)(shell as string) as Shell;
    deps.writeOut(completionScript(commands, name));
    return EXIT.ok;
  },
});

/** `procpath man`: procpath(1), generated from the command tables. */
export const manCommand = defineCommand({
  name: "man",
  summary: "Print procpath's manual page (roff), e.g. | man -l -",
  args: [],
  options: {},
  examples: ["procpath man | man -l -"],
  run(_args, _options, { deps, commands }) {
    deps.writeOut(manPage(commands));
    return EXIT.ok;
  },
});
