// The AdmTarget of a running director (control/target.ts): what wvsadm's commands act on when they
// arrive through the control socket or the library API. rules() is the configuration the engine
// runs; apply() runs the commands with ipvsadm/kernel semantics on a copy of it (ruleset-apply.ts),
// brings the engine there (reload.ts applyDiff), and saves it durably (config-store.ts) before it
// resolves -- all or nothing: a command the kernel would refuse changes nothing, and when the engine
// refuses a step or the save fails the engine is brought back to the previous configuration. Changes
// and -Z are serialised (one at a time). status() and conns() read the engine's memory. Node-only
// through ConfigStore; the rest is plain TypeScript.
import * as A from "../engine/abi.ts";
import type { Engine } from "../engine/engine.ts";
import { stateName } from "../engine/log.ts";
import type { RuleSet, Rates } from "../control/model.ts";
import type { Command } from "../control/ipvsadm-cmd.ts";
import type { AdmTarget, ConnStatus, DirectorStatus } from "../control/target.ts";
import { applyCommand, sameService } from "../control/ruleset-apply.ts";
import { LineError } from "../control/errors.ts";
import type { RateEstimator } from "../stats/estimator.ts";
import type { DefenseTimer } from "../defense/timer.ts";
import { poolFreePages } from "../defense/avail.ts";
import type { SysctlSet } from "../control/sysctl.ts";
import type { ConfigStore } from "./config-store.ts";
import { applyDiff, type ReloadSummary } from "./reload.ts";

export interface LiveTargetOptions {
  engine: Engine;
  /** The configuration the engine was brought to at start. */
  rules: RuleSet;
  estimator?: RateEstimator | null;
  defense?: DefenseTimer | null;
  /** Defense modes when there is no DefenseTimer. */
  sysctls?: SysctlSet | null;
  /** Where every change is persisted before it is acknowledged (null: not persisted). */
  store?: ConfigStore | null;
  name?: string;
  /** Called after a change took effect (the director re-resolves its real servers). */
  onApplied?: () => void;
}

/** The engine refused a step (table full, scheduler not implemented): nothing was changed. */
export class EngineRefusal extends LineError { constructor(m: string) { super(m); this.name = "EngineRefusal"; } }
/** The state file could not be written: the change was undone. */
export class SaveError extends LineError { constructor(m: string) { super(m); this.name = "SaveError"; } }

const ZERO_RATES: Rates = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };
const TPL_STATES = ["NONE", "ASSURED"];
const PROTO: Record<number, ConnStatus["proto"]> = { [A.PROTO_TCP]: "TCP", [A.PROTO_UDP]: "UDP", [A.PROTO_SCTP]: "SCTP" };

/** Kernel state name of a conn (ip_vs_state_name): templates NONE/ASSURED, else the protocol's table. */
function connStateName(proto: number, state: number, flags: number): string {
  if (flags & A.CF_TEMPLATE) return TPL_STATES[state] ?? "ERR!";
  return stateName(proto, state);
}

export class LiveTarget implements AdmTarget {
  readonly name: string;
  readonly engine: Engine;
  private current: RuleSet;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly started = Date.now();

  constructor(private readonly o: LiveTargetOptions) {
    this.engine = o.engine;
    this.current = structuredClone(o.rules);
    this.name = o.name ?? "running director";
  }

