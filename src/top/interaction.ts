/**
 * What a person does in the live view and the replay, apart from the terminal: a cursor
 * that follows its process across refreshes, scrolling, incremental search (`/`, `n`,
 * `N`), a filter (`\`), one user's processes (`u`), hiding kernel and user threads (`K`,
 * `H`), folding subtrees (`-`, `+`, `*`), sorting by any column (`<`, `>`, `I`, F6,
 * P/M/T), choosing columns (`C`), pausing (`Z`), the help screen (`h`, `?`), and — live
 * only — tagging (space, `c`, `U`), a signal menu (`k`, for the tagged processes or the
 * cursor's) and renice (`[`, `]`). Keys follow htop's; `KEY_HELP` is the one list of them
 * that the help screen and the man page print. No I/O: keys come in, frames and effects
 * (send a signal, renice) go out.
 *
 * @module
 */
import { cutLine } from "../view/render.ts";
import {
  cellsWidth,
  COLUMN_NAMES,
  headerLine,
  orderRows,
  parentPids,
  rowText,
  SORT_KEYS,
  sortMarker,
  TOP_COLUMNS,
} from "./render.ts";
import type { TopColumn, TopSort, VisibleRow } from "./render.ts";
import type { ProcessRates } from "../model/rates.ts";
import { showsUser } from "./owners.ts";
import type { OwnerLookup } from "./owners.ts";

/** The signals the kill menu offers, most used first (SIGTERM preselected). */
export const SIGNAL_MENU: readonly { number: number; name: Deno.Signal }[] = [
  { number: 15, name: "SIGTERM" },
  { number: 9, name: "SIGKILL" },
  { number: 1, name: "SIGHUP" },
  { number: 2, name: "SIGINT" },
  { number: 3, name: "SIGQUIT" },
  { number: 19, name: "SIGSTOP" },
  { number: 18, name: "SIGCONT" },
  { number: 10, name: "SIGUSR1" },
  { number: 12, name: "SIGUSR2" },
];

/** What the view is doing besides showing rows. */
export type Mode =
  | { kind: "browse" }
  | { kind: "search"; text: string }
  | { kind: "filter"; text: string }
  | { kind: "help" }
  /** The signal menu for `pids` (the tagged processes, or the cursor's). */
  | { kind: "kill"; pids: readonly number[]; command: string; choice: number }
  | { kind: "setup"; choice: number }
  /** F6: the sort menu. */
  | { kind: "sort"; choice: number }
  /** u: the user menu (`users[0]` is every user). */
  | { kind: "user"; users: readonly string[]; choice: number };

/** What the program must do after a key. */
export type Effect =
  | { kind: "quit" }
  | { kind: "redraw" }
  | { kind: "ignore" }
  /** Send `signal` to each of `pids` (the outcome goes to the status row). */
  | { kind: "signal"; pids: readonly number[]; signal: Deno.Signal }
  | { kind: "renice"; pid: number; nice: number }
  /** The columns changed: the procfiles read may have to change too. */
  | { kind: "columns"; columns: readonly TopColumn[] };

/** Where the view starts. */
export interface InteractionStart {
  tree: boolean;
  sort: TopSort;
  columns: readonly TopColumn[];
  ascii?: boolean | undefined;
  /** Whether `k` and renice act (live); a replay has no processes to signal. */
  signals: boolean;
}

/** One frame's parts besides the rows, given by the live view or the replay. */
export interface FrameParts {
  /** What the source is and does (time, counts, CPU); markers are put before it. */
  status: string;
  /** The thread target: each row's process ID (the tree nests threads under it). */
  processOf?: ReadonlyMap<number, number> | null | undefined;
  /** Machine lines under the status (uptime, memory, CPUs); none in a replay. */
  header: readonly string[];
  /**
   * Looks up USER for rows the source left without one (live: a `stat` each), asked only
   * for the rows that show or use it; absent where every row carries its user (a replay).
   */
  owners?: OwnerLookup | undefined;
}

/**
 * A frame line; `reverse` draws it in reverse video (the cursor row, the chosen item),
 * `tagged` in bold yellow (a tagged process, as htop draws one).
 */
export interface FrameLine {
  text: string;
  reverse?: boolean;
  tagged?: boolean;
}

