// lblc through the whole engine (ipvs-dataplane.md §5.11, ipvs-control.md §2 lblc_expiration): a
// firewall-mark service fed SYNs to chosen destination addresses; the real server is read from each
// transmitted frame. Every pick is checked against the spec's pseudo-code transcribed in
// test/helpers/locality.ts (Model); the short sequences are also spelled out by hand.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import * as A from "../../src/engine/abi.ts";
import { Rig, HZ, MAX_SIZE, SET_LBLC_EXPIRATION, bucketOf, daddrOf } from "../helpers/locality.ts";

const X = "203.0.113.10", Y = "203.0.113.20", Z = "203.0.113.30";

test("the same destination address sticks to its dest; new addresses go by wlc", async () => {
  const r = await Rig.create("lblc", [{ name: "A", w: 10 }, { name: "B", w: 10 }, { name: "C", w: 10 }]);
  // list order C, B, A: X takes C (all idle); Y and Z are spread by wlc while X stays on C
  assert.is(r.picks([X, X, Y, X, Z, X, X]), "C C B C A C C");
  assert.is(r.entries(), 3);
});

test("distinct destination addresses are spread by wlc (weights 1, 2, 3 → 10 / 20 / 30)", async () => {
  const r = await Rig.create("lblc", [{ name: "A", w: 1 }, { name: "B", w: 2 }, { name: "C", w: 3 }]);
  const got = r.picks(Array.from({ length: 60 }, (_, k) => daddrOf(k))).split(" ");
  assert.equal(["A", "B", "C"].map((n) => got.filter((p) => p === n).length), [10, 20, 30]);
  assert.is(r.entries(), 60);
});

test("an lblc-overloaded cached dest is replaced by the wlc pick, which is cached", async () => {
  const r = await Rig.create("lblc", [{ name: "A", w: 1 }, { name: "B", w: 4 }]);
  // Every conn is active (SYN_RECV, then ESTABLISHED): B takes X until activeconns 5 > weight 4 while
  // A (0 * 2 < 1) is under half its weight; then A is picked and cached. A at 2 active > 1 is not
  // overloaded: nobody is under half its weight any more.
  assert.is(r.picks([X, X, X, X, X, X, X, X], true), "B B B B B A A A");
  assert.is(r.entries(), 1);
  assert.is(r.pick(Y, true), "B");         // wlc: B 5 * 256 / 4 < A 3 * 256 / 1
  assert.is(r.picks([X, Y, X], true), "A B A");
});

test("not lblc-overloaded while the other dests are at half their weight or more", async () => {
  const r = await Rig.create("lblc", [{ name: "A", w: 2 }, { name: "B", w: 4 }]);
  // B passes activeconns 4 = weight and goes on, as A sits at exactly half its weight (1 * 2 = 2)
  assert.is(r.picks([X, Y, X, X, X, X, X, X], true), "B A B B B B B B");
});

test("the cached dest's OVERLOAD flag is not consulted, a new pick skips it", async () => {
  const r = await Rig.create("lblc", [{ name: "A", w: 5 }, { name: "B", w: 5, u: 1 }]);
  // B gets OVERLOAD (upper threshold 1) with its first conn; X keeps it, Y goes to A
  assert.is(r.picks([X, X, Y, X]), "B B A B");
});

test("weight 0 on the cached dest: re-picked and the new dest cached", async () => {
  const r = await Rig.create("lblc", [{ name: "A", w: 1 }, { name: "B", w: 1 }]);
  assert.is(r.pick(X), "B");
  r.editWeight("B", 0);
  assert.is(r.picks([X, X]), "A A");
  r.editWeight("B", 1);
  assert.is(r.picks([X, Y]), "A B");       // X stays on A; Y: B (1 conn) before A (2)
  assert.is(r.entries(), 2);
});

test("a deleted dest: its entries go and its addresses are re-picked", async () => {
  const r = await Rig.create("lblc", [{ name: "A", w: 1 }, { name: "B", w: 1 }, { name: "C", w: 1 }]);
  assert.is(r.picks([X, Y, Z]), "C B A");
  assert.is(r.entries(), 3);
  r.deleteDest("C");
  assert.is(r.entries(), 2);
  assert.is(r.picks([X, X, Y, Z]), "B B B A");
  assert.is(r.entries(), 3);
});

test("a deleted dest's record reused by a new dest does not inherit its cache entries", async () => {
  const r = await Rig.create("lblc", [{ name: "A", w: 10 }, { name: "B", w: 10 }, { name: "C", w: 10 }]);
  assert.is(r.pick(X), "C");
  const c = r.destIndex.get("C");
  r.deleteDest("C");
  r.minutes(5);                             // its conn expires; 120-180 s later the record leaves the trash
  r.model.forgetConns();
  assert.is(r.addDest("D", 10), c);         // the same record, a new dest
  assert.is(r.pick(Z), "D");
  assert.is(r.pick(X), "B");                // re-picked by wlc (D has a conn), not handed to D
});

