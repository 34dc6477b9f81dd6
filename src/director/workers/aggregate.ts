// Sums the workers' reports into what one director shows: the ipvsadm listing (services and real
// servers matched by their keys, every counter and the active/inactive/persistent conn counts added),
// the namespace totals, the director's counters, and the status details (conns by state, table
// capacity and drops summed; defense modes and timeouts are the same in every worker). Rates are not
// summed: the main thread runs its own estimator over the summed counters. Browser-safe.
import type { Counters, DestStatus, ServiceStatus, Snapshot } from "../../control/model.ts";
import { destKey, serviceKey } from "../../stats/estimator.ts";
import type { DirectorCounters } from "../director.ts";
import type { WorkerDetail, WorkerReport } from "./protocol.ts";

const COUNTERS = ["conns", "inpkts", "outpkts", "inbytes", "outbytes"] as const;

function addCounters<T extends Counters>(into: T, from: Counters): void {
  for (const k of COUNTERS) into[k] += from[k];
}

/** The listing of all workers (worker 0's order; a service or dest only some workers have is appended). */
function sumSnapshots(snaps: Snapshot[]): Snapshot {
  const services: ServiceStatus[] = [];
  const byKey = new Map<string, ServiceStatus>();
  for (const snap of snaps) for (const s of snap.services) {
    const k = serviceKey(s);
    let acc = byKey.get(k);
    if (!acc) { acc = { ...s, dests: s.dests.map((d) => ({ ...d })) }; byKey.set(k, acc); services.push(acc); continue; }
    addCounters(acc, s);
    for (const d of s.dests) {
      const have = acc.dests.find((x) => destKey(acc!, x) === destKey(s, d));
      if (!have) { acc.dests.push({ ...d }); continue; }
      addCounters(have, d);
      for (const c of ["active", "inactive", "persist"] as const) (have as DestStatus)[c] += d[c];
    }
  }
  return { connTabSize: snaps.reduce((n, s) => n + s.connTabSize, 0), services };
}

function sumTotals(all: Counters[]): Counters {
  const t: Counters = { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 };
  for (const c of all) addCounters(t, c);
  return t;
}

function sumCounters(all: DirectorCounters[]): DirectorCounters {
  const t = { ...all[0] };
  for (const k of Object.keys(t) as (keyof DirectorCounters)[]) t[k] = all.reduce((n, c) => n + c[k], 0);
  return t;
}

/** The aggregate of a set of worker reports. */
export function sumReports(reports: WorkerReport[]): { snapshot: Snapshot; totals: Counters; counters: DirectorCounters; conns: number } {
  return {
    snapshot: sumSnapshots(reports.map((r) => r.snapshot)), totals: sumTotals(reports.map((r) => r.totals)),
    counters: sumCounters(reports.map((r) => r.counters)), conns: reports.reduce((n, r) => n + r.conns, 0),
  };
}

function addRecords(all: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of all) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * The details of all workers as one director's: conns by state, capacity and drops summed; the
 * defense modes and timeouts of worker 0 (every worker has the same sysctls and rules); the highest
 * drop_packet rate (the worker dropping most) and the fewest available pages (the one closest to its
 * limit).
 */
export function sumDetails(ds: WorkerDetail[]): WorkerDetail {
  return {
    byState: addRecords(ds.map((d) => d.byState)), capacity: ds.reduce((n, d) => n + d.capacity, 0),
    drops: addRecords(ds.map((d) => d.drops)),
    defense: {
      ...ds[0].defense,
      dropRate: Math.max(...ds.map((d) => d.defense.dropRate)), availPages: Math.min(...ds.map((d) => d.defense.availPages)),
    },
    timeouts: ds[0].timeouts,
  };
}