const KEYS = {
  up: ["\x1b[A", "\x1bOA"],
  down: ["\x1b[B", "\x1bOB"],
  pageUp: ["\x1b[5~"],
  pageDown: ["\x1b[6~"],
  home: ["\x1b[H", "\x1b[1~", "\x1bOH"],
  end: ["\x1b[F", "\x1b[4~", "\x1bOF"],
  enter: ["\r", "\n"],
  escape: ["\x1b"],
  backspace: ["\x7f", "\b"],
  help: ["h", "?", "\x1bOP"],
  search: ["/", "\x1bOR"],
  filter: ["\\", "\x1bOS"],
  tree: ["t", "\x1b[15~"],
  sortMenu: ["\x1b[17~"],
  kill: ["k", "\x1b[20~"],
  quit: ["q", "Q", "\x03", "\x1b[21~"],
  setup: ["C", "\x1bOQ"],
  /** htop: ] and F7 raise the priority (nice − 1), [ and F8 lower it. */
  niceDown: ["]", "\x1b[18~"],
  niceUp: ["[", "\x1b[19~"],
} as const;

/** What the sort menu offers: every column, COMMAND last. */
const SORT_NAMES: readonly string[] = [...COLUMN_NAMES, "command"];

const is = (key: string, name: keyof typeof KEYS) =>
  (KEYS[name] as readonly string[]).includes(key);

/** One row of the key table: the keys, what they do, and where they work. */
export interface KeyHelp {
  keys: string;
  does: string;
  /** Only in the live view (acts on processes) or only in a replay (moves in time). */
  only?: "live" | "replay";
}

/**
 * Every key of the live view and the replay, in the order the help screen lists them:
 * the help screen (`h`) and `procpath man` print this table, so neither can drift.
 */
export const KEY_HELP: readonly KeyHelp[] = [
  { keys: "↑ ↓ PgUp PgDn Home End", does: "move the cursor (the view scrolls with it)" },
  { keys: "→ ←  . ,", does: "the next or previous sample (pauses)", only: "replay" },
  { keys: "] [", does: "a minute later or earlier", only: "replay" },
  { keys: "g G", does: "the first or the last sample", only: "replay" },
  { keys: "/  F3", does: "search command lines as you type; n, N next and previous match" },
  { keys: "\\  F4", does: "filter: only processes whose command line holds the text; Esc clears" },
  { keys: "u", does: "only one user's processes: a menu of the users shown" },
  { keys: "K  H", does: "hide or show kernel threads; user threads (--procfs-target thread)" },
  { keys: "t  F5", does: "tree or table" },
  { keys: "-  +  *", does: "fold or unfold the cursor's subtree, or every subtree (tree view)" },
  { keys: "F6", does: "sort by: a menu of the columns" },
  { keys: "P M T", does: "sort by CPU%, memory (RES) or TIME+; m and p by memory and PID" },
  { keys: "< >  I", does: "sort by the column left or right; I the other way" },
  { keys: "C  F2", does: "choose the columns" },
  { keys: "space", does: "tag or untag the cursor's process (and move down)", only: "live" },
  { keys: "c", does: "tag the cursor's process and everything below it", only: "live" },
  { keys: "U", does: "untag every process", only: "live" },
  {
    keys: "k  F9",
    does: "signal the tagged processes, or the cursor's: a menu, Enter sends",
    only: "live",
  },
  {
    keys: "]  F7",
    does: "renice the cursor's process up (nice − 1); [  F8 down (nice + 1)",
    only: "live",
  },
  { keys: "Z", does: "pause or resume the refresh (the replay: playing)" },
  { keys: "h  ?  F1", does: "this screen" },
  { keys: "q  F10", does: "quit" },
];

/** The help screen's lines: the keys that work where the view runs (live or a replay). */
export function helpLines(live: boolean): string[] {
  const rows = KEY_HELP.filter((k) =>
    k.only === undefined || k.only === (live ? "live" : "replay")
  );
  return [
    `procpath top${live ? "" : " --recording"} — keys (any key closes this screen)`,
    "",
    ...rows.map((k) => `  ${k.keys.padEnd(22)} ${k.does}`),
  ];
}

/**
 * The state of one interactive view and its answers to keys. `frame` lays out a frame
 * for the rates and terminal size it is given and remembers the rows, so that keys act
 * on what the person sees.
 */
