// SIGHUP reload: applies the difference between the engine's applied rules and a new rule set, the
// way a sequence of ipvsadm -E/-D/-A/-a/-e/-d commands would: services that disappeared are deleted,
// new ones added, changed ones edited (scheduler, flags, persistence, netmask); within a kept service
// dests are deleted, added or edited (weight, thresholds, forwarding, tunnel). Existing conns keep
// flowing (the engine keeps conns of deleted dests until they expire, as IPVS does). Browser-safe.
import * as A from "../engine/abi.ts";
import { EngineError, type Engine } from "../engine/engine.ts";
import type { DestRule, RuleSet, ServiceRule } from "../control/model.ts";

export interface ReloadSummary { servicesAdded: number; servicesEdited: number; servicesDeleted: number; destsAdded: number; destsEdited: number; destsDeleted: number }

const svcKey = (r: ServiceRule) => r.fwmark ? `${r.af}/fwm/${r.fwmark}` : `${r.af}/${r.proto}/${r.addr}/${r.port}`;
const destKey = (d: DestRule) => `${d.af}/${d.addr}/${d.port}`;

function svcChanged(a: ServiceRule, b: ServiceRule): boolean {
  return a.scheduler !== b.scheduler || a.persistent !== b.persistent || a.netmask !== b.netmask || a.ops !== b.ops
    || a.schedFlags.join(",") !== b.schedFlags.join(",") || a.pe !== b.pe;
}

function destChanged(a: DestRule, b: DestRule): boolean {
  return a.fwd !== b.fwd || a.weight !== b.weight || a.uThreshold !== b.uThreshold || a.lThreshold !== b.lThreshold
    || a.tunType !== b.tunType || a.tunPort !== b.tunPort || a.tunCsum !== b.tunCsum;
}

/** Brings the engine from engine.applied to `next`. Throws EngineError on a refused step. */
export function applyDiff(engine: Engine, next: RuleSet): ReloadSummary {
  const sum: ReloadSummary = { servicesAdded: 0, servicesEdited: 0, servicesDeleted: 0, destsAdded: 0, destsEdited: 0, destsDeleted: 0 };
  const wanted = new Map(next.services.map((s) => [svcKey(s), s]));
  // deletions first: a service or dest that moved keys must not collide with its new self
  for (let i = engine.applied.length - 1; i >= 0; i--) {
    const a = engine.applied[i];
    if (wanted.has(svcKey(a.rule))) continue;
    const rc = engine.x.svcDel(a.index);
    if (rc < 0) throw new EngineError(`cannot delete service ${svcKey(a.rule)}: error ${rc}`);
    engine.applied.splice(i, 1);
    sum.servicesDeleted++;
  }
  const have = new Map(engine.applied.map((x) => [svcKey(x.rule), x]));
  for (const r of next.services) {
    const a = have.get(svcKey(r));
    if (!a) {
      const index = engine.addService(r);
      const dests = r.dests.map((d) => ({ rule: d, index: engine.addDest(index, d) }));
      engine.applied.push({ rule: r, index, dests });
      sum.servicesAdded++; sum.destsAdded += dests.length;
      continue;
    }
    if (svcChanged(a.rule, r)) { engine.editService(a.index, r); sum.servicesEdited++; }
    a.rule = r;
    const want = new Map(r.dests.map((d) => [destKey(d), d]));
    a.dests = a.dests.filter((d) => {
      if (want.has(destKey(d.rule))) return true;
      engine.deleteDest(d.index);
      sum.destsDeleted++;
      return false;
    });
    const kept = new Map(a.dests.map((x) => [destKey(x.rule), x]));
    for (const d of r.dests) {
      const had = kept.get(destKey(d));
      if (!had) { a.dests.push({ rule: d, index: engine.addDest(a.index, d) }); sum.destsAdded++; }
      else { if (destChanged(had.rule, d)) { engine.editDest(had.index, d); sum.destsEdited++; } had.rule = d; }
    }
  }
  if (next.timeouts) {
    const t = next.timeouts;
    if (t.tcp) engine.x.setTimeout(0, A.TCP_ESTABLISHED, t.tcp);
    if (t.tcpfin) engine.x.setTimeout(0, A.TCP_FIN_WAIT, t.tcpfin);
    if (t.udp) engine.x.setTimeout(1, 0, t.udp);
  }
  return sum;
}

export function formatSummary(s: ReloadSummary): string {
  return `services +${s.servicesAdded} ~${s.servicesEdited} -${s.servicesDeleted}, real servers +${s.destsAdded} ~${s.destsEdited} -${s.destsDeleted}`;
}

/** Brings the engine back to `prev` and its timeouts to `t` after a refused or undone change (best effort). */
export function restoreConfig(engine: Engine, prev: RuleSet, t: { tcp: number; tcpfin: number; udp: number }): void {
  try { applyDiff(engine, prev); } catch { /* the previous configuration was accepted once */ }
  engine.x.setTimeout(0, A.TCP_ESTABLISHED, t.tcp); engine.x.setTimeout(0, A.TCP_FIN_WAIT, t.tcpfin); engine.x.setTimeout(1, 0, t.udp);
}
