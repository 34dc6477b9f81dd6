// The IPVS rate estimator (ip_vs_est.c, ipvs-control.md §5): every 2 s each estimator — one per
// dest, per service, and the namespace total — takes the deltas of its five counters, scales them
// (conns/packets by 2^10 per second, i.e. `<< 9` for a 2-s window; bytes by 2^5, `<< 4`), and moves
// its 64-bit fixed-point average a quarter of the way towards the sample:
//     avg += (sample - avg) >> 2          (signed 64-bit, arithmetic shift = floor)
// Reads round back as the kernel does: (avg + 0x1FF) >> 10 for cps/pps, (avg + 0xF) >> 5 for bps.
// All estimator arithmetic is BigInt, wrapped to u64 / s64 exactly where the kernel's types wrap, so
// counters beyond 2^32 (and 2^53 byte sums) are exact. Browser-safe: no node:* import, no clock —
// the caller runs tick() every 2 s of its clock (replay: the capture clock, rateTimer()).
// Identity: estimators are keyed by the service's (fwmark | proto, af, addr, port) and the dest's
// (service, af, addr, port). An object first seen at a tick starts with zero averages and a zero
// "last" snapshot (the kernel starts an estimator when the object is created, when its counters are
// 0); an object gone at a tick loses its estimator, so one added again later starts from zero.
// `enabled = false` (run_estimation = 0) makes tick() a no-op: rates freeze. Our choice: the "last"
// snapshots are kept, so the first tick after re-enabling sees the whole pause as one 2-s window.
// Only the sampling phase differs from ≥ 6.2 kernels, which spread estimators over 40-ms rows (§5.2).
import type { Counters, Rates, ServiceStatus, DestStatus, Snapshot } from "../control/model.ts";

const U64 = (x: bigint) => BigInt.asUintN(64, x);
const S64 = (x: bigint) => BigInt.asIntN(64, x);

/** One estimator's state: the last counter values sampled and the five scaled averages (u64). */
export interface EstState {
  last: [bigint, bigint, bigint, bigint, bigint];    // conns, inpkts, outpkts, inbytes, outbytes
  avg: [bigint, bigint, bigint, bigint, bigint];     // cps, inpps, outpps (×2^10), inbps, outbps (×2^5)
}

/** Shift from a 2-s delta to the scaled per-second sample: ×2^10/2 for counts, ×2^5/2 for bytes. */
const SAMPLE_SHIFT = [9n, 9n, 9n, 4n, 4n] as const;
/** Read-back: (avg + round) >> shift. */
const READ_SHIFT = [10n, 10n, 10n, 5n, 5n] as const;
const READ_ROUND = [0x1ffn, 0x1ffn, 0x1ffn, 0xfn, 0xfn] as const;

export function newEstState(): EstState {
  return { last: [0n, 0n, 0n, 0n, 0n], avg: [0n, 0n, 0n, 0n, 0n] };
}

function counterValues(c: Counters): bigint[] {
  return [c.conns, c.inpkts, c.outpkts, c.inbytes, c.outbytes].map((v) => U64(BigInt(v)));
}

/** One 2-s sample of estimator `e` over the current counters `c` (ip_vs_est.c estimation loop). */
export function estimate(e: EstState, c: Counters): void {
  const now = counterValues(c);
  for (let i = 0; i < 5; i++) {
    const rate = U64(U64(now[i] - e.last[i]) << SAMPLE_SHIFT[i]);
    e.last[i] = now[i];
    e.avg[i] = U64(e.avg[i] + (S64(rate - e.avg[i]) >> 2n));
  }
}

/** The reported per-second rates (ip_vs_read_estimator): rounded, as ipvsadm and /proc show them. */
export function readRates(e: EstState): Rates {
  const r = e.avg.map((a, i) => Number(U64(a + READ_ROUND[i]) >> READ_SHIFT[i]));
  return { cps: r[0], inpps: r[1], outpps: r[2], inbps: r[3], outbps: r[4] };
}