export class Interaction {
  tree: boolean;
  sort: TopSort;
  invert = false;
  columns: readonly TopColumn[];
  paused = false;
  filter = "";
  search = "";
  mode: Mode = { kind: "browse" };
  /** `u`: only this user's processes; null for every user. */
  user: string | null = null;
  /** `K`: kernel threads left out. */
  hideKernel = false;
  /** `H`: threads other than each process's main one left out (the thread target). */
  hideThreads = false;
  /** Tagged processes (space, `c`): what `k` signals. */
  readonly tagged = new Set<number>();
  /** One line for the status row (a refused kill, no match); cleared by the next key. */
  message: string | null = null;
  readonly collapsed = new Set<number>();
  #cursorPid: number | null = null;
  #cursorIndex = 0;
  #scroll = 0;
  #rows: VisibleRow[] = [];
  #processOf: ReadonlyMap<number, number> | null = null;
  #bodyHeight = 10;
  /** Whether the text typed in the search matches nothing. */
  #searchMisses = false;
  /** The last frame's processes, before `u`, `K` and `H`: whose users `u` offers. */
  #all: readonly ProcessRates[] = [];
  /** The last frame's USER lookup. */
  #owners: OwnerLookup | null = null;
  /** Nice values set since the last sample showed them: a second key press steps on from there. */
  readonly #niceSet = new Map<number, number>();

  constructor(readonly start: InteractionStart) {
    this.tree = start.tree;
    this.sort = start.sort;
    this.columns = start.columns;
  }

  /** The PID under the cursor, if any row is shown. */
  get cursorPid(): number | null {
    return this.#cursorPid;
  }

  /** Records a renice that took effect, until a sample shows it. */
  reniced(pid: number, nice: number): void {
    this.#niceSet.set(pid, nice);
  }

  /** Markers that must stay visible, for the front of the status line. */
  markers(): string[] {
    const sorted = this.sort === "command" || this.columns.some((c) => c.name === this.sort);
    return [
      this.paused ? "PAUSED" : "",
      this.user !== null ? `USER "${this.user}"` : "",
      this.filter !== "" ? `FILTER "${this.filter}"` : "",
      this.tagged.size > 0 ? `${this.tagged.size} TAGGED` : "",
      this.hideKernel ? "NO KERNEL THREADS" : "",
      this.hideThreads ? "NO USER THREADS" : "",
      // a sort by a column not shown says so: its header cannot carry the marker
      sorted
        ? ""
        : `SORT ${TOP_COLUMNS[this.sort]?.header ?? this.sort}${
          sortMarker(this.sort, this.invert, this.start.ascii)
        }`,
    ].filter(Boolean);
  }

  /** The users of the last frame's processes, sorted: what `u` offers. */
  #users(): string[] {
    this.#owners?.(this.#all);
    const users = new Set<string>();
    for (const r of this.#all) if (r.user) users.add(r.user);
    return [...users].sort();
  }

