/** What a command's action does once commander has parsed it. */
export interface ActionHooks {
  /** Receives the exit code of a command that ran. */
  done(code: number): void;
  /**
   * When set, commands hand over their parsed arguments instead of running: `play`
   * validates and dry-runs sections with the very parser of the command line.
   */
  capture?: (command: string, args: (string | undefined)[], options: object) => void;
}
