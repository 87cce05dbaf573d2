export { parseIni, PlaybookSyntaxError, splitMultiline } from "./parse_ini.ts";
export type { Ini } from "./parse_ini.ts";
export { commandOf, linearize, matchSections, PLAYABLE, sectionArgv } from "./playbook.ts";
export type { CommandSpec, Playable } from "./playbook.ts";