  /** Runs `fn` after every earlier change has finished (one change at a time). */
  private serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const r = this.chain.then(fn);
    this.chain = r.catch(() => {});
    return r;
  }

  async rules(): Promise<RuleSet> { return structuredClone(this.current); }

  /** Resolves once every change queued so far has finished. */
  idle(): Promise<void> { return this.chain.then(() => {}); }

  private timeouts() {
    const x = this.engine.x;
    return { tcp: x.getTimeout(0, A.TCP_ESTABLISHED) >>> 0, tcpfin: x.getTimeout(0, A.TCP_FIN_WAIT) >>> 0, udp: x.getTimeout(1, 0) >>> 0 };
  }

  /** Conns by `PROTO/STATE` (templates as `TEMPLATE/NONE|ASSURED`), read straight from the records. */
  private connsByState(): Record<string, number> {
    const out: Record<string, number> = {};
    const u8 = this.engine.u8, base = this.engine.x.connRecord(0) >>> 0, dv = this.engine.view;
    for (const i of this.engine.connIndices()) {
      const p = base + i * A.CONN_SIZE;
      const flags = dv.getUint32(p + A.C_FLAGS, true), proto = u8[p + A.C_PROTO];
      const key = `${flags & A.CF_TEMPLATE ? "TEMPLATE" : PROTO[proto] ?? "IP"}/${connStateName(proto, u8[p + A.C_STATE], flags)}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  private defense(): DirectorStatus["defense"] {
    const d = this.o.defense;
    const v = d ? d.vars : this.o.sysctls?.defense() ?? { drop_entry: 0, drop_packet: 0, secure_tcp: 0 };
    return {
      dropEntry: v.drop_entry, dropPacket: v.drop_packet, secureTcp: v.secure_tcp,
      dropRate: d ? d.state.dropRate : 0,
      availPages: d?.last ? d.last.availmem : poolFreePages(this.engine),
    };
  }

  async status(): Promise<DirectorStatus> {
    const e = this.engine, est = this.o.estimator;
    const snap = e.snapshot();
    return {
      snapshot: est ? est.withRates(snap) : snap,
      totals: { ...e.totals(), rates: est ? est.totalRates() : { ...ZERO_RATES } },
      conns: { total: e.connCount(), capacity: e.x.connCapacity() >>> 0, byState: this.connsByState() },
      drops: e.drops(),
      defense: this.defense(),
      timeouts: this.timeouts(),
      uptimeSecs: Math.floor((Date.now() - this.started) / 1000),
    };
  }

  async conns(limit?: number): Promise<ConnStatus[]> {
    const e = this.engine, u8 = e.u8, base = e.x.connRecord(0) >>> 0;
    return e.connIndices(limit).map((i) => {
      const c = e.conn(i), proto = u8[base + i * A.CONN_SIZE + A.C_PROTO];
      const template = (c.flags & A.CF_TEMPLATE) !== 0;
      return {
        proto: PROTO[proto] ?? "IP", af: c.af, caddr: c.caddr, cport: c.cport, vaddr: c.vaddr, vport: c.vport,
        daf: c.daf, daddr: c.daddr, dport: c.dport,
        state: connStateName(proto, c.state, c.flags), expiresInSecs: Math.max(0, Math.floor(c.expiresInSecs)),
        template, fwmark: c.fwmark,
      };
    });
  }

  /** Brings the engine back to `prev` after a refused step (best effort; the refusal is what is reported). */
  private rollback(prev: RuleSet, t: { tcp: number; tcpfin: number; udp: number }): void {
    try { applyDiff(this.engine, prev); } catch { /* the previous configuration was accepted once */ }
    const x = this.engine.x;
    x.setTimeout(0, A.TCP_ESTABLISHED, t.tcp); x.setTimeout(0, A.TCP_FIN_WAIT, t.tcpfin); x.setTimeout(1, 0, t.udp);
  }

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

  private async bringTo(next: RuleSet): Promise<ReloadSummary> {
    const prev = this.current, t = this.timeouts();
    let sum: ReloadSummary;
    try { sum = applyDiff(this.engine, next); }
    catch (e) { this.rollback(prev, t); throw new EngineRefusal((e as Error).message); }
    if (this.o.store) {
      try { await this.o.store.save(next); }
      catch (e) {
        this.rollback(prev, t);
        await this.o.store.save(prev).catch(() => {});   // in case the rename went through before the failure
        throw new SaveError(`cannot save the configuration: ${(e as Error).message}`);
      }
    }
    this.current = next;
    this.o.onApplied?.();
    return sum;
  }

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
