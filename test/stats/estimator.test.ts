// The rate estimator against a transcription of ipvs-control.md §5.1 written here on its own
// (the spec's pseudo-code with BigInt and explicit u64/s64 wrapping), on synthetic counter
// sequences: constant rates, the closed form R·(1 − (3/4)^n), steps, the single-packet rounding
// case, counters beyond 2^32 and 2^53, identity of services/dests, enabled = false and zeroing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RateEstimator, newEstState, estimate, readRates } from "../../src/stats/estimator.ts";
import type { Counters, Snapshot, ServiceStatus, DestStatus } from "../../src/control/model.ts";

// ---- transcription of §5.1 (kept independent of src/stats/estimator.ts)
const u64 = (x: bigint) => BigInt.asUintN(64, x);
const s64 = (x: bigint) => BigInt.asIntN(64, x);
type Spec = { last: bigint[]; avg: bigint[] };
const specNew = (): Spec => ({ last: [0n, 0n, 0n, 0n, 0n], avg: [0n, 0n, 0n, 0n, 0n] });
function specStep(e: Spec, c: bigint[]): void {
  for (let i = 0; i < 5; i++) {
    const sample = u64((c[i] - e.last[i]) << (i < 3 ? 9n : 4n));    // conns/pkts << 9, bytes << 4
    e.last[i] = c[i];
    e.avg[i] = u64(e.avg[i] + (s64(sample - e.avg[i]) >> 2n));
  }
}
function specRead(e: Spec): number[] {
  return e.avg.map((a, i) => Number(i < 3 ? (a + 0x1ffn) >> 10n : (a + 0xfn) >> 5n));
}

const C = (v: bigint[]): Counters => ({ conns: Number(v[0]), inpkts: Number(v[1]), outpkts: Number(v[2]), inbytes: Number(v[3]), outbytes: Number(v[4]) });
const asArr = (r: { cps: number; inpps: number; outpps: number; inbps: number; outbps: number }) => [r.cps, r.inpps, r.outpps, r.inbps, r.outbps];

/** Runs both over a sequence of per-window deltas; asserts equal reads and internal averages each tick. */
function compare(deltas: bigint[][], start: bigint[] = [0n, 0n, 0n, 0n, 0n]) {
  const ours = newEstState(), spec = specNew();
  const cur = [...start];
  if (start.some((x) => x !== 0n)) { ours.last = [...start] as any; spec.last = [...start]; }
  const reads: number[][] = [];
  for (const d of deltas) {
    for (let i = 0; i < 5; i++) cur[i] += d[i];
    estimate(ours, C(cur));
    specStep(spec, cur);
    assert.equal(ours.avg, spec.avg);
    assert.equal(asArr(readRates(ours)), specRead(spec));
    reads.push(specRead(spec));
  }
  return { reads, avg: spec.avg };
}

test("constant rate: matches the spec each tick and approaches R·(1 − (3/4)^n)", () => {
  // 100 conns/s, 1000 in pkt/s, 800 out pkt/s, 1.5 MB/s in, 90 kB/s out, for 80 ticks (160 s)
  const d = [200n, 2000n, 1600n, 3_000_000n, 180_000n];
  const { reads } = compare(Array.from({ length: 80 }, () => d));
  const R = [100, 1000, 800, 1_500_000, 90_000];
  for (const n of [1, 2, 4, 8, 16]) {
    for (let i = 0; i < 5; i++) {
      const ideal = R[i] * (1 - Math.pow(0.75, n));
      assert.ok(Math.abs(reads[n - 1][i] - ideal) <= 1, `n=${n} i=${i}: ${reads[n - 1][i]} vs ${ideal}`);
    }
  }
  // exact values of the first ticks, by hand: sample 200<<9 = 102400; avg 25600, 44800, 59200
  assert.equal(reads[0].slice(0, 1), [(25600 + 511) >> 10]);
  assert.equal(reads[1].slice(0, 1), [(44800 + 511) >> 10]);
  assert.equal(reads[2].slice(0, 1), [(59200 + 511) >> 10]);
  // converged: the floor shifts leave the average a little below the sample, never above
  assert.equal(reads[79], [100, 1000, 800, 1_500_000, 90_000]);
});

test("step up, step down to 0 (×3/4 every tick), and the single-packet rounding case", () => {
  const up = Array.from({ length: 10 }, () => [20n, 20n, 0n, 2000n, 0n]);
  const down = Array.from({ length: 20 }, () => [0n, 0n, 0n, 0n, 0n]);
  const { reads } = compare([...up, ...down, [0n, 1n, 0n, 0n, 0n], [0n, 0n, 0n, 0n, 0n]]);
  assert.ok(reads[9][1] >= 9 && reads[9][1] <= 10);
  assert.is(reads[29][1], 0, "decayed");
  // one packet in a 2-s window: sample 512, avg 128 (+ what is left of the decay) reports 0
  assert.is(reads[30][1], 0);
  const e = newEstState();
  estimate(e, C([0n, 1n, 0n, 0n, 0n]));
  assert.is(e.avg[1], 128n);
  assert.is(readRates(e).inpps, 0);
});

test("irregular deltas tick by tick", () => {
  let x = 12345;
  const rnd = (m: number) => { x = (x * 1103515245 + 12345) % 2147483648; return BigInt(x % m); };
  compare(Array.from({ length: 200 }, () => [rnd(50), rnd(5000), rnd(4000), rnd(7_000_000), rnd(9_000_000)]));
});