  /** The rates the frame shows: `u`, `K` and `H` leave some out. */
  #shownRates(rates: readonly ProcessRates[]): readonly ProcessRates[] {
    if (this.user === null && !this.hideKernel && !this.hideThreads) return rates;
    const processOf = this.#processOf;
    return rates.filter((r) =>
      (this.user === null || r.user === this.user) &&
      !(this.hideKernel && (r.kernel || r.pid === 2 || r.ppid === 2)) &&
      !(this.hideThreads && processOf !== null && (processOf.get(r.pid) ?? r.pid) !== r.pid)
    );
  }

  /** Lays out a frame `width`×`height` (rows already ordered for the current state). */
  frame(rates: readonly ProcessRates[], parts: FrameParts, width: number, height: number) {
    this.#processOf = parts.processOf ?? null;
    const all = rates;
    this.#all = all;
    this.#owners = parts.owners ?? null;
    // every row's user where the rows are chosen or ordered by it; else (below) only
    // the rows on screen, and only while USER shows
    if (this.user !== null || this.sort === "user") this.#owners?.(all);
    rates = this.#shownRates(rates);
    const rows = orderRows(rates, {
      processOf: this.#processOf,
      tree: this.tree,
      sort: this.sort,
      invert: this.invert,
      ascii: this.start.ascii,
      collapsed: this.collapsed,
      filter: this.filter,
    });
    this.#rows = rows;
    if (this.#niceSet.size > 0) {
      for (const r of rates) if (this.#niceSet.get(r.pid) === r.nice) this.#niceSet.delete(r.pid);
    }
    // a tagged process that ended is no longer tagged
    if (this.tagged.size > 0) {
      const alive = new Set(all.map((r) => r.pid));
      for (const pid of this.tagged) if (!alive.has(pid)) this.tagged.delete(pid);
    }
    const status = [...this.markers(), parts.status].join("  ");
    // the machine lines give way first on a short terminal: rows matter more
    const header = height >= 16 ? parts.header : height >= 10 ? parts.header.slice(0, 1) : [];
    const top: FrameLine[] = [
      { text: status },
      ...header.map((text) => ({ text })),
      {
        text: headerLine(this.columns, {
          by: this.sort,
          invert: this.invert,
          ascii: this.start.ascii,
        }),
      },
    ];
    const body = Math.max(1, height - top.length - 1);
    this.#bodyHeight = body;
    this.#place(rows, body);
    // a deep tree keeps 24 characters of each command in view
    const maxPrefix = Math.max(6, width - cellsWidth(this.columns) - 24);
    const onScreen = rows.slice(this.#scroll, this.#scroll + body);
    if (showsUser(this.columns)) this.#owners?.(onScreen.map((row) => row.rates));
    const shown = this.#overlay(width, body) ?? onScreen
      .map((row, i): FrameLine => ({
        text: cutLine(rowText(row, this.columns, maxPrefix), width),
        reverse: this.#scroll + i === this.#cursorIndex,
        ...(this.tagged.has(row.rates.pid) ? { tagged: true } : {}),
      }));
    const lines = [...top, ...shown];
    while (lines.length < height - 1) lines.push({ text: "" });
    lines.push({ text: this.#bottomLine(rows.length, body) });
    return lines;
  }

  /** Keeps the cursor on its process (or its place, when that process went) and in view. */
  #place(rows: readonly VisibleRow[], body: number): void {
    const found = this.#cursorPid === null
      ? -1
      : rows.findIndex((row) => row.rates.pid === this.#cursorPid);
    this.#moveTo(found >= 0 ? found : this.#cursorIndex, rows);
    if (this.#cursorIndex < this.#scroll) this.#scroll = this.#cursorIndex;
    if (this.#cursorIndex >= this.#scroll + body) this.#scroll = this.#cursorIndex - body + 1;
    this.#scroll = Math.max(0, Math.min(this.#scroll, rows.length - body));
  }

  #moveTo(index: number, rows: readonly VisibleRow[] = this.#rows): void {
    this.#cursorIndex = Math.max(0, Math.min(index, rows.length - 1));
    this.#cursorPid = rows[this.#cursorIndex]?.rates.pid ?? null;
  }

  /** The last line: what a key said, the input being typed, or the scroll marks and keys. */
  #bottomLine(total: number, body: number): string {
    if (this.mode.kind === "search") {
      // htop's feedback while typing: the text that finds nothing says so at once
      const miss = this.#searchMisses ? "  no match" : "";
      return `search: ${this.mode.text}▏${miss}  Enter keep  Esc close`;
    }
    if (this.mode.kind === "filter") return `filter: ${this.mode.text}▏  Enter keep  Esc clear`;
    if (this.message !== null) return this.message;
    const above = this.#scroll, below = Math.max(0, total - this.#scroll - body);
    const marks = [
      above > 0 ? `${above} more above` : "",
      below > 0 ? `${below} more below` : "",
    ].filter(Boolean).join(", ");
    const keys = this.start.signals
      ? "h help  / search  \\ filter  k kill  t tree  F6 sort  q quit"
      : "h help  / search  \\ filter  t tree  F6 sort  q quit";
    return marks === "" ? keys : `${marks}  ${keys}`;
  }

  /** The help screen, the kill menu or the column setup in place of the rows. */
  #overlay(width: number, body: number): FrameLine[] | null {
    const mode = this.mode;
    if (mode.kind === "help") {
      return helpLines(this.start.signals).slice(0, body)
        .map((text) => ({ text: cutLine(text, width) }));
    }
    if (mode.kind === "kill") {
      const lines: FrameLine[] = [
        { text: cutLine(`Send a signal to ${mode.command}`, width) },
        { text: "↑/↓ choose  Enter send  Esc cancel" },
        ...SIGNAL_MENU.map((s, i) => ({
          text: `  ${String(s.number).padStart(2)} ${s.name}`,
          reverse: i === mode.choice,
        })),
      ];
      return lines.slice(0, body);
    }
    if (mode.kind === "setup") {
      const chosen = new Set(this.columns.map((c) => c.name));
      const lines: FrameLine[] = [
        { text: "Columns: ↑/↓ choose  space show or hide  Enter or Esc done" },
        ...COLUMN_NAMES.map((name, i) => ({
          text: `  [${chosen.has(name) ? "x" : " "}] ${name.padEnd(7)} ${
            TOP_COLUMNS[name]!.header
          }`,
          reverse: i === mode.choice,
        })),
      ];
      const start = Math.max(0, Math.min(mode.choice + 1 - (body - 1), lines.length - body));
      return [lines[0]!, ...lines.slice(1 + start, start + body)];
    }
    if (mode.kind === "sort" || mode.kind === "user") {
      const items = mode.kind === "sort"
        ? SORT_NAMES.map((name) => `${name.padEnd(8)} ${TOP_COLUMNS[name]!.header}`)
        : mode.users.map((user, i) => i === 0 ? "all users" : user);
      const title = mode.kind === "sort"
        ? "Sort by: ↑/↓ choose  Enter sort  Esc cancel"
        : "Show the processes of: ↑/↓ choose  Enter show  Esc cancel";
      const lines: FrameLine[] = items.map((text, i) => ({
        text: `  ${text}`,
        reverse: i === mode.choice,
      }));
      const start = Math.max(0, Math.min(mode.choice + 1 - (body - 1), lines.length - body + 1));
      return [{ text: title }, ...lines.slice(start, start + body - 1)];
    }
    return null;
  }

  /** Answers one key. */
  key(key: string): Effect {
    const mode = this.mode;
    this.message = null;
    if (mode.kind === "help") {
      this.mode = { kind: "browse" };
      return { kind: "redraw" };
    }
    if (mode.kind === "search" || mode.kind === "filter") return this.#typing(mode, key);
    if (mode.kind === "kill") return this.#killMenu(mode, key);
    if (mode.kind === "setup") return this.#setup(mode, key);
    if (mode.kind === "sort" || mode.kind === "user") return this.#menu(mode, key);
    return this.#browse(key);
  }

  #browse(key: string): Effect {
    const rows = this.#rows, page = Math.max(1, this.#bodyHeight - 1);
    if (is(key, "quit")) return { kind: "quit" };
    if (is(key, "up")) this.#moveTo(this.#cursorIndex - 1);
    else if (is(key, "down")) this.#moveTo(this.#cursorIndex + 1);
    else if (is(key, "pageUp")) this.#moveBy(-page);
    else if (is(key, "pageDown")) this.#moveBy(page);
    else if (is(key, "home")) this.#moveTo(0);
    else if (is(key, "end")) this.#moveTo(rows.length - 1);
    else if (is(key, "help")) this.mode = { kind: "help" };
    else if (is(key, "search")) this.mode = { kind: "search", text: "" };
    else if (is(key, "filter")) this.mode = { kind: "filter", text: this.filter };
    else if (key === "n" || key === "N") this.#findNext(key === "n" ? 1 : -1);
    else if (is(key, "tree")) this.tree = !this.tree;
    else if (key === "Z" || (key === " " && !this.start.signals)) this.paused = !this.paused;
    else if (key === " " && this.start.signals) this.#tag(false);
    else if (key === "c" && this.start.signals) this.#tag(true);
    else if (key === "U" && this.start.signals) this.tagged.clear();
    else if (key === "K") this.hideKernel = !this.hideKernel;
    else if (key === "H") {
      if (this.#processOf === null) return this.#say("H hides threads of --procfs-target thread");
      this.hideThreads = !this.hideThreads;
    } else if (key === "u") {
      const users = this.#users();
      const at = this.user === null ? 0 : users.indexOf(this.user) + 1;
      this.mode = { kind: "user", users: ["", ...users], choice: Math.max(0, at) };
    } else if (is(key, "sortMenu")) {
      this.mode = { kind: "sort", choice: Math.max(0, SORT_NAMES.indexOf(this.sort)) };
    } else if (key === "-" || key === "+" || key === "=") this.#fold(key === "-");
    else if (key === "*") this.#foldAll();
    else if (key === "<" || key === ">") this.#sortNext(key === ">" ? 1 : -1);
    else if (key === "I") {
      this.invert = !this.invert;
      this.#toTop();
    } else if (SORT_KEYS[key]) this.#sortBy(SORT_KEYS[key]);
    else if (is(key, "setup")) this.mode = { kind: "setup", choice: 0 };
    else if (is(key, "kill") && this.start.signals) {
      const row = rows[this.#cursorIndex];
      if (this.tagged.size > 0) {
        const pids = [...this.tagged].sort((a, b) => a - b);
        const command = `${pids.length} tagged process${pids.length > 1 ? "es" : ""} ` +
          `(${pids.join(", ")})`;
        this.mode = { kind: "kill", pids, command, choice: 0 };
      } else if (!row) return this.#say("no process under the cursor");
      else {
        const command = `${row.rates.pid} (${row.rates.command})`;
        this.mode = { kind: "kill", pids: [row.rates.pid], command, choice: 0 };
      }
    } else if ((is(key, "niceDown") || is(key, "niceUp")) && this.start.signals) {
      const row = rows[this.#cursorIndex];
      if (!row) return this.#say("no process under the cursor");
      const now = this.#niceSet.get(row.rates.pid) ?? row.rates.nice;
      const nice = Math.max(-20, Math.min(19, now + (is(key, "niceUp") ? 1 : -1)));
      return { kind: "renice", pid: row.rates.pid, nice };
    } else return { kind: "ignore" };
    return { kind: "redraw" };
  }

  /** Tags or untags the cursor's process (with everything below it: `c`), then moves down. */
  #tag(withChildren: boolean): void {
    const row = this.#rows[this.#cursorIndex];
    if (!row) return;
    const pid = row.rates.pid;
    if (!withChildren) {
      if (this.tagged.has(pid)) this.tagged.delete(pid);
      else this.tagged.add(pid);
      this.#moveTo(this.#cursorIndex + 1);
      return;
    }
    // everything below it, from the parent links of the rows (the table has no branches)
    const below = new Map<number, number[]>();
    for (const r of this.#rows) {
      const list = below.get(r.rates.ppid);
      if (list) list.push(r.rates.pid);
      else below.set(r.rates.ppid, [r.rates.pid]);
    }
    const pending = [pid];
    while (pending.length > 0) {
      const next = pending.pop()!;
      this.tagged.add(next);
      pending.push(...(below.get(next) ?? []).filter((p) => !this.tagged.has(p)));
    }
  }

  /** A new order starts at its top, as htop's does. */
  #toTop(): void {
    this.#cursorIndex = 0;
    this.#cursorPid = null;
    this.#scroll = 0;
  }

  #sortBy(sort: TopSort): void {
    this.sort = sort;
    this.invert = false;
    this.#toTop();
  }

  #menu(mode: Extract<Mode, { kind: "sort" | "user" }>, key: string): Effect {
    const count = mode.kind === "sort" ? SORT_NAMES.length : mode.users.length;
    if (is(key, "escape") || key === "q") {
      this.mode = { kind: "browse" };
      return { kind: "redraw" };
    }
    if (is(key, "up") || is(key, "down")) {
      const choice = (mode.choice + (is(key, "up") ? -1 : 1) + count) % count;
      this.mode = { ...mode, choice };
      return { kind: "redraw" };
    }
    if (is(key, "enter")) {
      this.mode = { kind: "browse" };
      if (mode.kind === "sort") this.#sortBy(SORT_NAMES[mode.choice]!);
      else {
        this.user = mode.choice === 0 ? null : mode.users[mode.choice]!;
        this.#toTop();
      }
      return { kind: "redraw" };
    }
    return { kind: "ignore" };
  }

  #moveBy(delta: number): void {
    this.#moveTo(this.#cursorIndex + delta);
    // a page key moves the view with the cursor, as a pager does
    this.#scroll = Math.max(0, this.#scroll + delta);
  }

  #say(message: string): Effect {
    this.message = message;
    return { kind: "redraw" };
  }

  #typing(mode: { kind: "search" | "filter"; text: string }, key: string): Effect {
    if (is(key, "enter")) {
      this.mode = { kind: "browse" };
      return { kind: "redraw" };
    }
    if (is(key, "escape")) {
      if (mode.kind === "filter") this.filter = "";
      this.mode = { kind: "browse" };
      return { kind: "redraw" };
    }
    let text = mode.text;
    this.#searchMisses = false;
    if (is(key, "backspace")) text = text.slice(0, -1);
    else if (key.length === 1 && key >= " ") text += key;
    else return { kind: "ignore" };
    this.mode = { kind: mode.kind, text };
    if (mode.kind === "filter") this.filter = text;
    else {
      this.search = text;
      this.#findNext(0);
    }
    return { kind: "redraw" };
  }

  /** Moves to the next row (`step` 1), the previous (−1) or this one on (0) that matches the search. */
  #findNext(step: 1 | -1 | 0): void {
    const needle = this.search.toLowerCase(), rows = this.#rows;
    if (needle === "") return;
    for (let n = 0; n < rows.length; n++) {
      const offset = step === 0 ? n : step * (n + 1);
      const i = ((this.#cursorIndex + offset) % rows.length + rows.length) % rows.length;
      if (rows[i]!.rates.command.toLowerCase().includes(needle)) {
        this.#moveTo(i);
        return;
      }
    }
    this.#searchMisses = true;
    this.message = `no process matches "${this.search}"`;
  }

  #fold(collapse: boolean): void {
    if (!this.tree) {
      this.message = "folding works in the tree view: press t";
      return;
    }
    const pid = this.#cursorPid;
    if (pid === null) return;
    if (collapse) this.collapsed.add(pid);
    else this.collapsed.delete(pid);
  }

  #foldAll(): void {
    if (!this.tree) {
      this.message = "folding works in the tree view: press t";
      return;
    }
    if (this.collapsed.size > 0) this.collapsed.clear();
    else {
      const parents = parentPids(this.#rows.map((r) => r.rates), this.#processOf);
      for (const pid of parents) this.collapsed.add(pid);
    }
  }

  #sortNext(step: 1 | -1): void {
    const names = [...this.columns.map((c) => c.name), "command"];
    const at = names.indexOf(this.sort);
    this.#sortBy(names[((at < 0 ? 0 : at + step) + names.length) % names.length]!);
  }

  #killMenu(mode: Extract<Mode, { kind: "kill" }>, key: string): Effect {
    if (is(key, "escape") || key === "q") {
      this.mode = { kind: "browse" };
      return { kind: "redraw" };
    }
    if (is(key, "up") || is(key, "down")) {
      const choice = (mode.choice + (is(key, "up") ? -1 : 1) + SIGNAL_MENU.length) %
        SIGNAL_MENU.length;
      this.mode = { ...mode, choice };
      return { kind: "redraw" };
    }
    if (is(key, "enter")) {
      this.mode = { kind: "browse" };
      return { kind: "signal", pids: mode.pids, signal: SIGNAL_MENU[mode.choice]!.name };
    }
    return { kind: "ignore" };
  }

  #setup(mode: Extract<Mode, { kind: "setup" }>, key: string): Effect {
    if (is(key, "escape") || is(key, "enter") || key === "q") {
      this.mode = { kind: "browse" };
      return { kind: "columns", columns: this.columns };
    }
    if (is(key, "up") || is(key, "down")) {
      const choice = (mode.choice + (is(key, "up") ? -1 : 1) + COLUMN_NAMES.length) %
        COLUMN_NAMES.length;
      this.mode = { ...mode, choice };
      return { kind: "redraw" };
    }
    if (key === " ") {
      const name = COLUMN_NAMES[mode.choice];
      const shown = new Set(this.columns.map((c) => c.name));
      if (shown.has(name!)) {
        if (shown.size === 1) return this.#say("at least one column stays");
        shown.delete(name!);
      } else shown.add(name!);
      // the columns keep the order of the table of columns
      this.columns = COLUMN_NAMES.filter((n) => shown.has(n)).map((n) => TOP_COLUMNS[n]!);
      return { kind: "redraw" };
    }
    return { kind: "ignore" };
  }
}
