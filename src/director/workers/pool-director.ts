// A multi-worker director with its control plane, what `wvs director --workers N` runs: the
// configuration from the state file when it exists, else from the given rules (seeding the state
// file once every worker took them; start-config.ts), the worker pool (pool.ts), the pool target
// every change goes through (pool-target.ts), and optionally the control socket and the metrics
// endpoint in front of it. The counterpart of the library Director (api.ts) for a pool. Node-only.
import type http from "node:http";
import type { RuleSet } from "../../control/model.ts";
import type { RateEstimator } from "../../stats/estimator.ts";
import type { ControlServer } from "../control-server.ts";
import { controlRun, type ControlRun } from "../control-run.ts";
import { startingConfig, seedState, openControl, openMetrics, closeMetrics } from "../start-config.ts";
import { WorkerPool, type PoolOptions } from "./pool.ts";
import { PoolTarget } from "./pool-target.ts";
import type { WorkerReport } from "./protocol.ts";

export interface PoolDirectorOptions extends Omit<PoolOptions, "rules"> {
  /** The initial configuration (ignored when the state file exists). */
  rules?: RuleSet | string;
  /** State file: loaded when it exists, else seeded; every change is saved there before it is acknowledged. */
  state?: string;
  /** Control socket path; omitted = none. */
  socket?: string;
  /** Prometheus endpoint `ADDR:PORT`; omitted = none. */
  metrics?: string;
  /** The main thread's estimator over the summed counters (its rates are what listings show). */
  estimator?: RateEstimator | null;
  /** Runs with the effective configuration before the workers start (start-up checks). */
  beforeOpen?: (rules: RuleSet) => Promise<void> | void;
  /** Called after every change that took effect in all workers (wvsadm, reload). */
  onApplied?: () => void;
  run?: ControlRun;
}

export class PoolDirector {
  control: ControlServer | null = null;
  metrics: http.Server | null = null;
  private closed = false;

  private constructor(readonly pool: WorkerPool, readonly target: PoolTarget) {}

  /** Starts everything; throws WvsError (state, socket, metrics) or PoolError (a worker cannot start). */
  static async start(o: PoolDirectorOptions): Promise<PoolDirector> {
    const log = o.log ?? ((l: string) => process.stderr.write(`wvs director: ${l}\n`));
    const start = startingConfig(o.state, o.rules);
    await o.beforeOpen?.(start.rules);
    const pool = await WorkerPool.start({ ...o, rules: start.rules });
    const target = new PoolTarget({ pool, rules: start.rules, store: start.store, estimator: o.estimator, name: "running director", onApplied: o.onApplied });
    const d = new PoolDirector(pool, target);
    try {
      await seedState(start);
      if (o.socket) d.control = await openControl(o.socket, target, o.run ?? controlRun, log);
      if (o.metrics) d.metrics = await openMetrics(o.metrics, target, log);
    } catch (e) { await d.close(); throw e; }
    return d;
  }

  /** Closes the socket (no new requests), lets accepted changes finish, closes the metrics and stops the workers; their final reports. */
  async close(): Promise<WorkerReport[]> {
    if (this.closed) return [];
    this.closed = true;
    await this.control?.close();
    await this.target.idle();
    if (this.metrics) await closeMetrics(this.metrics);
    return await this.pool.stop();
  }
}
