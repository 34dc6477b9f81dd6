// What `wvs replay` sets up around the engine before the first packet and reads after the last:
// the sysctls (--sysctl / --sysctl-file, with --debug-level as a shorthand for debug_level), the
// debug log drain (--log, --log-rate), the rate estimator (every 2 s, off with run_estimation = 0)
// and the defense timer (--avail-pages, and the defense variables of the sysctls). Node-only.
import fs from "node:fs";
import { intOption, UsageError, type Args } from "./args.ts";
import { sysctlsFromArgs, hostCpus } from "./sysctl-options.ts";
import { SysctlSet } from "../control/sysctl.ts";
import { LogDrain } from "../engine/log.ts";
import type { Engine } from "../engine/engine.ts";
import type { ReplayTimer } from "../replay/replay.ts";
import type { RateEstimator } from "../stats/estimator.ts";
import { AvailPagesError, type DefenseTimer } from "../defense/index.ts";
import { replayTimers, type ReplayTimers } from "../replay/session-timers.ts";
import { systemSource } from "../defense/meminfo.ts";

export const SESSION_VALUES = ["log", "debug-level", "log-rate", "avail-pages"];

export interface Session {
  sysctls: SysctlSet;
  estimator: RateEstimator;
  defense: DefenseTimer | null;
  logDrain: LogDrain;
  timers: ReplayTimer[];
  /** Drains the log one last time, reports lost lines, closes the log file. */
  finish(): void;
}

/** Reads and validates every option (before the capture is opened: a bad value is a usage error). */
export function sessionOptions(args: Args) {
  const sysctls = sysctlsFromArgs(args) ?? new SysctlSet({ cpus: hostCpus() });
  const debugLevel = intOption(args, "debug-level", 0, 0x7fffffff);
  if (debugLevel !== undefined) sysctls.set("debug_level", debugLevel);
  return { sysctls, logRate: intOption(args, "log-rate", 1, 1e9), logFile: args.values.get("log"), availPages: args.values.get("avail-pages") };
}

/** Wires the options to a fresh engine; call before the rules are applied (their records are logged). */
export function openSession(engine: Engine, o: ReturnType<typeof sessionOptions>): Session {
  let t: ReplayTimers;
  try { t = replayTimers(engine, o.sysctls, o.availPages, systemSource); }
  catch (e) { if (e instanceof AvailPagesError) throw new UsageError(e.message); throw e; }
  const { estimator, defense } = t;
  const logFd = o.logFile ? fs.openSync(o.logFile, "w") : 2;
  const logDrain = new LogDrain(engine, (line) => fs.writeSync(logFd, line), o.logRate ? { rate: o.logRate } : {});
  return {
    sysctls: o.sysctls, estimator, defense, logDrain,
    timers: t.timers,
    finish() {
      logDrain.drain();
      if (logDrain.lost) process.stderr.write(`wvs: ${logDrain.lost} debug log lines lost (rate limit or full ring), ${logDrain.written} written\n`);
      if (o.logFile) fs.closeSync(logFd);
    },
  };
}
