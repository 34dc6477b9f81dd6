// The part of a running director's AdmTarget (control/target.ts) that does not depend on where the
// engines are: it owns the configuration (a RuleSet), runs changes one at a time, applies wvsadm's
// commands with ipvsadm/kernel semantics on a copy (ruleset-apply.ts), has the subclass bring its
// engine(s) there (enact), saves the result durably (config-store.ts) and only then makes it current
// -- all or nothing: a command the kernel would refuse changes nothing, an engine refusal is undone
// by the subclass, a failed save is undone here (revert). Subclasses: one engine in this thread
// (live-target.ts), a pool of worker threads (workers/pool-target.ts). Node-only through ConfigStore.
import type { RuleSet } from "../control/model.ts";
import type { Command } from "../control/ipvsadm-cmd.ts";
import type { AdmTarget, ConnStatus, DirectorStatus } from "../control/target.ts";
import { applyCommand } from "../control/ruleset-apply.ts";
import { LineError } from "../control/errors.ts";
import type { ConfigStore } from "./config-store.ts";
import type { ReloadSummary } from "./reload.ts";

/** The engine refused a step (table full, scheduler not implemented): nothing was changed. */
export class EngineRefusal extends LineError { constructor(m: string) { super(m); this.name = "EngineRefusal"; } }
/** The state file could not be written: the change was undone. */
export class SaveError extends LineError { constructor(m: string) { super(m); this.name = "SaveError"; } }

export interface RulesTargetOptions {
  /** The configuration the engine(s) were brought to at start. */
  rules: RuleSet;
  /** Where every change is persisted before it is acknowledged (null: not persisted). */
  store?: ConfigStore | null;
  name?: string;
  /** Called after a change took effect. */
  onApplied?: () => void;
}

export abstract class RulesTarget implements AdmTarget {
  readonly name: string;
  protected current: RuleSet;
  private chain: Promise<unknown> = Promise.resolve();
  protected readonly started = Date.now();

  constructor(private readonly base: RulesTargetOptions) {
    this.current = structuredClone(base.rules);
    this.name = base.name ?? "running director";
  }

  /** Brings the engine(s) from `current` to `next`; on a refusal leaves them at `current` and throws EngineRefusal. */
  protected abstract enact(next: RuleSet): Promise<ReloadSummary>;
  /** Brings the engine(s) back to `prev` after `enact(next)` succeeded but the change cannot stand. */
  protected abstract revert(prev: RuleSet): Promise<void>;
  abstract status(): Promise<DirectorStatus>;
  abstract conns(): Promise<ConnStatus[]>;
  abstract zero(svc: Command["svc"] | null): Promise<void>;

  /** Runs `fn` after every earlier change has finished (one change at a time). */
  protected serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const r = this.chain.then(fn);
    this.chain = r.catch(() => {});
    return r;
  }

  async rules(): Promise<RuleSet> { return structuredClone(this.current); }

  /** Resolves once every change queued so far has finished. */
  idle(): Promise<void> { return this.chain.then(() => {}); }

  apply(cmds: Command[]): Promise<void> {
    return this.serial(() => {
      const next = structuredClone(this.current);
      cmds.forEach((c, i) => applyCommand(next, c, i + 1));       // LineError: nothing changed yet
      return this.bringTo(next).then(() => {});
    });
  }

  /** Makes `rs` the whole configuration (SIGHUP reload of a rules file), all or nothing, durably. */
  replace(rs: RuleSet): Promise<ReloadSummary> {
    return this.serial(() => this.bringTo(structuredClone(rs)));
  }

  /** Brings everything to `next` (inside serial()). */
  protected async bringTo(next: RuleSet): Promise<ReloadSummary> {
    const prev = this.current;
    const sum = await this.enact(next);
    const store = this.base.store;
    if (store) {
      try { await store.save(next); }
      catch (e) {
        await this.revert(prev);
        await store.save(prev).catch(() => {});   // in case the rename went through before the failure
        throw new SaveError(`cannot save the configuration: ${(e as Error).message}`);
      }
    }
    this.current = next;
    this.base.onApplied?.();
    return sum;
  }
}
