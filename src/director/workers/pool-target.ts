// The AdmTarget of a multi-worker director (`wvs director --workers N`): what wvsadm's commands act on
// through its control socket, and what its metrics read. The main thread owns the configuration
// (RulesTarget, rules-target.ts: one change at a time, ipvsadm semantics on a copy, saved durably
// before it is acknowledged); a change goes to every worker (pool.ts reload, each applying the diff
// with reload.ts, the steering program rebuilt when the VIPs or persistence masks change) and stands
// only when every worker took it: one worker refusing, or the save failing, brings every worker back
// (revert). status() sums the workers' listings, totals, conns by state and drops (aggregate.ts)
// with the main thread's estimator rates; conns() concatenates the workers' conn lists; zero() zeroes
// every worker and the estimator. Node-only.
import type { Rates, RuleSet } from "../../control/model.ts";
import type { Command } from "../../control/ipvsadm-cmd.ts";
import type { ConnStatus, DirectorStatus } from "../../control/target.ts";
import { sameService } from "../../control/ruleset-apply.ts";
import { LineError } from "../../control/errors.ts";
import type { RateEstimator } from "../../stats/estimator.ts";
import { FanoutProgramError } from "../fanout-bpf.ts";
import type { ReloadSummary } from "../reload.ts";
import { RulesTarget, EngineRefusal, type RulesTargetOptions } from "../rules-target.ts";
import { sumDetails, sumReports } from "./aggregate.ts";
import type { WorkerPool } from "./pool.ts";

/** What the target needs of a pool (a test may wrap a real one). */
export type PoolLike = Pick<WorkerPool, "reload" | "revert" | "reports" | "conns" | "zero">;

export interface PoolTargetOptions extends RulesTargetOptions {
  pool: PoolLike;
  /** The main thread's estimator over the summed counters (null: no rates). */
  estimator?: RateEstimator | null;
}

const ZERO_RATES: Rates = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

export class PoolTarget extends RulesTarget {
  readonly pool: PoolLike;
  /** Re-read the --sysctl-file in the workers with the next change (SIGHUP). */
  private sysctls = false;

  constructor(private readonly o: PoolTargetOptions) {
    super(o);
    this.pool = o.pool;
  }

  /** Makes `rs` the configuration as SIGHUP does: the workers re-read their --sysctl-file too. */
  reload(rs: RuleSet): Promise<ReloadSummary> {
    return this.serial(() => { this.sysctls = true; return this.bringTo(structuredClone(rs)); });
  }

  protected async enact(next: RuleSet): Promise<ReloadSummary> {
    const sysctls = this.sysctls;
    this.sysctls = false;
    let results: Awaited<ReturnType<WorkerPool["reload"]>>;
    try { results = await this.pool.reload(next, sysctls); }
    catch (e) {
      if (e instanceof FanoutProgramError) throw new EngineRefusal(e.message);
      await this.pool.revert().catch(() => {});      // a worker did not answer: undo the others (best effort)
      throw new EngineRefusal((e as Error).message);
    }
    const bad = results.flatMap((r, i) => r.ok ? [] : [`worker ${i}: ${r.message}`]);
    if (bad.length) {
      await this.pool.revert();
      throw new EngineRefusal(bad.join("; "));
    }
    return (results[0] as { summary: ReloadSummary }).summary;
  }

  protected async revert(): Promise<void> { await this.pool.revert(); }

  async status(): Promise<DirectorStatus> {
    const reports = await this.pool.reports(true);
    const sum = sumReports(reports), detail = sumDetails(reports.map((r) => r.detail!));
    const est = this.o.estimator;
    return {
      snapshot: est ? est.withRates(sum.snapshot) : sum.snapshot,
      totals: { ...sum.totals, rates: est ? est.totalRates() : { ...ZERO_RATES } },
      conns: { total: sum.conns, capacity: detail.capacity, byState: detail.byState },
      drops: detail.drops,
      defense: detail.defense,
      timeouts: detail.timeouts,
      uptimeSecs: Math.floor((Date.now() - this.started) / 1000),
    };
  }

  async conns(limit?: number): Promise<ConnStatus[]> {
    const all = await this.pool.conns();
    return limit === undefined ? all : all.slice(0, limit);
  }

  zero(svc: Command["svc"] | null): Promise<void> {
    return this.serial(async () => {
      if (svc && !this.current.services.some((s) => sameService(s, svc))) throw new LineError("No such service");
      const error = await this.pool.zero(svc);
      if (error) throw new LineError(error);
      const sum = sumReports(await this.pool.reports());
      const only = svc ? { ...sum.snapshot, services: sum.snapshot.services.filter((s) => sameService(s, svc)) } : sum.snapshot;
      this.o.estimator?.zero(only, svc ? null : sum.totals);
    });
  }
}