test("large counters: beyond 2^32 and 2^53, exact", () => {
  const start = [5_000_000_000n, 6_000_000_000n, 7_000_000_000n, 2n ** 60n, 2n ** 62n];
  const d = [2n ** 33n, 2n ** 34n, 2n ** 33n, 2n ** 50n, 2n ** 40n];
  const { reads } = compare(Array.from({ length: 160 }, () => d), start);
  assert.is(reads[159][0], 2 ** 32, "2^33 conns per 2 s reads 2^32 cps once converged");
  // the byte rate itself beyond 2^48 /s: internal average ≈ 2^49·32 = 2^54, past Number's 2^53
  assert.is(reads[159][3], 2 ** 49);
  // a u64 counter wrapping past 2^64 still gives the right delta (kernel u64 subtraction)
  const e = newEstState(), s = specNew();
  e.last[3] = 2n ** 64n - 100n; s.last[3] = 2n ** 64n - 100n;
  const c = [0n, 0n, 0n, 50n, 0n];          // wrapped: 150 bytes in the window
  estimate(e, C(c)); specStep(s, [0n, 0n, 0n, 50n, 0n].map((v, i) => (i === 3 ? u64(v) : v)));
  assert.is(e.avg[3], s.avg[3]);
  assert.is(e.avg[3], (150n << 4n) >> 2n);
});

// ---- the RateEstimator over snapshots
function dest(addr: string, c: Counters): DestStatus {
  return { af: 4, addr, port: 80, fwd: "masq", weight: 1, active: 0, inactive: 0, persist: 0, uThreshold: 0, lThreshold: 0,
    tunType: "ipip", tunPort: 0, tunCsum: "nocsum", ...c };
}
function svc(port: number, c: Counters, dests: DestStatus[]): ServiceStatus {
  return { af: 4, proto: "TCP", addr: "10.0.0.1", port, fwmark: 0, scheduler: "rr", persistent: 0, netmask: "255.255.255.255",
    ops: false, schedFlags: [], pe: "", dests, ...c };
}
const cnt = (n: number): Counters => ({ conns: n, inpkts: n, outpkts: 0, inbytes: n * 100, outbytes: 0 });

test("per service, per dest and total; a dest added later starts from zero; removal forgets", () => {
  const est = new RateEstimator();
  const spec = { total: specNew(), svc: specNew(), a: specNew(), b: specNew() };
  const v = (c: Counters) => [c.conns, c.inpkts, c.outpkts, c.inbytes, c.outbytes].map(BigInt);
  for (let k = 1; k <= 12; k++) {
    const a = cnt(40 * k), b = cnt(k > 6 ? 10 * (k - 6) : 0);
    const s = cnt(a.conns + b.conns);
    const snap: Snapshot = { connTabSize: 4096, services: [svc(80, s, k > 6 ? [dest("1.1.1.2", b), dest("1.1.1.1", a)] : [dest("1.1.1.1", a)])] };
    est.tick(snap, s);
    specStep(spec.total, v(s)); specStep(spec.svc, v(s)); specStep(spec.a, v(a));
    if (k > 6) specStep(spec.b, v(b));
    assert.equal(asArr(est.totalRates()), specRead(spec.total));
    assert.equal(asArr(est.serviceRates(snap.services[0])), specRead(spec.svc));
    assert.equal(asArr(est.destRates(snap.services[0], dest("1.1.1.1", a))), specRead(spec.a));
    assert.equal(asArr(est.destRates(snap.services[0], dest("1.1.1.2", b))), k > 6 ? specRead(spec.b) : [0, 0, 0, 0, 0]);
    const withR = est.withRates(snap);
    assert.equal(asArr(withR.services[0].rates!), specRead(spec.svc));
  }
  // the service disappears: its estimator and its dests' are dropped
  est.tick({ connTabSize: 4096, services: [] }, cnt(0));
  assert.equal(asArr(est.serviceRates(svc(80, cnt(0), []))), [0, 0, 0, 0, 0]);
  assert.is(est.ticks, 13);
});

test("enabled = false freezes the rates; zero() resets averages and takes the current counters as last", () => {
  const est = new RateEstimator({ enabled: false });
  const mk = (n: number): Snapshot => ({ connTabSize: 1, services: [svc(80, cnt(n), [dest("1.1.1.1", cnt(n))])] });
  est.tick(mk(100), cnt(100));
  assert.is(est.ticks, 0);
  assert.is(est.totalRates().cps, 0);
  est.enabled = true;
  for (let k = 1; k <= 20; k++) est.tick(mk(100 + 20 * k), cnt(100 + 20 * k));
  const frozen = est.serviceRates(mk(0).services[0]);
  assert.ok(frozen.cps >= 9 && frozen.cps <= 10, String(frozen.cps));
  est.enabled = false;
  est.tick(mk(5000), cnt(5000));
  assert.equal(est.serviceRates(mk(0).services[0]), frozen);
  est.enabled = true;
  est.zero(mk(6000), cnt(6000));
  assert.equal(asArr(est.totalRates()), [0, 0, 0, 0, 0]);
  est.tick(mk(6020), cnt(6020));        // 20 in the window after the zero point: avg = (20<<9)>>2
  const e = specNew(); specStep(e, [20n, 20n, 0n, 2000n, 0n]);
  assert.equal(asArr(est.destRates(mk(0).services[0], dest("1.1.1.1", cnt(0)))), specRead(e));
});

test.run();
