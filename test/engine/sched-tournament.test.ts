// Differential test of the tournament-tree schedulers (lc, wlc, sed, nq, and the fresh pick of lblc and
// lblcr; assembly/sched/tournament.ts) against the kernel's linear loops, transcribed here from
// ipvs-dataplane.md §5.3–5.6 and §5.11–5.12. Thousands of random steps through the whole engine: SYNs
// of new clients (bind), ACK + RST of earlier ones (active -> inactive), clock jumps (expiry: unbind),
// weight and threshold edits (OVERLOAD flips), dests added and deleted (deleted ones keep conns that
// unbind later), and scheduler switches. The service is a firewall-mark one and each SYN goes to one of
// 8 destination addresses, the keys of lblc/lblcr's cache. Before every SYN the oracle takes the
// service's dest list in list order with each dest's weight, counters and OVERLOAD flag (inputs read
// from the engine's records) and picks as the kernel would — for lblc/lblcr with its own copy of the
// cache (Locality below); the engine's pick is the real server the SYN was forwarded to. One case runs
// with no room for the tree (the list walk).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildFrame } from "../../src/wire/build.ts";
import type { Engine, EngineOptions } from "../../src/engine/engine.ts";
import type { DestRule } from "../../src/control/model.ts";
import * as A from "../../src/engine/abi.ts";
import { engineWith, send, clients } from "../helpers/sched-drive.ts";
import { rng } from "../../bench/workload.ts";

const VIP = "10.0.0.100";
const MARK = 1;
/** The destination addresses the SYNs go to (lblc/lblcr's cache keys). */
const DADDRS = Array.from({ length: 8 }, (_, i) => `10.0.0.${100 + i}`);
/** Default lblc/lblcr_expiration (24 h): the test's clock stays below it, so no entry ages out. */
const EXPIRATION = 24 * 60 * 60 * A.HZ;

/** A dest as the kernel loop sees it. */
interface KDest { addr: string; w: number; active: number; inactive: number; over: boolean }

const ok = (d: KDest) => !d.over && d.w > 0;                 // §5.0 eligibility
const overhead = (d: KDest) => d.active * 256 + d.inactive;  // §2.7 (products stay below 2^53)

/** The kernel's loops (§5.3–5.6), list in list order (newest first); null = none. */
const KERNEL: Record<string, (list: KDest[]) => KDest | null> = {
  lc(list) {
    let least: KDest | null = null;
    for (const d of list) if (ok(d) && (least === null || overhead(d) < overhead(least))) least = d;
    return least;
  },
  wlc(list) {
    const start = list.findIndex(ok);
    if (start < 0) return null;
    let least = list[start];
    for (const d of list.slice(start + 1)) if (!d.over && overhead(least) * d.w > overhead(d) * least.w) least = d;
    return least;
  },
  sed(list) {
    const start = list.findIndex(ok);
    if (start < 0) return null;
    let least = list[start];
    for (const d of list.slice(start + 1)) if (!d.over && (least.active + 1) * d.w > (d.active + 1) * least.w) least = d;
    return least;
  },
  nq(list) {
    let least: KDest | null = null;
    for (const d of list) {
      if (!ok(d)) continue;
      if (d.active === 0) return d;
      if (least === null || (least.active + 1) * d.w > (d.active + 1) * least.w) least = d;
    }
    return least;
  },
};

function kernelList(e: Engine, si: number): KDest[] {
  return e.destIndices(si).map((di) => {
    const d = e.dest(di);
    return { addr: d.addr, w: d.weight, active: d.active, inactive: d.inactive, over: e.destOverloaded(di) };
  });
}

/**
 * lblc / lblcr (§5.11, §5.12) over the oracle's own cache: destination address -> dest address (lblc)
 * or member set, newest first (lblcr). As in the engine (lbcache.ts), a deleted dest leaves the cache
 * (dests added later have new addresses), and (re)initialising the scheduler empties it. `pick` says
 * whether the answer is a fresh pick, i.e. the kernel's wlc loop over the whole list.
 */
class Locality {
  lblc = new Map<string, string>();
  lblcr = new Map<string, { set: string[]; lastmod: number }>();

  reset(): void { this.lblc.clear(); this.lblcr.clear(); }
  deleted(addr: string): void {
    for (const [k, a] of this.lblc) if (a === addr) this.lblc.delete(k);
    for (const en of this.lblcr.values()) en.set = en.set.filter((a) => a !== addr);
  }

