// The host timers around a replay, browser-safe: the sysctls pushed into the engine, the rate
// estimator (every 2 s of capture time, off with run_estimation = 0) and the defense timer (every
// second, when --avail-pages or a defense mode asks for it). `wvs replay` (src/cli/replay-session.ts)
// and the web page's worker (web/src/worker.ts) both set a replay up through this one function.
import type { Engine } from "../engine/engine.ts";
import type { SysctlSet } from "../control/sysctl.ts";
import { RateEstimator } from "../stats/estimator.ts";
import { replayDefense, type DefenseTimer, type MemorySource } from "../defense/index.ts";
import type { ReplayTimer } from "./replay.ts";

export interface ReplayTimers {
  estimator: RateEstimator;
  defense: DefenseTimer | null;
  timers: ReplayTimer[];
}

/** Applies the sysctls to a fresh engine and builds its timers; throws AvailPagesError on a bad schedule. */
export function replayTimers(engine: Engine, sysctls: SysctlSet, availPages?: string, system?: MemorySource): ReplayTimers {
  sysctls.apply(engine);
  const defense = replayDefense({ availPages, vars: sysctls.defense(), system });
  const estimator = new RateEstimator({ enabled: sysctls.getInt("run_estimation") !== 0 });
  return { estimator, defense, timers: [estimator.timer(), ...(defense ? [defense.replayTimer()] : [])] };
}