/** X cached on C at t0, then a GC period at a time; returns the entry count after each tick. */
async function expiry(expirationSecs: number | undefined, minutes: number, touchAt = -1): Promise<{ r: Rig; counts: number[] }> {
  const r = await Rig.create("lblc", [{ name: "A", w: 1 }, { name: "B", w: 1 }, { name: "C", w: 1 }], { expirationSecs });
  assert.is(r.pick(X), "C");
  const counts: number[] = [];
  for (let m = 1; m <= minutes; m++) {
    r.minutes(1);
    if (m === 2) r.model.forgetConns();    // the SYN_RECV conns (60 s) are gone
    if (m === touchAt) assert.is(r.pick(X), "C");
    counts.push(r.entries());
    assert.is(r.entries(), r.model.table.size, `model entries after tick ${m}`);
  }
  return { r, counts };
}

test("lblc_expiration: the full sweep of the 30th tick removes an entry unused that long", async () => {
  const { r, counts } = await expiry(1800, 30);
  assert.equal(counts.slice(0, 29), Array(29).fill(1));
  assert.is(counts[29], 0);                 // tick 30: now = lastuse + 1800 s, removed
  r.model.forgetConns();
  // X is picked afresh: Y first loads C, so X now goes to B (the entry would have kept C)
  assert.is(r.picks([Y, X]), "C B");
});

test("lblc_expiration: one second longer survives to the next full sweep; use refreshes lastuse", async () => {
  const a = await expiry(1801, 60);
  assert.is(a.counts[29], 1);
  assert.is(a.counts[58], 1);
  assert.is(a.counts[59], 0);
  const b = await expiry(1800, 60, 10);     // used again at minute 10: gone at the sweep of tick 60
  assert.is(b.counts[29], 1);
  assert.is(b.counts[59], 0);
});

test("lblc_expiration default: 24 h (entry kept by the sweeps until tick 1440)", async () => {
  const { counts } = await expiry(undefined, 1440);
  assert.is(counts[1439 - 30], 1);
  assert.is(counts[1438], 1);
  assert.is(counts[1439], 0);
});

test("lblc_expiration accepts up to INT_MAX / HZ seconds, like proc_dointvec_jiffies", async () => {
  const e = await loadEngine({ conns: 16 });
  assert.ok(e.x.setSysctl(SET_LBLC_EXPIRATION, Math.floor(0x7fffffff / HZ)));
  assert.not.ok(e.x.setSysctl(SET_LBLC_EXPIRATION, Math.floor(0x7fffffff / HZ) + 1));
});

test("over max_size: partial GC of entries idle 6 min from the rover; full sweep waits", async () => {
  // 281 over max_size: goal 281 * 4/3 = 374, which buckets 1..23 of these addresses hold exactly
  // (the sweep stops after the bucket that brings the goal to 0, not one later)
  const excess = 281, goal = Math.trunc(excess * 4 / 3), n = MAX_SIZE + excess;
  const r = await Rig.create("lblc", [{ name: "A", w: 1 }, { name: "B", w: 1 }], { conns: 1 << 15, expirationSecs: 600 });
  const addrs = Array.from({ length: n }, (_, k) => daddrOf(k));
  assert.is(r.flood(addrs), n);
  for (const a of addrs) r.model.touch(a, r.t);
  assert.is(r.entries(), n);
  const counts: number[] = [];
  for (let m = 1; m <= 36; m++) {
    r.minutes(1);
    counts.push(r.entries());
    assert.is(r.entries(), r.model.table.size, `entries after tick ${m}`);
  }
  // idle < 6 min: nothing; tick 6: whole buckets from bucket 1 (rover 0) until the goal is met
  assert.equal(counts.slice(0, 5), Array(5).fill(n));
  const perBucket = new Map<number, number>();
  for (const a of addrs) perBucket.set(bucketOf(a), (perBucket.get(bucketOf(a)) ?? 0) + 1);
  let removed = 0, b = 1;
  while (removed < goal) removed += perBucket.get(b++) ?? 0;
  assert.is(removed, goal);
  assert.is(counts[5], n - removed);
  // the counter only ran again from tick 7, so the full sweep (lblc_expiration 600 s) is at tick 36
  assert.is(counts[34], n - removed);
  assert.is(counts[35], 0);
});

test("IPv6 destination addresses: same 32-bit fold, still two entries", async () => {
  const e = await loadEngine({ conns: 64 });
  e.applyRules(parseRules(["-A -f 1 -6 -s lblc", "-a -f 1 -6 -r [2001:db8::1]:80 -m -w 1", "-a -f 1 -6 -r [2001:db8::2]:80 -m -w 1"].join("\n"), "v6.rules"));
  const si = e.applied[0].index;
  e.advanceTo(1000);
  let client = 0;
  const pick = (dst: string): string => {
    const f = buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
      ip: { v: 6, src: `2001:db8:ff::${++client}`, dst }, l4: { tcp: { sport: 40000, dport: 80, flags: "S" } } });
    e.push(f, 1000, 1);
    e.run();
    assert.is(e.verdict(0).kind, A.VERDICT_TX);
    const out = e.output(0);
    return out[14 + 24 + 15] === 2 ? "2" : out[14 + 24 + 15] === 1 ? "1" : "?";
  };
  // words swapped: the XOR fold (and so the bucket) is the same, the addresses differ
  const P = "2001:db8:0:1::", Q = "2001:db8::1:0:0";
  assert.is([pick(P), pick(Q), pick(P), pick(Q), pick(P)].join(" "), "2 1 2 1 2");
  assert.is(e.x.schedCacheEntries(si), 2);
});

test.run();