  pick(sched: "lblc" | "lblcr", list: KDest[], daddr: string, now: number): { want: KDest | null; fresh: boolean } {
    const byAddr = (a: string) => list.find((d) => d.addr === a)!;
    // is_overloaded: activeconns > weight while some dest has activeconns * 2 < weight (OVERLOAD not read)
    const lbOver = (d: KDest) => d.active > d.w && list.some((m) => m.active * 2 < m.w);
    if (sched === "lblc") {
      const c = this.lblc.get(daddr);
      if (c !== undefined && byAddr(c).w > 0 && !lbOver(byAddr(c))) return { want: byAddr(c), fresh: false };
      const d = KERNEL.wlc(list);
      if (d) this.lblc.set(daddr, d.addr);
      return { want: d, fresh: true };
    }
    const en = this.lblcr.get(daddr);
    if (en) {
      const set = en.set.map(byAddr);
      // ip_vs_dest_set_min: the first member not OVERLOAD with weight > 0, then wlc's comparison
      const start = set.findIndex(ok);
      let least = start < 0 ? null : set[start];
      if (least) for (const d of set.slice(start + 1)) if (!d.over && overhead(least!) * d.w > overhead(d) * least!.w) least = d;
      if (set.length > 1 && ((en.lastmod + EXPIRATION - now) | 0) < 0) {
        // ip_vs_dest_set_max: the first member with weight > 0, then the highest overhead / weight
        const first = set.findIndex((d) => d.w > 0);
        let most = first < 0 ? null : set[first];
        if (most) for (const d of set.slice(first + 1)) if (overhead(most!) * d.w < overhead(d) * most!.w && d.w > 0) most = d;
        if (most) { en.set = en.set.filter((a) => a !== most!.addr); en.lastmod = now; }
      }
      if (least && !lbOver(least)) return { want: least, fresh: false };
      const d = KERNEL.wlc(list);
      if (d && !en.set.includes(d.addr)) { en.set.unshift(d.addr); en.lastmod = now; }
      return { want: d, fresh: true };
    }
    const d = KERNEL.wlc(list);
    if (d) this.lblcr.set(daddr, { set: [d.addr], lastmod: now });
    return { want: d, fresh: true };
  }
}

function tcp(src: string, dst: string, flags: string): Uint8Array {
  return buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
    ip: { v: 4, src, dst }, l4: { tcp: { sport: 40000, dport: 80, flags, seq: 2 } } } as any);
}

/** The schedulers a service switches between at random (ipvsadm -E -s). */
const SWITCH = ["lc", "wlc", "sed", "nq", "lblc", "lblcr"];

/**
 * `steps` random steps on one service starting on `sched` with `n0` dests; returns the number of SYNs
 * checked, how many of them had a tie at the minimum (so the tie rule was exercised), how many found
 * no eligible dest and how many were lblc/lblcr fresh picks (`fresh`, of which `freshTies` with a tie).
 */
async function differential(sched: string, seed: number, steps: number, n0: number, switchScheds = false,
                            setup: { engine?: EngineOptions; lines?: string[]; noTree?: boolean } = {}) {
  let none = 0, fresh = 0, freshTies = 0;
  const r = rng(seed);
  const pick = (n: number) => r() % n;
  /** A dest rule with a random weight (0 = quiesced) and, one time in three, thresholds. */
  const rand = (addr: string): DestRule => {
    const w = [0, 1, 1, 2, 3, 4, 5, 100, 65535][pick(9)];
    const u = pick(3) === 0 ? 1 + pick(8) : 0;
    const l = u !== 0 && pick(2) === 0 ? pick(u) : 0;
    return { af: 4, addr, port: 80, fwd: "masq", weight: w, uThreshold: u, lThreshold: l, tunType: "ipip", tunPort: 0, tunCsum: "nocsum", line: 0 };
  };
  let next = 0;
  const newAddr = () => {
    do next++; while ((next & 255) === 0 || (next & 255) === 255);
    return `192.168.${next >> 8}.${next & 255}`;
  };
  const lines = [`-A -f ${MARK} -s ${sched}`];
  for (let i = 0; i < n0; i++) {
    const d = rand(newAddr());
    lines.push(`-a -f ${MARK} -r ${d.addr}:80 -m -w ${d.weight}${d.uThreshold ? ` -x ${d.uThreshold}` : ""}${d.lThreshold ? ` -y ${d.lThreshold}` : ""}`);
  }
  const e = await engineWith([...(setup.lines ?? []), ...lines], setup.engine);
  const svc = e.applied[e.applied.length - 1];
  const si = svc.index;
  const svcRule = svc.rule;
  const rules = new Map<number, DestRule>(svc.dests.map((d) => [d.index, d.rule]));
  // the service's tree address (tournament.ts SD_TREE, 48 bytes into the scheduler data): 0 = none
  const tree = () => e.view.getUint32((e.x.svcRecord(si) >>> 0) + A.S_SCHED_DATA + 48, true);
  if (setup.noTree !== undefined) assert.is(tree() === 0, setup.noTree, `service ${si} ${setup.noTree ? "has no" : "has a"} tree`);
  const src = clients(steps, 20);
  const bound: { src: string; dst: string }[] = [];
  const cache = new Locality();
  let now = 1000, syns = 0, ties = 0, cur = sched;
  for (let step = 0; step < steps; step++) {
    const op = pick(100);
    if (op < 55) {                                                     // a new client's SYN
      const list = kernelList(e, si);
      const dst = DADDRS[pick(DADDRS.length)];
      let want: KDest | null, loop = cur;
      if (cur === "lblc" || cur === "lblcr") {
        const p = cache.pick(cur, list, dst, now);
        want = p.want;
        loop = p.fresh ? "wlc" : "";
        if (p.fresh) fresh++;
      } else want = KERNEL[cur](list);
      if (want && loop) {
        const key = (d: KDest) => (loop === "lc" ? overhead(d) : loop === "wlc" ? overhead(d) / d.w : (d.active + 1) / d.w);
        if (list.filter((d) => ok(d) && key(d) === key(want!)).length > 1) { ties++; if (loop !== cur) freshTies++; }
      }
      const c = src[syns++];
      const got = send(e, [{ src: c, dst, mark: MARK }], now)[0].dest;
      assert.is(got, want?.addr ?? null, `${cur} seed ${seed} step ${step}: pick for ${dst} over ${JSON.stringify(list)}`);
      if (got) bound.push({ src: c, dst }); else none++;
    } else if (op < 70 && bound.length > 0) {                          // an earlier client: ACK, RST
      const c = bound[pick(bound.length)];
      for (const f of ["A", "R"]) { e.push(tcp(c.src, c.dst, f), now, MARK); e.run(); }
    } else if (op < 78) {                                              // clock jump: some conns expire
      now += pick(3) === 0 ? 70 * A.HZ : pick(20 * A.HZ);
      e.advanceTo(now);
    } else if (op < 88 && rules.size > 0) {                            // weight / threshold edit
      const keys = [...rules.keys()];
      const di = keys[pick(keys.length)];
      const d = rand(rules.get(di)!.addr);
      e.editDest(di, d);
      rules.set(di, d);
    } else if (op < 93 && rules.size < 80) {                           // a dest added
      const d = rand(newAddr());
      rules.set(e.addDest(si, d), d);
    } else if (op < 97 && rules.size > 1) {                            // a dest deleted (its conns stay)
      const keys = [...rules.keys()];
      const di = keys[pick(keys.length)];
      cache.deleted(rules.get(di)!.addr);
      e.deleteDest(di);
      rules.delete(di);
    } else if (op < 98) {                                              // every dest quiesced (weight 0)
      for (const [di, d] of rules) { const q = { ...d, weight: 0 }; e.editDest(di, q); rules.set(di, q); }
    } else if (switchScheds) {                                         // ipvsadm -E -s
      const next = SWITCH[pick(SWITCH.length)];
      e.editService(si, { ...svcRule, scheduler: next });
      if (next !== cur) cache.reset();                                 // init_service: an empty cache
      cur = next;
    }
  }
  assert.ok(now - 1000 < EXPIRATION, "no lblc/lblcr entry or member aged out");
  return { syns, ties, none, fresh, freshTies };
}

