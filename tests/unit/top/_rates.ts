import type { ProcessRates } from "../../../src/model/rates.ts";

/** A process's rates for the view's tests: idle, 1 MiB, unless `over` says otherwise. */
export function rates(
  pid: number,
  ppid: number,
  command: string,
  over: Partial<ProcessRates> = {},
): ProcessRates {
  return {
    pid,
    ppid,
    comm: command.split(" ")[0],
    command,
    state: "S",
    threads: 1,
    rssMib: 1,
    userPercent: 0,
    systemPercent: 0,
    reapedPercent: 0,
    readRate: null,
    writeRate: null,
    waitPercent: null,
    wchan: null,
    memPercent: 0.1,
    nice: 0,
    cpuSeconds: 0,
    user: "root",
    priority: 20,
    virtMib: 8,
    shrMib: 0.5,
    kernel: false,
    ...over,
  };
}
