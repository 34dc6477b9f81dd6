// The AdmTarget of a running director with one engine in this thread (control/target.ts): what
// wvsadm's commands act on when they arrive through the control socket or the library API. The
// configuration, the one-change-at-a-time queue, ipvsadm semantics and the durable save are the
// shared RulesTarget's (rules-target.ts); this class brings its engine to a new configuration
// (reload.ts applyDiff, back to the previous one when the engine refuses a step or the save fails)
// and reads status() and conns() from the engine's memory (engine-status.ts). Node-only through
// ConfigStore; the rest is plain TypeScript.
import type { Engine } from "../engine/engine.ts";
import type { RuleSet, Rates } from "../control/model.ts";
import type { Command } from "../control/ipvsadm-cmd.ts";
import type { ConnStatus, DirectorStatus } from "../control/target.ts";
import { sameService } from "../control/ruleset-apply.ts";
import { LineError } from "../control/errors.ts";
import type { RateEstimator } from "../stats/estimator.ts";
import type { DefenseTimer } from "../defense/timer.ts";
import type { SysctlSet } from "../control/sysctl.ts";
import { applyDiff, restoreConfig, type ReloadSummary } from "./reload.ts";
import { RulesTarget, EngineRefusal, type RulesTargetOptions } from "./rules-target.ts";
import { connList, connsByState, defenseStatus, engineTimeouts } from "./engine-status.ts";

export { EngineRefusal, SaveError } from "./rules-target.ts";

export interface LiveTargetOptions extends RulesTargetOptions {
  engine: Engine;
  estimator?: RateEstimator | null;
  defense?: DefenseTimer | null;
  /** Defense modes when there is no DefenseTimer. */
  sysctls?: SysctlSet | null;
}

const ZERO_RATES: Rates = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

export class LiveTarget extends RulesTarget {
  readonly engine: Engine;
  /** Timeouts before the last enact, for revert. */
  private before = { tcp: 0, tcpfin: 0, udp: 0 };

  constructor(private readonly o: LiveTargetOptions) {
    super(o);
    this.engine = o.engine;
  }

  async status(): Promise<DirectorStatus> {
    const e = this.engine, est = this.o.estimator;
    const snap = e.snapshot();
    return {
      snapshot: est ? est.withRates(snap) : snap,
      totals: { ...e.totals(), rates: est ? est.totalRates() : { ...ZERO_RATES } },
      conns: { total: e.connCount(), capacity: e.x.connCapacity() >>> 0, byState: connsByState(e) },
      drops: e.drops(),
      defense: defenseStatus(e, this.o.defense, this.o.sysctls),
      timeouts: engineTimeouts(e),
      uptimeSecs: Math.floor((Date.now() - this.started) / 1000),
    };
  }

  async conns(limit?: number): Promise<ConnStatus[]> { return connList(this.engine, limit); }

  protected async enact(next: RuleSet): Promise<ReloadSummary> {
    const prev = this.current;
    this.before = engineTimeouts(this.engine);
    try { return applyDiff(this.engine, next); }
    catch (e) { restoreConfig(this.engine, prev, this.before); throw new EngineRefusal((e as Error).message); }
  }

  protected async revert(prev: RuleSet): Promise<void> { restoreConfig(this.engine, prev, this.before); }

  zero(svc: Command["svc"] | null): Promise<void> {
    return this.serial(() => {
      const e = this.engine;
      let si: number | null = null;
      if (svc) {
        const a = e.applied.find((x) => sameService(x.rule, svc));
        if (!a) throw new LineError("No such service");
        si = a.index;
      }
      e.zeroStats(si);
      const snap = e.snapshot();
      const only = si === null ? snap : { ...snap, services: [e.service(si)] };
      this.o.estimator?.zero(only, si === null ? e.totals() : null);
    });
  }
}