for (const sched of ["wlc", "lc", "sed", "nq"]) {
  test(`${sched}: every pick of the tree equals the kernel's linear loop over 4000 random steps`, async () => {
    for (const [seed, n0] of [[1, 100], [2, 7], [3, 30]]) {
      const { syns, ties, none } = await differential(sched, seed, 4000, n0, false, { noTree: false });
      assert.ok(syns > 1500, `${syns} SYNs checked`);
      assert.ok(none > 10, `${none} SYNs with no eligible dest`);
      assert.ok(ties > 100, `${ties} SYNs with a tie at the minimum`);
    }
  });
}

for (const sched of ["lblc", "lblcr"]) {
  test(`${sched}: every pick, fresh ones from the tree of wlc leaves, equals the kernel's over 4000 random steps`, async () => {
    for (const [seed, n0] of [[4, 100], [5, 7], [6, 30]]) {
      const { syns, ties, none, fresh, freshTies } = await differential(sched, seed, 4000, n0, false, { noTree: false });
      assert.ok(syns > 1500, `${syns} SYNs checked`);
      assert.ok(fresh > 300, `${fresh} fresh picks`);
      assert.ok(syns - fresh > 300, `${syns - fresh} picks from the cache`);
      assert.ok(none > 10, `${none} SYNs with no eligible dest`);
      assert.ok(freshTies > 50 && ties === freshTies, `${freshTies} fresh picks with a tie at the minimum`);
    }
  });
}

test("no room in the scheduler arena for the tree (lblc's cache took it): the list walk, same picks", async () => {
  // 4 service slots: the arena is 4 MiB + 5 x 16 KiB, and the lblc cache pool takes all but the
  // slots' 16 KiB shares and 64 KiB; 3000 dests need a tree of 4096 leaves (128 KiB).
  const setup = { engine: { conns: 1 << 16, services: 4, dests: 3100 }, noTree: true,
    lines: ["-A -t 10.0.0.200:80 -s lblc", "-a -t 10.0.0.200:80 -r 172.16.0.1:80 -m"] };
  for (const sched of ["wlc", "lc", "sed", "nq", "lblc", "lblcr"]) {
    const { syns } = await differential(sched, 11, 300, 3000, false, setup);
    assert.ok(syns > 100, `${syns} SYNs checked`);
  }
});

test("lc / wlc / sed / nq / lblc / lblcr switched at random on one service: picks still equal the kernel's", async () => {
  const { syns, fresh } = await differential("wlc", 9, 6000, 60, true);
  assert.ok(syns > 2500, `${syns} SYNs checked`);
  assert.ok(fresh > 100, `${fresh} lblc/lblcr fresh picks`);
});

test.run();