/** Zeroing (-Z, §4.15): averages to 0, "last" snapshots to the current counters. */
export function zeroEstimator(e: EstState, c: Counters): void {
  const now = counterValues(c);
  for (let i = 0; i < 5; i++) { e.last[i] = now[i]; e.avg[i] = 0n; }
}

const ZERO_RATES: Rates = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

type SvcId = Pick<ServiceStatus, "af" | "proto" | "addr" | "port" | "fwmark">;
type DestId = Pick<DestStatus, "af" | "addr" | "port">;

export function serviceKey(s: SvcId): string {
  return s.fwmark ? `fwm/${s.af}/${s.fwmark >>> 0}` : `${s.proto}/${s.af}/${s.addr}/${s.port}`;
}
export function destKey(s: SvcId, d: DestId): string { return `${serviceKey(s)}>${d.af}/${d.addr}/${d.port}`; }

export interface EstimatorOptions {
  /** run_estimation: false stops sampling (rates freeze). Default true. */
  enabled?: boolean;
}

/** Where the estimator reads counters from: `Engine` satisfies it (snapshot(), totals()). */
export interface CounterSource { snapshot(): Snapshot; totals(): Counters }

/** All estimators of one director: per service, per dest and the total, sampled by tick(). */
export class RateEstimator {
  enabled: boolean;
  /** Number of ticks that sampled (enabled) so far. */
  ticks = 0;
  private total = newEstState();
  private services = new Map<string, EstState>();
  private dests = new Map<string, EstState>();

  constructor(opts: EstimatorOptions = {}) { this.enabled = opts.enabled ?? true; }

  /** One 2-s estimation pass over every service, dest and the total. */
  tick(snap: Snapshot, totals: Counters): void {
    if (!this.enabled) return;
    this.ticks++;
    estimate(this.total, totals);
    const svcs = new Map<string, EstState>(), dests = new Map<string, EstState>();
    for (const s of snap.services) {
      const sk = serviceKey(s);
      const se = this.services.get(sk) ?? newEstState();
      estimate(se, s);
      svcs.set(sk, se);
      for (const d of s.dests) {
        const dk = destKey(s, d);
        const de = this.dests.get(dk) ?? newEstState();
        estimate(de, d);
        dests.set(dk, de);
      }
    }
    this.services = svcs;
    this.dests = dests;
  }

  /** tick() over an engine (or anything with snapshot() and totals()). */
  sample(src: CounterSource): void { if (this.enabled) this.tick(src.snapshot(), src.totals()); }

  /** A host timer for replay (ReplayOptions.timers): sampling every 2 s of the capture clock. */
  timer(): { periodSec: number; run(engine: CounterSource, tsSec: number): void } {
    return { periodSec: 2, run: (engine) => this.sample(engine) };
  }

  totalRates(): Rates { return readRates(this.total); }
  serviceRates(s: SvcId): Rates { const e = this.services.get(serviceKey(s)); return e ? readRates(e) : { ...ZERO_RATES }; }
  destRates(s: SvcId, d: DestId): Rates { const e = this.dests.get(destKey(s, d)); return e ? readRates(e) : { ...ZERO_RATES }; }

  /** The snapshot with `rates` set on every service and dest (for formatList(..., { rate: true })). */
  withRates(snap: Snapshot): Snapshot {
    return {
      ...snap,
      services: snap.services.map((s) => ({
        ...s, rates: this.serviceRates(s), dests: s.dests.map((d) => ({ ...d, rates: this.destRates(s, d) })),
      })),
    };
  }

  /**
   * -Z: zero every estimator present in `snap` and the total (rates 0, last = current counters).
   * `totals` null leaves the total alone (-Z of one service zeroes only it and its dests).
   */
  zero(snap: Snapshot, totals: Counters | null): void {
    if (totals) zeroEstimator(this.total, totals);
    for (const s of snap.services) {
      const sk = serviceKey(s);
      const se = this.services.get(sk) ?? newEstState();
      zeroEstimator(se, s);
      this.services.set(sk, se);
      for (const d of s.dests) {
        const dk = destKey(s, d);
        const de = this.dests.get(dk) ?? newEstState();
        zeroEstimator(de, d);
        this.dests.set(dk, de);
      }
    }
  }
}
