// The defense (ip_vs_ctl.c update_defense_level / defense_work_handler, ip_vs_conn.c
// ip_vs_random_dropentry, ip_vs_todrop): browser-safe exports, and the one call a replay front end
// needs -- replayDefense() builds the 1-second timer from an --avail-pages text and the sysctl
// record (the Node-only /proc/meminfo source is in meminfo.ts and is passed in as `system`).
export * from "./vars.ts";
export * from "./level.ts";
export * from "./avail.ts";
export * from "./timer.ts";
import { parseAvailPages, scheduleSource, type MemorySource } from "./avail.ts";
import { DefenseTimer } from "./timer.ts";
import { defenseDefaults, type DefenseVars } from "./vars.ts";

export interface ReplayDefenseOptions {
  /** --avail-pages text: "N" or "0s:5000,10s:200,..." (relative to the first packet). */
  availPages?: string;
  /** The sysctl record (defaults when omitted); the timer rewrites its modes 1 <-> 2. */
  vars?: DefenseVars;
  /** System memory source used when availPages is not given (e.g. meminfo.ts systemSource). */
  system?: MemorySource;
}

/**
 * A DefenseTimer for a replay, or null when there is nothing to defend with: no --avail-pages and
 * every mode 0 (then update_defense_level would only ever write rate 0 and secure_tcp off).
 */
export function replayDefense(o: ReplayDefenseOptions): DefenseTimer | null {
  const vars = o.vars ?? defenseDefaults();
  if (o.availPages === undefined && !vars.drop_entry && !vars.drop_packet && !vars.secure_tcp) return null;
  const memory = o.availPages !== undefined ? scheduleSource(parseAvailPages(o.availPages)) : o.system;
  return new DefenseTimer({ vars, memory });
}
